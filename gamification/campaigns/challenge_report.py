"""`challengeReport`: participation and completion of one challenge, with a daily funnel.

Daily figures of fewer than `report_min_group_size` members are withheld (null), so a
small group's behaviour is never broken down to identifiable people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from domain.reports import withheld
from rally.uow import UnitOfWork

_TOTALS = text(
    "SELECT (SELECT count(*) FROM challenge_participants WHERE challenge_id = :id) AS joined,"
    " (SELECT count(*) FROM challenge_participants WHERE challenge_id = :id"
    "  AND completed_at IS NOT NULL) AS completed,"
    " (SELECT count(*) FROM challenge_credits WHERE challenge_id = :id) AS actions,"
    " (SELECT count(*) FROM challenge_credits WHERE challenge_id = :id"
    "  AND subject LIKE 'POST:%') AS posts,"
    " (SELECT count(*) FROM coupons WHERE source = 'CHALLENGE' AND source_id = :id) AS coupons,"
    " (SELECT coalesce(sum(delta), 0) FROM point_entries WHERE source_type = 'CHALLENGE'"
    "  AND source_id = :id AND reason = 'CHALLENGE_COMPLETED') AS points")
_DAILY = text(
    "WITH days AS ("
    " SELECT (joined_at AT TIME ZONE :tz)::date AS day, member_id, 'joined' AS step"
    "  FROM challenge_participants WHERE challenge_id = :id"
    " UNION ALL SELECT DISTINCT (created_at AT TIME ZONE :tz)::date, member_id, 'active'"
    "  FROM challenge_credits WHERE challenge_id = :id"
    " UNION ALL SELECT (completed_at AT TIME ZONE :tz)::date, member_id, 'completed'"
    "  FROM challenge_participants WHERE challenge_id = :id AND completed_at IS NOT NULL)"
    " SELECT day, count(*) FILTER (WHERE step = 'joined') AS joined,"
    " count(*) FILTER (WHERE step = 'active') AS active,"
    " count(*) FILTER (WHERE step = 'completed') AS completed"
    " FROM days GROUP BY day ORDER BY day")


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
        _DAILY, {"id": challenge_id, "tz": settings.timezone})).all()
    floor = settings.report_min_group_size
    return ChallengeReport(
        participants=totals.joined, completions=totals.completed,
        completion_rate=totals.completed / totals.joined if totals.joined else 0.0,
        qualifying_actions=totals.actions, qualifying_posts=totals.posts,
        points_paid=totals.points, coupons_issued=totals.coupons,
        daily=[FunnelDay(r.day, withheld(r.joined, floor), withheld(r.active, floor),
                         withheld(r.completed, floor)) for r in daily])
