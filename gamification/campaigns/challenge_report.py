"""`challengeReport`: participation and completion of one challenge, with a daily funnel,
read from rollups kept in the transaction of each join, action and completion.

Daily figures of fewer than `report_min_group_size` members are withheld (null), so a
small group's behaviour is never broken down to identifiable people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from domain.reports import withheld
from rally.uow import UnitOfWork

# Read from rollups kept with the actions (see `count_challenge_day` and progress.py's
# credit statements): per-member day rows for actions, posts and who was active, per-day
# counts for joins, completions, points and coupons.
_TOTALS = text(
    "SELECT coalesce(sum(value) FILTER (WHERE metric = 'joined'), 0) AS joined,"
    " coalesce(sum(value) FILTER (WHERE metric = 'completed'), 0) AS completed,"
    " coalesce(sum(value) FILTER (WHERE metric = 'points'), 0) AS points,"
    " coalesce(sum(value) FILTER (WHERE metric = 'coupons'), 0) AS coupons,"
    " (SELECT coalesce(sum(actions), 0) FROM challenge_member_days"
    "  WHERE challenge_id = :id) AS actions,"
    " (SELECT coalesce(sum(posts), 0) FROM challenge_member_days"
    "  WHERE challenge_id = :id) AS posts"
    " FROM challenge_day_counts WHERE challenge_id = :id")
_DAILY = text(
    "WITH counts AS (SELECT day, coalesce(sum(value) FILTER (WHERE metric = 'joined'), 0) AS"
    "  joined, coalesce(sum(value) FILTER (WHERE metric = 'completed'), 0) AS completed"
    "  FROM challenge_day_counts WHERE challenge_id = :id GROUP BY day),"
    " active AS (SELECT day, count(*) AS active FROM challenge_member_days"
    "  WHERE challenge_id = :id AND actions > 0 GROUP BY day)"
    " SELECT day, coalesce(c.joined, 0) AS joined, coalesce(a.active, 0) AS active,"
    " coalesce(c.completed, 0) AS completed FROM counts c FULL JOIN active a USING (day)"
    " WHERE coalesce(c.joined, 0) + coalesce(a.active, 0) + coalesce(c.completed, 0) > 0"
    " ORDER BY day")
_COUNT_DAY = text(
    "INSERT INTO challenge_day_counts AS d (challenge_id, day, metric, value)"
    " SELECT CAST(:id AS bigint), (now() AT TIME ZONE :tz)::date, m, v"
    " FROM unnest(CAST(:metrics AS text[]), CAST(:values AS bigint[])) AS x(m, v) WHERE v <> 0"
    " ON CONFLICT (challenge_id, day, metric) DO UPDATE SET value = d.value + EXCLUDED.value")


async def count_challenge_day(uow: UnitOfWork, challenge_id: int, counts: dict[str, int]) -> None:
    """Move today's (brand day) joined / completed / points / coupons of a challenge."""
    await uow.session.execute(_COUNT_DAY, {
        "id": challenge_id, "tz": uow.settings.timezone, "metrics": list(counts),
        "values": list(counts.values())})


def challenge_rollups_backfill(tz: str) -> list[str]:
    """The rollups rebuilt from the tables of record (migration 0070 and its test)."""
    day = "(({column}) AT TIME ZONE '" + tz.replace("'", "''") + "')::date"
    return [
        "DELETE FROM challenge_member_days",
        "DELETE FROM challenge_day_counts",
        "INSERT INTO challenge_member_days (challenge_id, day, member_id, actions, posts)"
        f" SELECT challenge_id, {day.format(column='created_at')}, member_id, count(*),"
        " count(*) FILTER (WHERE subject LIKE 'POST:%') FROM challenge_credits GROUP BY 1, 2, 3",
        "INSERT INTO challenge_day_counts (challenge_id, day, metric, value)"
        f" SELECT challenge_id, {day.format(column='joined_at')}, 'joined', count(*)"
        " FROM challenge_participants GROUP BY 1, 2"
        f" UNION ALL SELECT challenge_id, {day.format(column='completed_at')}, 'completed',"
        " count(*) FROM challenge_participants WHERE completed_at IS NOT NULL GROUP BY 1, 2"
        f" UNION ALL SELECT source_id, {day.format(column='created_at')}, 'points', sum(delta)"
        " FROM point_entries WHERE source_type = 'CHALLENGE' AND reason = 'CHALLENGE_COMPLETED'"
        " AND source_id IN (SELECT id FROM challenges) GROUP BY 1, 2 HAVING sum(delta) <> 0"
        f" UNION ALL SELECT source_id, {day.format(column='issued_at')}, 'coupons', count(*)"
        " FROM coupons WHERE source = 'CHALLENGE' AND source_id IN (SELECT id FROM challenges)"
        " GROUP BY 1, 2",
    ]


@dataclass(frozen=True)
class FunnelDay:
    day: date
    joined: int | None
    active: int | None
    completed: int | None


@dataclass(frozen=True)
class ChallengeReport:
    participants: int
    completions: int
    completion_rate: float
    qualifying_actions: int
    qualifying_posts: int
    points_paid: int
    coupons_issued: int
    daily: list[FunnelDay]


async def challenge_report(uow: UnitOfWork, challenge_id: int) -> ChallengeReport:
    settings = uow.settings
    totals = (await uow.session.execute(_TOTALS, {"id": challenge_id})).one()
    daily = (await uow.session.execute(
        _DAILY, {"id": challenge_id})).all()
    floor = settings.report_min_group_size
    return ChallengeReport(
        participants=totals.joined, completions=totals.completed,
        completion_rate=totals.completed / totals.joined if totals.joined else 0.0,
        qualifying_actions=totals.actions, qualifying_posts=totals.posts,
        points_paid=totals.points, coupons_issued=totals.coupons,
        daily=[FunnelDay(r.day, withheld(r.joined, floor), withheld(r.active, floor),
                         withheld(r.completed, floor)) for r in daily])
