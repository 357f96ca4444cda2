"""`engagementMetrics`: every figure comes from maintained rollups (daily counters, the rolling
active-member difference array, cohort retention counts; see `domain.analytics.activity`) —
never from the raw events — so 90 days cost a handful of small reads whatever the event
volume. Only the distinct content creators of a multi-day bucket count rows (a partial index
over creators' days). Every figure is exact.

Definitions (days are brand-time-zone days):
- DAU: members active that day; a bucket's DAU is the average over its days.
- WAU / MAU: distinct members active in the 7 / 30 days ending on the bucket's last day.
- stickiness: DAU / MAU. UGC rate: of the members active in the bucket, the share who
  posted or commented. Feed CTR: CLICK / VIEW events. Average dwell: DWELL ms / DWELL events.
- retention Dn of a signup cohort: share of the cohort active exactly n days after joining;
  null until that day has passed. Cohorts under `report_min_group_size` members are left
  out (and out of the overall figure), as is NPS with fewer responses.
- "Active" needs analytics consent, so members who withdrew it count as not retained.
- Check-in rate, challenge participation and coupon redemption are not reported yet: no
  event for them exists in this branch.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics.activity import ACTIVE_METRIC, CREATORS_METRIC, WINDOWS
from domain.analytics.programme import (
    ProgrammeCounts,
    programme_counts,
    programme_rates,
    programme_statements,
)
from domain.analytics.rollups import Metric
from domain.reports import csv_cell
from rally.clock import brand_day, week_start
from rally.db import utcnow
from rally.errors import InvalidInput
from rally.uow import UnitOfWorkFactory


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"


@dataclass
class Bucket:
    start: date
    end: date
    dau: float = 0.0
    wau: int = 0
    mau: int = 0
    stickiness: float | None = None
    new_members: int = 0
    posts_created: int = 0
    comments_created: int = 0
    reactions_added: int = 0
    posts_shared: int = 0
    ugc_rate: float | None = None
    views: int = 0
    clicks: int = 0
    feed_ctr: float | None = None
    average_dwell_ms: float | None = None
    nps: float | None = None
    nps_responses: int = 0
    check_in_rate: float | None = None
    challenge_participation_rate: float | None = None
    coupon_redemption_rate: float | None = None


@dataclass(frozen=True)
class CohortRetention:
    cohort_day: date
    size: int
    d1: float | None
    d7: float | None
    d30: float | None


@dataclass
class EngagementReport:
    start: date
    end: date
    granularity: Granularity
    total: Bucket
    buckets: list[Bucket] = field(default_factory=list)
    cohorts: list[CohortRetention] = field(default_factory=list)
    retention_d1: float | None = None
    retention_d7: float | None = None
    retention_d30: float | None = None


def check_range(start: date, end: date, max_days: int) -> None:
    if start > end:
        raise InvalidInput("from must not be after to", field="from")
    if (end - start).days + 1 > max_days:
        raise InvalidInput(f"a report covers at most {max_days} days", field="to",
                           maximum=max_days)


def bucket_bounds(start: date, end: date, granularity: Granularity) -> list[tuple[date, date]]:
    bounds, day = [], start
    while day <= end:
        last = day if granularity is Granularity.DAY else min(week_start(day) + timedelta(6), end)
        bounds.append((day, last))
        day = last + timedelta(1)
    return bounds


class EngagementService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def report(self, start: date, end: date, granularity: Granularity) -> EngagementReport:
        settings = self._uow.settings
        check_range(start, end, settings.report_max_days)
        bounds = bucket_bounds(start, end, granularity)
        async with self._uow() as uow:
            s = uow.session
            counters = await _counters(s, start, end)
            daily = await _daily_active(s, start, end)
            windows = await _windows(s, [b for _, b in bounds] + [end])
            distinct = await _distinct_active(s, [*bounds, (start, end)], daily)
            cohorts = await _cohorts(s, start, end)
            programme = await programme_counts(s, start, end, settings.timezone,
                                               [*bounds, (start, end)])
        today = brand_day(utcnow(), settings.tz)
        minimum = settings.report_min_group_size
        buckets = [_with_programme(_bucket(a, b, counters, daily, windows, distinct, minimum),
                                   programme, daily, distinct) for a, b in bounds]
        total = _bucket(start, end, counters, daily, windows, distinct, minimum)
        report = EngagementReport(start, end, granularity,
                                  _with_programme(total, programme, daily, distinct), buckets)
        _add_retention(report, cohorts, today, minimum)
        return report


_COUNTERS = ("SELECT day, metric, sum(value) FROM daily_counters WHERE day BETWEEN :a AND :b "
             "GROUP BY day, metric")
_DAILY_ACTIVE = ("SELECT day, sum(value) FROM daily_counters WHERE metric = :metric "
                 "AND day BETWEEN :a AND :b GROUP BY day")
_WINDOWS = """
        SELECT day, window_days, sum(sum(value)) OVER (PARTITION BY window_days ORDER BY day)
        FROM active_window_deltas WHERE day <= :last GROUP BY day, window_days ORDER BY day"""
_CREATORS_BY_DAY = ("SELECT day, sum(value) FROM daily_counters WHERE metric = :metric "
                    "AND day = ANY(CAST(:days AS date[])) GROUP BY day")
_DISTINCT = """
            SELECT b.a, b.b,
                   (SELECT coalesce(sum(g.members), 0) FROM activity_gaps g
                    WHERE g.day BETWEEN b.a AND b.b AND g.prev_day < b.a),
                   (SELECT count(DISTINCT m.member_id) FROM member_activity_days m
                    WHERE m.day BETWEEN b.a AND b.b AND m.created_content)
            FROM unnest(CAST(:starts AS date[]), CAST(:ends AS date[])) AS b(a, b)"""
_COHORTS = """
        SELECT c.day, c.size,
               coalesce(sum(r.retained) FILTER (WHERE r.offset_days = 1), 0),
               coalesce(sum(r.retained) FILTER (WHERE r.offset_days = 7), 0),
               coalesce(sum(r.retained) FILTER (WHERE r.offset_days = 30), 0)
        FROM (SELECT day, count(*) AS size FROM member_signups
              WHERE day BETWEEN :a AND :b GROUP BY day) c
        LEFT JOIN cohort_retention r ON r.cohort_day = c.day
        GROUP BY c.day, c.size ORDER BY c.day"""


def report_statements(start: date, end: date, granularity: Granularity, tz: str
                      ) -> list[tuple[str, dict[str, Any]]]:
    """Every statement `report` runs, with its arguments (for the benchmark's raw baseline)."""
    bounds = bucket_bounds(start, end, granularity)
    spans = [(a, b) for a, b in [*bounds, (start, end)] if a != b]
    single = [a for a, b in bounds if a == b]
    statements: list[tuple[str, dict[str, Any]]] = [
        (_COUNTERS, {"a": start, "b": end}),
        (_DAILY_ACTIVE, {"a": start, "b": end, "metric": ACTIVE_METRIC}),
        (_WINDOWS, {"last": end})]
    if single:
        statements.append((_CREATORS_BY_DAY, {"metric": CREATORS_METRIC, "days": single}))
    if spans:
        statements.append((_DISTINCT, {"starts": [a for a, _ in spans],
                                       "ends": [b for _, b in spans]}))
    statements.append((_COHORTS, {"a": start, "b": end}))
    return statements + programme_statements(start, end, tz, [*bounds, (start, end)])


async def _counters(s: AsyncSession, start: date, end: date) -> dict[date, dict[str, int]]:
    rows = await s.execute(text(_COUNTERS), {"a": start, "b": end})
    by_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, metric, value in rows:
        by_day[day][metric] = int(value)
    return by_day


async def _daily_active(s: AsyncSession, start: date, end: date) -> dict[date, int]:
    """DAU per day: the `members.active` counter, bumped when an activity day is recorded."""
    rows = await s.execute(text(_DAILY_ACTIVE), {"a": start, "b": end, "metric": ACTIVE_METRIC})
    return {day: int(n) for day, n in rows}


async def _windows(s: AsyncSession, ends: list[date]) -> dict[date, tuple[int, int]]:
    """(WAU, MAU) for the 7 and 30 days ending on each day of `ends`: running sums of the
    maintained difference array (`domain.analytics.activity`), a few rows per day of history."""
    rows = await s.execute(text(_WINDOWS), {"last": max(ends)})
    running: dict[int, list[tuple[date, int]]] = {w: [] for w in WINDOWS}
    for day, size, total in rows:
        running[size].append((day, int(total)))
    days = {w: [d for d, _ in running[w]] for w in WINDOWS}

    def at(size: int, day: date) -> int:
        i = bisect_right(days[size], day)
        return running[size][i - 1][1] if i else 0

    wau, mau = WINDOWS
    return {e: (at(wau, e), at(mau, e)) for e in set(ends)}


async def _distinct_active(s: AsyncSession, bounds: list[tuple[date, date]],
                           daily: dict[date, int]) -> dict[tuple[date, date], tuple[int, int]]:
    """(active members, content creators) distinct over each (start, end). A one-day range
    reads the daily counters; a longer one sums the members whose previous active day is
    before the range over its days (`activity_gaps`), and counts its creators' rows."""
    result: dict[tuple[date, date], tuple[int, int]] = {}
    single = [a for a, b in bounds if a == b]
    if single:
        rows = await s.execute(text(_CREATORS_BY_DAY), {"metric": CREATORS_METRIC, "days": single})
        creators = {day: int(n) for day, n in rows}
        for day in single:
            result[(day, day)] = (daily.get(day, 0), creators.get(day, 0))
    spans = [(a, b) for a, b in bounds if a != b]
    if spans:
        rows = await s.execute(text(_DISTINCT),
            {"starts": [a for a, _ in spans], "ends": [b for _, b in spans]})
        for a, b, active, creators in rows:
            result[(a, b)] = (int(active), int(creators))
    return result


async def _cohorts(s: AsyncSession, start: date, end: date) -> list[tuple[date, int, int, int, int]]:
    """(cohort day, size, retained D1, D7, D30) from the maintained `cohort_retention`."""
    rows = await s.execute(text(_COHORTS), {"a": start, "b": end})
    return [(day, int(size), int(d1), int(d7), int(d30)) for day, size, d1, d7, d30 in rows]


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _bucket(start: date, end: date, counters: dict[date, dict[str, int]], daily: dict[date, int],
            windows: dict[date, tuple[int, int]], distinct: dict[tuple[date, date], tuple[int, int]],
            minimum: int) -> Bucket:
    total: dict[str, int] = defaultdict(int)
    days = (end - start).days + 1
    for offset in range(days):
        for metric, value in counters.get(start + timedelta(offset), {}).items():
            total[metric] += value
    dau = sum(daily.get(start + timedelta(o), 0) for o in range(days)) / days
    wau, mau = windows.get(end, (0, 0))
    active, creators = distinct.get((start, end), (0, 0))
    responses = total[Metric.NPS_RESPONSES]
    views, clicks = total[Metric.events("VIEW")], total[Metric.events("CLICK")]
    return Bucket(
        start=start, end=end, dau=round(dau, 2), wau=wau, mau=mau,
        stickiness=_rounded(_ratio(dau, mau)), new_members=total[Metric.NEW_MEMBERS],
        posts_created=total[Metric.POSTS], comments_created=total[Metric.COMMENTS],
        reactions_added=total[Metric.REACTIONS], posts_shared=total[Metric.SHARES],
        ugc_rate=_rounded(_ratio(creators, active)), views=views, clicks=clicks,
        feed_ctr=_rounded(_ratio(clicks, views)),
        average_dwell_ms=_rounded(_ratio(total[Metric.DWELL_MS], total[Metric.events("DWELL")])),
        nps=(round(100 * (total[Metric.NPS_PROMOTERS] - total[Metric.NPS_DETRACTORS]) / responses, 1)
             if responses >= minimum else None),
        nps_responses=responses)


def _with_programme(bucket: Bucket, programme: ProgrammeCounts, daily: dict[date, int],
                    distinct: dict[tuple[date, date], tuple[int, int]]) -> Bucket:
    a, b = bucket.start, bucket.end
    active_days = sum(daily.get(a + timedelta(o), 0) for o in range((b - a).days + 1))
    check_in, participation, redemption = programme_rates(
        programme, a, b, active_days, distinct.get((a, b), (0, 0))[0])
    return dataclasses.replace(bucket, check_in_rate=check_in,
                               challenge_participation_rate=participation,
                               coupon_redemption_rate=redemption)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _add_retention(report: EngagementReport, cohorts: list[tuple[date, int, int, int, int]],
                   today: date, minimum: int) -> None:
    sums = {1: [0, 0], 7: [0, 0], 30: [0, 0]}
    for day, size, d1, d7, d30 in cohorts:
        if size < minimum:
            continue  # a breakdown group never shows fewer than `minimum` members
        rates: dict[int, float | None] = {}
        for n, kept in ((1, d1), (7, d7), (30, d30)):
            if day + timedelta(n) < today:
                rates[n] = round(kept / size, 4)
                sums[n][0] += kept
                sums[n][1] += size
            else:
                rates[n] = None
        report.cohorts.append(CohortRetention(day, size, rates[1], rates[7], rates[30]))
    report.retention_d1 = _rounded(_ratio(*sums[1]))
    report.retention_d7 = _rounded(_ratio(*sums[7]))
    report.retention_d30 = _rounded(_ratio(*sums[30]))


CSV_COLUMNS = [f.name for f in fields(Bucket)]


def report_csv(report: EngagementReport) -> str:
    """One row per bucket, then a blank line and one row per signup cohort."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for bucket in report.buckets:
        writer.writerow([csv_cell(getattr(bucket, name)) for name in CSV_COLUMNS])
    writer.writerow([])
    writer.writerow(["cohort_day", "size", "retention_d1", "retention_d7", "retention_d30"])
    for c in report.cohorts:
        writer.writerow([c.cohort_day.isoformat(), c.size, csv_cell(c.d1), csv_cell(c.d7), csv_cell(c.d30)])
    return out.getvalue()
