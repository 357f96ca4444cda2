"""The maintained activity rollups equal what counting distinct members from the ledger gives,
whatever order the activity days arrive in (late events, concurrent transactions), and the
backfill rebuilds the same state."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta

from sqlalchemy import insert, text

from domain.analytics.activity import BACKFILL
from domain.analytics.metrics import _cohorts, _daily_active, _distinct_active, _windows
from domain.analytics.models import MemberSignup
from domain.analytics.rollups import mark_active

START = date(2026, 6, 1)
DAYS = 70


async def brute_windows(s, ends: list[date]) -> dict[date, tuple[int, int]]:
    rows = await s.execute(text("""
        SELECT e.day,
          (SELECT count(DISTINCT member_id) FROM member_activity_days
           WHERE day BETWEEN e.day - 6 AND e.day),
          (SELECT count(DISTINCT member_id) FROM member_activity_days
           WHERE day BETWEEN e.day - 29 AND e.day)
        FROM unnest(CAST(:ends AS date[])) AS e(day)"""), {"ends": ends})
    return {d: (w, m) for d, w, m in rows}


async def brute_distinct(s, a: date, b: date) -> tuple[int, int]:
    row = (await s.execute(text(
        "SELECT count(DISTINCT member_id), count(DISTINCT member_id) FILTER (WHERE created_content)"
        " FROM member_activity_days WHERE day BETWEEN :a AND :b"), {"a": a, "b": b})).one()
    return row[0], row[1]


async def brute_cohorts(s) -> list[tuple]:
    rows = await s.execute(text("""
        SELECT c.day, count(*), count(a1.member_id), count(a7.member_id), count(a30.member_id)
        FROM member_signups c
        LEFT JOIN member_activity_days a1 ON a1.member_id = c.member_id AND a1.day = c.day + 1
        LEFT JOIN member_activity_days a7 ON a7.member_id = c.member_id AND a7.day = c.day + 7
        LEFT JOIN member_activity_days a30 ON a30.member_id = c.member_id AND a30.day = c.day + 30
        GROUP BY c.day ORDER BY c.day"""))
    return [tuple(r) for r in rows]


async def snapshot(s) -> tuple:
    tables = []
    for sql in ("SELECT member_id, day, prev_day FROM member_activity_days ORDER BY 1, 2",
                "SELECT day, window_days, sum(value) FROM active_window_deltas GROUP BY 1, 2"
                " HAVING sum(value) <> 0 ORDER BY 1, 2",
                "SELECT day, prev_day, sum(members) FROM activity_gaps GROUP BY 1, 2"
                " HAVING sum(members) <> 0 ORDER BY 1, 2",
                "SELECT cohort_day, offset_days, sum(retained) FROM cohort_retention"
                " GROUP BY 1, 2 ORDER BY 1, 2",
                "SELECT day, metric, sum(value) FROM daily_counters WHERE metric LIKE 'members.%'"
                " AND metric <> 'members.new' GROUP BY 1, 2 ORDER BY 1, 2"):
        tables.append([tuple(r) for r in await s.execute(text(sql))])
    return tuple(tables)


async def test_rolling_counts_stay_exact_under_late_and_concurrent_arrivals(container) -> None:
    rng = random.Random(8)
    members = list(range(500, 540))
    async with container.uow() as uow:
        await uow.session.execute(insert(MemberSignup), [
            {"member_id": m, "day": START + timedelta(days=rng.randrange(10))} for m in members])
        await uow.commit()
    activity = [(m, START + timedelta(days=d), rng.random() < 0.2)
                for m in members for d in range(DAYS) if rng.random() < 0.3]
    rng.shuffle(activity)  # late days land between days already recorded

    async def record(chunk: list[tuple[int, date, bool]]) -> None:
        async with container.uow() as uow:
            for member_id, day, created in chunk:
                await mark_active(uow, member_id, {day}, created_content=created)
            await uow.commit()

    # Several transactions at once, often touching the same members. As in the app, a content
    # day is marked by a transaction of its own (a post, a comment: today only); behaviour
    # (tracking) marks several days, late ones included, without content.
    plain = [a for a in activity if not a[2]]
    chunks = [plain[i:i + 7] for i in range(0, len(plain), 7)] + [[a] for a in activity if a[2]]
    rng.shuffle(chunks)
    for i in range(0, len(chunks), 8):
        await asyncio.gather(*[record(c) for c in chunks[i:i + 8]])
    # Marking a day again, or as a creator's day afterwards, counts nothing twice.
    await record([(m, d, False) for m, d, _ in activity[:20]])
    for m, d, _ in activity[20:40]:
        await record([(m, d, True)])

    ends = [START + timedelta(days=d) for d in range(DAYS + 35)]
    async with container.uow() as uow:
        s = uow.session
        assert await _windows(s, ends) == await brute_windows(s, ends)
        daily = await _daily_active(s, ends[0], ends[-1])
        spans = [(START, START + timedelta(days=DAYS)), (START + timedelta(days=3),
                                                        START + timedelta(days=9))]
        days = [(d, d) for d in ends[:DAYS]]
        distinct = await _distinct_active(s, spans + days, daily)
        for a, b in spans + days:
            assert distinct[(a, b)] == await brute_distinct(s, a, b), (a, b)
        assert await _cohorts(s, date(2000, 1, 1), date(2100, 1, 1)) == await brute_cohorts(s)
        assert any(r[2] for r in await brute_cohorts(s))  # some members were retained

        maintained = await snapshot(s)
        for statement in BACKFILL:
            await s.execute(text(statement))
        assert await snapshot(s) == maintained
