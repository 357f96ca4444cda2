"""Writes to the rollup tables, always in the transaction of what they count.

Counters are added with `INSERT … ON CONFLICT DO UPDATE value = value + n`; rows are sorted
before writing so two transactions never lock the same rows in opposite orders.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy.dialects.postgresql import insert

from domain.analytics.models import DailyCounter, MemberActivityDay, MemberSignup
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

    @staticmethod
    def events(kind: str) -> str:
        return f"events.{kind}"


async def add_counts(uow: UnitOfWork, counts: Counter[tuple[date, str]], shard_key: int) -> None:
    if not counts:
        return
    shard = shard_key % COUNTER_SHARDS
    rows = [{"day": day, "metric": metric, "shard": shard, "value": n}
            for (day, metric), n in sorted(counts.items()) if n]
    if not rows:
        return
    statement = insert(DailyCounter).values(rows)
    await uow.session.execute(statement.on_conflict_do_update(
        index_elements=["day", "metric", "shard"],
        set_={"value": DailyCounter.value + statement.excluded.value}))


async def mark_active(uow: UnitOfWork, member_id: int, days: set[date],
                      created_content: bool = False) -> None:
    if not days:
        return
    statement = insert(MemberActivityDay).values(
        [{"day": d, "member_id": member_id, "created_content": created_content}
         for d in sorted(days)])
    if created_content:
        statement = statement.on_conflict_do_update(
            index_elements=["day", "member_id"], set_={"created_content": True})
    else:
        statement = statement.on_conflict_do_nothing()
    await uow.session.execute(statement)


async def record_signup(uow: UnitOfWork, member_id: int, day: date) -> None:
    await uow.session.execute(insert(MemberSignup).values(member_id=member_id, day=day)
                              .on_conflict_do_nothing())
