"""`trackEvents`: validate a batch, keep each (member, clientEventId) once, append the raw
events and count them into the rollups — one transaction, a fixed number of statements
whatever the batch size."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert

from domain.analytics.models import TrackedEventKey, tracked_events
from domain.analytics.partitions import PartitionKeeper
from domain.analytics.rollups import Metric, add_counts, mark_active
from domain.analytics.rules import (
    EventKind,
    TrackedEvent,
    check_batch_size,
    check_event,
    unique_by_client_id,
)
from domain.experiments.conversions import convert_from_events
from domain.privacy.service import Purpose, is_granted
from rally import idempotency
from rally.clock import brand_day
from rally.db import utcnow
from rally.uow import UnitOfWork, UnitOfWorkFactory

OPERATION = "trackEvents"


@dataclass(frozen=True)
class TrackResult:
    accepted: int  # newly stored
    duplicates: int  # already stored earlier (or repeated within the batch)
    consent_withheld: bool  # nothing stored: the member withdrew analytics consent


class TrackingService:
    def __init__(self, uow: UnitOfWorkFactory, partitions: PartitionKeeper) -> None:
        self._uow = uow
        self._partitions = partitions

    async def track(self, member_id: int, events: list[TrackedEvent],
                    idempotency_key: str | None = None, now: datetime | None = None) -> TrackResult:
        """`now` is the receiving clock; only the demo data passes one (to replay past days)."""
        settings = self._uow.settings
        check_batch_size(len(events), settings)
        now = now or utcnow()
        for index, event in enumerate(events):
            check_event(event, index, now, settings)
        unique = unique_by_client_id(events)
        await self._partitions.ensure_months([e.occurred_at for e in unique])
        async with self._uow() as uow:
            if not await is_granted(uow.session, settings, member_id, Purpose.ANALYTICS):
                return TrackResult(0, 0, consent_withheld=True)
            if idempotency_key is not None:
                request = {"events": [_fingerprintable(e) for e in events]}
                stored = await idempotency.claim(uow, member_id, OPERATION, idempotency_key, request)
                if stored is not None:
                    return TrackResult(**stored)
            fresh = await self._store(uow, member_id, unique, now)
            result = TrackResult(len(fresh), len(events) - len(fresh), consent_withheld=False)
            if idempotency_key is not None:
                await idempotency.remember(uow, member_id, OPERATION, idempotency_key, asdict(result))
            await uow.commit()
            return result

    async def _store(self, uow: UnitOfWork, member_id: int, events: list[TrackedEvent],
                     now: datetime) -> list[TrackedEvent]:
        if not events:
            return []
        claimed = await uow.session.execute(
            pg_insert(TrackedEventKey)
            .values([{"member_id": member_id, "client_event_id": e.client_event_id,
                      "occurred_at": e.occurred_at} for e in events])
            .on_conflict_do_nothing()
            .returning(TrackedEventKey.client_event_id))
        fresh_ids = set(claimed.scalars().all())
        fresh = [e for e in events if e.client_event_id in fresh_ids]
        if not fresh:
            return []
        await uow.session.execute(insert(tracked_events), [
            {"member_id": member_id, "client_event_id": e.client_event_id, "kind": e.kind.value,
             "target_type": e.target_type, "target_id": e.target_id, "duration_ms": e.duration_ms,
             "occurred_at": e.occurred_at, "received_at": now, "context": e.context}
            for e in fresh])
        await self._count(uow, member_id, fresh)
        await convert_from_events(uow, member_id, _last_by_kind(fresh))
        return fresh

    async def _count(self, uow: UnitOfWork, member_id: int, events: list[TrackedEvent]) -> None:
        tz = uow.settings.tz
        counts: Counter[tuple[date, str]] = Counter()
        days = set()
        for e in events:
            day = brand_day(e.occurred_at, tz)
            days.add(day)
            counts[(day, Metric.events(e.kind.value))] += 1
            if e.kind is EventKind.DWELL and e.duration_ms is not None:
                counts[(day, Metric.DWELL_MS)] += e.duration_ms
        await add_counts(uow, counts, member_id)
        await mark_active(uow, member_id, days)


def _last_by_kind(events: list[TrackedEvent]) -> dict[str, datetime]:
    last: dict[str, datetime] = {}
    for e in events:
        if e.kind.value not in last or e.occurred_at > last[e.kind.value]:
            last[e.kind.value] = e.occurred_at
    return last


def _fingerprintable(event: TrackedEvent) -> dict[str, Any]:
    return {"id": event.client_event_id, "kind": event.kind.value, "type": event.target_type,
            "target": event.target_id, "ms": event.duration_ms,
            "at": event.occurred_at.isoformat(), "context": event.context}
