"""Monthly partitions of `tracked_events`, created ahead and dropped when expired.

Why range partitioning by month (rather than one table with a BRIN index): at hundreds of
millions of rows the retention job must remove old data without a table-wide DELETE (which
bloats the table and the WAL); dropping a whole month is a catalogue operation. Each
partition is small enough for its (member_id, occurred_at) B-tree to stay in memory for the
recent months, and queries with an `occurred_at` range only touch their months.

Partitions are named `tracked_event_partitions.tracked_events_yYYYYmMM` and bounded by UTC
months. They live in their own schema so the model-vs-migration comparison (which reads the
public schema) sees only the parent table. No DEFAULT partition: it would have to be
scanned whenever a new month is attached; instead every writer makes sure the months it
writes exist (`ensure_months`), the migration creates the current ones, and `rally
retention` creates the coming months ahead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from rally.clock import month_start, next_month_start

SCHEMA = "tracked_event_partitions"
PARENT = "public.tracked_events"


def partition_name(month: date) -> str:
    return f"tracked_events_y{month.year:04d}m{month.month:02d}"


def create_partition_sql(month: date) -> str:
    start = month_start(month)
    end = next_month_start(month)
    return (f'CREATE TABLE IF NOT EXISTS {SCHEMA}."{partition_name(start)}" PARTITION OF '
            f"{PARENT} FOR VALUES FROM ('{start.isoformat()} 00:00:00+00') "
            f"TO ('{end.isoformat()} 00:00:00+00')")


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month_start(month)
    return months


class PartitionKeeper:
    """Creates missing months on its own short transaction, once per month per process."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._known: set[date] = set()

    async def ensure_months(self, moments: list[datetime]) -> None:
        missing = {month_start(m.astimezone(UTC).date()) for m in moments} - self._known
        if not missing:
            return
        async with self._engine.begin() as conn:
            await create_months(conn, sorted(missing))
        self._known |= missing

    def forget(self) -> None:
        self._known.clear()


async def create_months(conn: AsyncConnection, months: list[date]) -> None:
    # One creator at a time: two processes racing on the same new month would otherwise
    # collide on the catalogue even with IF NOT EXISTS.
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('tracked_events_partitions'))"))
    for month in months:
        await conn.execute(text(create_partition_sql(month)))


async def existing_months(conn: AsyncConnection) -> list[date]:
    rows = await conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.oid = 'public.tracked_events'::regclass"))
    months = []
    for (name,) in rows:
        year, month = name.removeprefix("tracked_events_y").split("m")
        months.append(date(int(year), int(month), 1))
    return sorted(months)
