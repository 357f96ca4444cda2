"""Writes to the rollup tables, always in the transaction of what they count.

A newly recorded activity day also moves the activity rollups (`domain.analytics.activity`)
just before commit. Counters are added with `INSERT … ON CONFLICT DO UPDATE value = value + n`;
rows are sorted before writing so two transactions never lock the same rows in opposite orders.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.dialects.postgresql import insert

from domain.analytics.activity import note_marked
from domain.analytics.models import ChallengeJoinDay, MemberSignup
from rally.sql import Sql
from rally.uow import UnitOfWork

COUNTER_SHARDS = 16


class Metric:
    """Names of the daily counters."""

    NEW_MEMBERS = "members.new"
    POSTS = "posts"
    COMMENTS = "comments"
    REACTIONS = "reactions"
    SHARES = "shares"
    DWELL_MS = "dwell.ms"
    NPS_RESPONSES = "nps.responses"
    NPS_PROMOTERS = "nps.promoters"
    NPS_DETRACTORS = "nps.detractors"
    CHECK_INS = "check_ins"

    @staticmethod
    def events(kind: str) -> str:
        return f"events.{kind}"


# Constant statement texts over arrays: prepared once per connection, never recompiled,
# whatever the number of rows (a multi-row VALUES would be compiled again for each size).
_ADD_COUNTS = Sql("""
INSERT INTO daily_counters (day, metric, shard, value)
SELECT day, metric, :shard, value
FROM unnest(CAST(:days AS date[]), CAST(:metrics AS text[]), CAST(:values AS bigint[]))
  AS c(day, metric, value)
ON CONFLICT (day, metric, shard) DO UPDATE SET value = daily_counters.value + excluded.value
""")
_UPSERT_CREATOR_DAY = """
ON CONFLICT (day, member_id) DO UPDATE
  SET created_content = member_activity_days.created_content OR excluded.created_content
  WHERE excluded.created_content AND NOT member_activity_days.created_content
RETURNING day, xmax = 0 AS inserted, created_content
"""
# A day that is not a content day only needs inserting when new. DO NOTHING takes no lock on
# an existing row, whereas DO UPDATE locks it even when its WHERE is false: a transaction that
# held such a lock while waiting for the member's activity lock (domain.analytics.activity)
# could deadlock with the holder re-linking that very row's prev_day.
_INSERT_DAY = """
ON CONFLICT (day, member_id) DO NOTHING
RETURNING day, true AS inserted, created_content
"""
_MARK_ACTIVE_SELECT = """
INSERT INTO member_activity_days (day, member_id, created_content)
SELECT day, :member_id, :created FROM unnest(CAST(:days AS date[])) AS d(day)
"""
_MARK_ACTIVE = {True: Sql(_MARK_ACTIVE_SELECT + _UPSERT_CREATOR_DAY),
                False: Sql(_MARK_ACTIVE_SELECT + _INSERT_DAY)}

# One round trip for a member's action: the day's counter, and his activity day when his
# analytics consent (or the default when he never answered) allows it.
_COUNT_AND_MARK_SELECT = """
WITH counted AS (
  INSERT INTO daily_counters (day, metric, shard, value) VALUES (CAST(:day AS date), :metric, :shard, 1)
  ON CONFLICT (day, metric, shard) DO UPDATE SET value = daily_counters.value + 1
)
INSERT INTO member_activity_days (day, member_id, created_content)
SELECT CAST(:day AS date), CAST(:member_id AS bigint), CAST(:created AS boolean)
WHERE COALESCE((SELECT granted FROM member_consents WHERE member_id = CAST(:member_id AS bigint)
                AND purpose = CAST(:purpose AS varchar)), CAST(:default_granted AS boolean))
"""
_COUNT_AND_MARK = {True: Sql(_COUNT_AND_MARK_SELECT + _UPSERT_CREATOR_DAY),
                   False: Sql(_COUNT_AND_MARK_SELECT + _INSERT_DAY)}


async def count_and_mark_active(uow: UnitOfWork, day: date, metric: str, member_id: int,
                                created_content: bool, purpose: str,
                                default_granted: bool) -> None:
    """`add_counts` of one, then `mark_active` if consent allows, in one statement."""
    marked = await uow.fetch(_COUNT_AND_MARK[created_content], {
        "day": day, "metric": metric, "shard": member_id % COUNTER_SHARDS,
        "member_id": member_id, "created": created_content, "purpose": purpose,
        "default_granted": default_granted})
    note_marked(uow, member_id, [tuple(r) for r in marked])  # type: ignore[misc]


async def add_counts(uow: UnitOfWork, counts: Counter[tuple[date, str]], shard_key: int) -> None:
    rows = [(day, metric, n) for (day, metric), n in sorted(counts.items()) if n]
    if not rows:
        return
    await uow.execute(_ADD_COUNTS, {
        "shard": shard_key % COUNTER_SHARDS, "days": [r[0] for r in rows],
        "metrics": [r[1] for r in rows], "values": [r[2] for r in rows]})


async def mark_active(uow: UnitOfWork, member_id: int, days: set[date],
                      created_content: bool = False) -> None:
    if days:
        marked = await uow.fetch(_MARK_ACTIVE[created_content], {
            "member_id": member_id, "created": created_content, "days": sorted(days)})
        note_marked(uow, member_id, [tuple(r) for r in marked])


async def record_signup(uow: UnitOfWork, member_id: int, day: date) -> None:
    await uow.session.execute(insert(MemberSignup).values(member_id=member_id, day=day)
                              .on_conflict_do_nothing())


async def record_challenge_join(uow: UnitOfWork, member_id: int, day: date) -> None:
    await uow.session.execute(insert(ChallengeJoinDay).values(member_id=member_id, day=day)
                              .on_conflict_do_nothing())


_MOVE_COUPONS = Sql("""
INSERT INTO coupon_rollups (campaign_id, source, day, metric, shard, value)
SELECT :campaign_id, :source, day, metric, :shard, value
FROM unnest(CAST(:days AS date[]), CAST(:metrics AS text[]), CAST(:values AS bigint[]))
  AS c(day, metric, value)
ON CONFLICT (campaign_id, source, day, metric, shard)
DO UPDATE SET value = coupon_rollups.value + excluded.value
""")


async def move_coupon_rollups(uow: UnitOfWork, campaign_id: int, source: str, shard: int,
                              moves: list[tuple[date, str, int]]) -> None:
    moves = sorted(moves)
    await uow.execute(_MOVE_COUPONS, {
        "campaign_id": campaign_id, "source": source, "shard": shard,
        "days": [m[0] for m in moves], "metrics": [m[1] for m in moves],
        "values": [m[2] for m in moves]})
