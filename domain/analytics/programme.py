"""Engagement with the programme's mechanics: check-ins, challenges, coupons.

Read from rollups maintained in the transaction of each action, three small statements per
report: the `check_ins` daily counter (`CheckedIn`), `challenge_join_days` (`ChallengeJoined`,
one row per joining member-day) and `coupon_rollups` (`CouponChanged`):

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
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ProgrammeCounts:
    check_ins: dict[date, int]
    coupons: dict[date, tuple[int, int]]  # issue day -> (issued, redeemed)
    participants: dict[tuple[date, date], int]  # bucket -> distinct members who joined


_CHECK_INS = ("SELECT day, sum(value) FROM daily_counters WHERE metric = 'check_ins'"
              " AND day BETWEEN :a AND :b GROUP BY day")
_COUPONS = """
        SELECT day, coalesce(sum(value) FILTER (WHERE metric = 'issued'), 0),
               coalesce(sum(value) FILTER (WHERE metric = 'redeemed_by_issue'), 0)
        FROM coupon_rollups WHERE day BETWEEN :a AND :b GROUP BY day"""
_JOINED = """
        SELECT r.a, r.b, count(DISTINCT j.member_id)
        FROM unnest(CAST(:starts AS date[]), CAST(:ends AS date[])) AS r(a, b)
        JOIN challenge_join_days j ON j.day BETWEEN r.a AND r.b
        GROUP BY r.a, r.b"""


def programme_statements(start: date, end: date, tz: str, bounds: list[tuple[date, date]]
                         ) -> list[tuple[str, dict[str, Any]]]:
    return [(_CHECK_INS, {"a": start, "b": end}),
            (_COUPONS, {"a": start, "b": end}),
            (_JOINED, {"starts": [a for a, _ in bounds], "ends": [b for _, b in bounds]})]


async def programme_counts(s: AsyncSession, start: date, end: date, tz: str,
                           bounds: list[tuple[date, date]]) -> ProgrammeCounts:
    check_ins, coupons, joined = [await s.execute(text(sql), params) for sql, params
                                  in programme_statements(start, end, tz, bounds)]
    return ProgrammeCounts(
        check_ins={day: int(n) for day, n in check_ins},
        coupons={day: (int(issued), int(redeemed)) for day, issued, redeemed in coupons},
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


def programme_backfill(timezone: str) -> list[str]:
    """Rebuild the three rollups above from the tables of record (the migration that introduced
    them runs this; so does the metrics benchmark after seeding). `timezone`: the brand's."""
    tz = "'" + timezone.replace("'", "") + "'"
    return [
        "DELETE FROM daily_counters WHERE metric = 'check_ins'",
        "INSERT INTO daily_counters (day, metric, shard, value) "
        "SELECT day, 'check_ins', 0, count(*) FROM check_ins GROUP BY day",
        "DELETE FROM challenge_join_days",
        f"INSERT INTO challenge_join_days (day, member_id) "
        f"SELECT DISTINCT (joined_at AT TIME ZONE {tz})::date, member_id "
        f"FROM challenge_participants",
        "DELETE FROM coupon_rollups",
        f"""INSERT INTO coupon_rollups (campaign_id, source, day, metric, value)
        SELECT campaign_id, source, day, metric, count(*) FROM (
          SELECT campaign_id, source, (issued_at AT TIME ZONE {tz})::date AS day,
                 'issued' AS metric FROM coupons
          UNION ALL SELECT campaign_id, source, (redeemed_at AT TIME ZONE {tz})::date,
                 'redeemed' FROM coupons WHERE status = 'REDEEMED'
          UNION ALL SELECT campaign_id, source, (issued_at AT TIME ZONE {tz})::date,
                 'redeemed_by_issue' FROM coupons WHERE status = 'REDEEMED'
          UNION ALL SELECT campaign_id, source,
                 (coalesce(voided_at, issued_at) AT TIME ZONE {tz})::date,
                 'voided' FROM coupons WHERE status = 'VOID'
        ) c GROUP BY 1, 2, 3, 4""",
    ]
