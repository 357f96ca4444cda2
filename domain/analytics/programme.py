"""Engagement with the programme's mechanics: check-ins, challenges, coupons.

Read from the tables of record in a fixed number of grouped statements per report (one row
per check-in per member-day, per participant, per coupon; no raw-event scans):

- check-in rate: check-ins ÷ active member-days (capped at 1: a member without analytics
  consent may check in without being counted active);
- challenge participation rate: distinct members who joined a challenge in the bucket ÷
  distinct active members (capped at 1);
- coupon redemption rate: of the coupons issued in the bucket, the share redeemed so far.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ProgrammeCounts:
    check_ins: dict[date, int]
    coupons: dict[date, tuple[int, int]]  # issue day -> (issued, redeemed)
    participants: dict[tuple[date, date], int]  # bucket -> distinct members who joined


async def programme_counts(s: AsyncSession, start: date, end: date, tz: str,
                           bounds: list[tuple[date, date]]) -> ProgrammeCounts:
    check_ins = await s.execute(text(
        "SELECT day, count(*) FROM check_ins WHERE day BETWEEN :a AND :b GROUP BY day"),
        {"a": start, "b": end})
    coupons = await s.execute(text("""
        SELECT CAST(timezone(:tz, issued_at) AS date) AS day, count(*),
               count(*) FILTER (WHERE status = 'REDEEMED')
        FROM coupons
        WHERE issued_at >= timezone(:tz, CAST(:a AS timestamp))
          AND issued_at < timezone(:tz, CAST(:b AS timestamp) + interval '1 day')
        GROUP BY 1"""), {"a": start, "b": end, "tz": tz})
    joined = await s.execute(text("""
        SELECT r.a, r.b, count(DISTINCT p.member_id)
        FROM unnest(CAST(:starts AS date[]), CAST(:ends AS date[])) AS r(a, b)
        JOIN challenge_participants p
          ON p.joined_at >= timezone(:tz, CAST(r.a AS timestamp))
         AND p.joined_at < timezone(:tz, CAST(r.b AS timestamp) + interval '1 day')
        GROUP BY r.a, r.b"""), {"starts": [a for a, _ in bounds], "ends": [b for _, b in bounds],
                                "tz": tz})
    return ProgrammeCounts(
        check_ins={day: n for day, n in check_ins},
        coupons={day: (issued, redeemed) for day, issued, redeemed in coupons},
        participants={(a, b): n for a, b, n in joined})


def programme_rates(counts: ProgrammeCounts, start: date, end: date, active_days: int,
                    active_members: int) -> tuple[float | None, float | None, float | None]:
    """(check-in rate, challenge participation rate, coupon redemption rate) of one bucket."""
    days = [start + timedelta(n) for n in range((end - start).days + 1)]
    check_ins = sum(counts.check_ins.get(d, 0) for d in days)
    issued: dict[str, int] = defaultdict(int)
    for d in days:
        made, used = counts.coupons.get(d, (0, 0))
        issued["made"] += made
        issued["used"] += used
    participants = counts.participants.get((start, end), 0)
    return (_capped(check_ins, active_days), _capped(participants, active_members),
            _capped(issued["used"], issued["made"]))


def _capped(part: int, whole: int) -> float | None:
    return round(min(1.0, part / whole), 4) if whole else None
