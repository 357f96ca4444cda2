"""The retention job (`rally retention`): raw events older than the configured age go,
rollups stay. Safe to run again and again: each step only removes what is still expired.

1. Create the coming months' partitions ahead (so writers never wait on DDL).
2. Drop whole monthly partitions that ended before the cutoff — no DELETE, no bloat.
3. Delete, in small batches, the expired rows of the month that straddles the cutoff.
4. Prune deduplication keys older than the tracking window (+1 day): an event that old is
   refused by `trackEvents` anyway, so its key can no longer matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.analytics.partitions import (
    SCHEMA,
    create_months,
    existing_months,
    months_between,
    partition_name,
)
from rally.clock import next_month_start
from rally.db import utcnow
from rally.settings import Settings

BATCH = 10_000
MONTHS_AHEAD = 2


@dataclass
class RetentionOutcome:
    cutoff: datetime
    dropped_partitions: list[str] = field(default_factory=list)
    deleted_events: int = 0
    pruned_keys: int = 0


async def apply_retention(engine: AsyncEngine, settings: Settings,
                          now: datetime | None = None) -> RetentionOutcome:
    now = now or utcnow()
    cutoff = now - timedelta(days=settings.raw_event_retention_days)
    outcome = RetentionOutcome(cutoff)
    today = now.astimezone(UTC).date()
    async with engine.begin() as conn:
        await create_months(conn, months_between(today, today + timedelta(days=31 * MONTHS_AHEAD)))
        for month in await existing_months(conn):
            if _month_end(month) <= cutoff:
                name = partition_name(month)
                await conn.execute(text(f'DROP TABLE IF EXISTS {SCHEMA}."{name}"'))
                outcome.dropped_partitions.append(name)
    outcome.deleted_events = await _delete_in_batches(
        engine, "tracked_events", "occurred_at < :cutoff", {"cutoff": cutoff})
    key_cutoff = now - timedelta(days=settings.track_max_age_days + 1)
    outcome.pruned_keys = await _delete_in_batches(
        engine, "tracked_event_keys", "occurred_at < :cutoff", {"cutoff": key_cutoff})
    return outcome


def _month_end(month: date) -> datetime:
    return datetime.combine(next_month_start(month), datetime.min.time(), tzinfo=UTC)


async def _delete_in_batches(engine: AsyncEngine, table: str, condition: str,
                             params: dict[str, object]) -> int:
    """Short transactions of at most BATCH rows, so the job never holds long locks."""
    total = 0
    # ctid is only unique within one partition, hence (tableoid, ctid).
    statement = text(f"DELETE FROM {table} WHERE {condition} AND (tableoid, ctid) IN ("
                     f"SELECT tableoid, ctid FROM {table} WHERE {condition} LIMIT {BATCH})")
    while True:
        async with engine.begin() as conn:
            deleted = (await conn.execute(statement, params)).rowcount
        total += deleted
        if deleted < BATCH:
            return total
