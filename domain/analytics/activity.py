"""Exact rolling active-member counts (WAU, MAU), distinct actives over any range, daily
actives and cohort retention — maintained when a member's activity day is first recorded,
so reports read a few hundred small rows instead of counting distinct members.

The idea: each `member_activity_days` row keeps `prev_day`, the member's previous active day.
A member is counted once in the window [e − W + 1, e] through the *first* of his active days
in it, i.e. the row (day, prev_day) with prev_day < e − W + 1 ≤ day ≤ e. That row therefore
counts for the window ends e in [max(day, prev_day + W), day + W − 1]: a contiguous range,
stored as a difference array (`active_window_deltas`: +1 at its first end, −1 after its last).
WAU/MAU of a day is the running sum of the deltas up to it. Distinct members active over an
arbitrary range [a, b] are the rows in it with prev_day < a: `activity_gaps` counts the rows per
(day, prev_day), a few hundred per day, so that is a sum over them (no DISTINCT, no row scan).

A new day between two existing ones (a tracked event up to 7 days late) changes the successor's
prev_day, hence its range: the statement below recomputes the rows from the first new day on
and books the difference. Two transactions of the same member must not compute from the same
stale neighbours, so the work runs at the end of the transaction (`before_commit`) under a
per-member advisory lock, taken by its own statement so the next one's snapshot already sees
what the previous holder committed. Nothing is approximate.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from rally.uow import UnitOfWork

WINDOWS = (7, 30)
RETENTION_OFFSETS = (1, 7, 30)
SHARDS = 16
LOCK_CLASS = 1095  # advisory lock namespace of the activity ledger (two-int form)

# `activity_gaps.prev_day` of a member's first active day (a key cannot be null).
FIRST_EVER = "1900-01-01"

ACTIVE_METRIC = "members.active"
CREATORS_METRIC = "members.creators"


@dataclass
class _Pending:
    fresh: set[tuple[int, date]] = field(default_factory=set)
    counts: Counter[tuple[date, str, int]] = field(default_factory=Counter)


_pending: weakref.WeakKeyDictionary[UnitOfWork, _Pending] = weakref.WeakKeyDictionary()


def note_marked(uow: UnitOfWork, member_id: int, rows: list[tuple[date, bool, bool]]) -> None:
    """Rows an activity upsert returned — (day, inserted, created_content): a row comes back
    when it was inserted or when it became a content creator's day."""
    if not rows:
        return
    pending = _pending.get(uow)
    if pending is None:
        pending = _pending[uow] = _Pending()
        uow.before_commit("analytics.activity", lambda: _flush(uow))
    shard = member_id % SHARDS
    for day, inserted, created in rows:
        if inserted:
            pending.fresh.add((member_id, day))
            pending.counts[(day, ACTIVE_METRIC, shard)] += 1
        if created:
            pending.counts[(day, CREATORS_METRIC, shard)] += 1


_LOCK = text("SELECT count(pg_advisory_xact_lock(:cls, CAST(m % 2147483647 AS integer))) "
             "FROM unnest(CAST(:members AS bigint[])) AS u(m)")

# Constant text over arrays (prepared once per connection). See the module docstring.
_BOOK = text(f"""
WITH fresh AS (
  SELECT member_id, day FROM unnest(CAST(:members AS bigint[]), CAST(:days AS date[]))
    AS f(member_id, day)
), starts AS (
  SELECT member_id, min(day) AS first_new FROM fresh GROUP BY member_id
), region AS (
  SELECT a.member_id, a.day, a.prev_day, s.first_new,
         lag(a.day) OVER (PARTITION BY a.member_id ORDER BY a.day) AS new_prev
  FROM starts s
  JOIN member_activity_days a ON a.member_id = s.member_id
   AND a.day >= COALESCE((SELECT max(p.day) FROM member_activity_days p
                          WHERE p.member_id = s.member_id AND p.day < s.first_new), s.first_new)
), changed AS (
  SELECT r.member_id, r.day, r.prev_day, r.new_prev, f.day IS NOT NULL AS is_new
  FROM region r LEFT JOIN fresh f ON f.member_id = r.member_id AND f.day = r.day
  WHERE r.day >= r.first_new AND (f.day IS NOT NULL OR r.prev_day IS DISTINCT FROM r.new_prev)
), moved AS (
  UPDATE member_activity_days a SET prev_day = c.new_prev
  FROM changed c
  WHERE a.member_id = c.member_id AND a.day = c.day AND a.prev_day IS DISTINCT FROM c.new_prev
), spans AS (
  SELECT c.member_id % {SHARDS} AS shard, w.size, v.sign,
         greatest(c.day, v.prev + w.size) AS first_end, c.day + w.size - 1 AS last_end
  FROM changed c
  CROSS JOIN (VALUES {", ".join(f"({w})" for w in WINDOWS)}) AS w(size)
  CROSS JOIN LATERAL (VALUES (c.new_prev, 1), (c.prev_day, -1)) AS v(prev, sign)
  WHERE v.sign = 1 OR NOT c.is_new
), gaps AS (
  INSERT INTO activity_gaps (day, prev_day, shard, members)
  SELECT c.day, coalesce(v.prev, DATE '{FIRST_EVER}'), c.member_id % {SHARDS}, sum(v.sign)
  FROM changed c
  CROSS JOIN LATERAL (VALUES (c.new_prev, 1), (c.prev_day, -1)) AS v(prev, sign)
  WHERE v.sign = 1 OR NOT c.is_new
  GROUP BY 1, 2, 3 HAVING sum(v.sign) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (day, prev_day, shard) DO UPDATE SET members = activity_gaps.members + excluded.members
), deltas AS (
  SELECT first_end AS day, size, shard, sign AS value FROM spans WHERE first_end <= last_end
  UNION ALL
  SELECT last_end + 1, size, shard, -sign FROM spans WHERE first_end <= last_end
), retained AS (
  INSERT INTO cohort_retention (cohort_day, offset_days, shard, retained)
  SELECT s.day, f.day - s.day, f.member_id % {SHARDS}, count(*)
  FROM fresh f JOIN member_signups s ON s.member_id = f.member_id
  WHERE f.day - s.day IN ({", ".join(str(n) for n in RETENTION_OFFSETS)})
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (cohort_day, offset_days, shard)
  DO UPDATE SET retained = cohort_retention.retained + excluded.retained
), counted AS (
  INSERT INTO daily_counters (day, metric, shard, value)
  SELECT * FROM unnest(CAST(:c_days AS date[]), CAST(:c_metrics AS text[]),
                       CAST(:c_shards AS smallint[]), CAST(:c_values AS bigint[]))
  ON CONFLICT (day, metric, shard) DO UPDATE SET value = daily_counters.value + excluded.value
)
INSERT INTO active_window_deltas (day, window_days, shard, value)
SELECT day, size, shard, sum(value) FROM deltas
GROUP BY 1, 2, 3 HAVING sum(value) <> 0 ORDER BY 1, 2, 3
ON CONFLICT (day, window_days, shard)
DO UPDATE SET value = active_window_deltas.value + excluded.value
""")


async def _flush(uow: UnitOfWork) -> None:
    pending = _pending.pop(uow, None)
    if pending is None:
        return
    fresh = sorted(pending.fresh)
    counts = sorted(pending.counts.items())
    if fresh:
        members = sorted({m for m, _ in fresh})  # one order for every transaction: no deadlock
        await uow.session.execute(_LOCK, {"cls": LOCK_CLASS, "members": members})
    await uow.session.execute(_BOOK, {
        "members": [m for m, _ in fresh], "days": [d for _, d in fresh],
        "c_days": [k[0] for k, _ in counts], "c_metrics": [k[1] for k, _ in counts],
        "c_shards": [k[2] for k, _ in counts], "c_values": [n for _, n in counts]})


# Rebuilds every rollup above from `member_activity_days` and `member_signups`: the migration
# that introduced them runs it, and so does the metrics benchmark after seeding the ledger
# (the same result the per-action maintenance reaches, in a few set-based statements).
BACKFILL = [
    """UPDATE member_activity_days a SET prev_day = l.prev
       FROM (SELECT member_id, day,
                    lag(day) OVER (PARTITION BY member_id ORDER BY day) AS prev
             FROM member_activity_days) l
       WHERE a.member_id = l.member_id AND a.day = l.day
         AND a.prev_day IS DISTINCT FROM l.prev""",
    "DELETE FROM active_window_deltas",
    f"""INSERT INTO active_window_deltas (day, window_days, shard, value)
        SELECT day, size, shard, sum(value) FROM (
          SELECT greatest(a.day, a.prev_day + w.size) AS day, w.size,
                 a.member_id % {SHARDS} AS shard, 1 AS value
          FROM member_activity_days a
          CROSS JOIN (VALUES {", ".join(f"({w})" for w in WINDOWS)}) AS w(size)
          WHERE greatest(a.day, a.prev_day + w.size) <= a.day + w.size - 1
          UNION ALL
          SELECT a.day + w.size, w.size, a.member_id % {SHARDS}, -1
          FROM member_activity_days a
          CROSS JOIN (VALUES {", ".join(f"({w})" for w in WINDOWS)}) AS w(size)
          WHERE greatest(a.day, a.prev_day + w.size) <= a.day + w.size - 1
        ) d GROUP BY 1, 2, 3 HAVING sum(value) <> 0""",
    "DELETE FROM activity_gaps",
    f"""INSERT INTO activity_gaps (day, prev_day, shard, members)
        SELECT day, coalesce(prev_day, DATE '{FIRST_EVER}'), member_id % {SHARDS}, count(*)
        FROM member_activity_days GROUP BY 1, 2, 3""",
    "DELETE FROM cohort_retention",
    f"""INSERT INTO cohort_retention (cohort_day, offset_days, shard, retained)
        SELECT s.day, a.day - s.day, a.member_id % {SHARDS}, count(*)
        FROM member_signups s JOIN member_activity_days a ON a.member_id = s.member_id
        WHERE a.day - s.day IN ({", ".join(str(n) for n in RETENTION_OFFSETS)})
        GROUP BY 1, 2, 3""",
    f"DELETE FROM daily_counters WHERE metric IN ('{ACTIVE_METRIC}', '{CREATORS_METRIC}')",
    f"""INSERT INTO daily_counters (day, metric, shard, value)
        SELECT day, '{ACTIVE_METRIC}', 0, count(*) FROM member_activity_days GROUP BY day
        UNION ALL
        SELECT day, '{CREATORS_METRIC}', 0, count(*) FROM member_activity_days
        WHERE created_content GROUP BY day""",
]
