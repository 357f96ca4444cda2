"""`trackEvents`: validate a batch, keep each (member, clientEventId) once, append the raw
events and count them into the rollups — one transaction, a fixed number of statements
whatever the batch size."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import text

from domain.analytics.partitions import PartitionKeeper
from domain.analytics.rollups import Metric, add_counts, mark_active
from domain.analytics.rules import (
    EventKind,
    TrackedEvent,
    check_batch_size,
    check_event,
    unique_by_client_id,
)
from domain.analytics.targets import check_targets
from domain.events import BehaviourTracked
from domain.experiments.conversions import convert_from_events
from domain.privacy.service import Purpose, is_granted
from rally import idempotency
from rally.clock import brand_day
from rally.db import utcnow
from rally.uow import UnitOfWork, UnitOfWorkFactory

OPERATION = "trackEvents"

# One round trip: claim each (member, clientEventId) and append only the events whose key
# was new. Arrays keep the statement text constant (prepared once per connection).
_STORE = text("""
WITH batch AS (
  SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:kinds AS text[]), CAST(:types AS text[]),
                       CAST(:targets AS bigint[]), CAST(:durations AS integer[]),
                       CAST(:ats AS timestamptz[]), CAST(:contexts AS text[]))
    AS b(client_event_id, kind, target_type, target_id, duration_ms, occurred_at, context)
), claimed AS (
  INSERT INTO tracked_event_keys (member_id, client_event_id, occurred_at)
  SELECT :member_id, client_event_id, occurred_at FROM batch
  ON CONFLICT DO NOTHING
  RETURNING client_event_id
), stored AS (
  INSERT INTO tracked_events (member_id, client_event_id, kind, target_type, target_id,
                              duration_ms, occurred_at, received_at, context)
  SELECT :member_id, b.client_event_id, b.kind, b.target_type, b.target_id, b.duration_ms,
         b.occurred_at, :received_at, CAST(b.context AS jsonb)
  FROM batch b JOIN claimed c USING (client_event_id)
)
SELECT client_event_id FROM claimed
""")


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
            await check_targets(uow.session, member_id, events)
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
        claimed = await uow.session.execute(_STORE, {
            "member_id": member_id, "received_at": now,
            "ids": [e.client_event_id for e in events], "kinds": [e.kind.value for e in events],
            "types": [e.target_type for e in events], "targets": [e.target_id for e in events],
            "durations": [e.duration_ms for e in events],
            "ats": [e.occurred_at for e in events],
            "contexts": [None if e.context is None else orjson.dumps(e.context).decode()
                         for e in events]})
        fresh_ids = set(claimed.scalars().all())
        fresh = [e for e in events if e.client_event_id in fresh_ids]
        if fresh:
            await self._count(uow, member_id, fresh)
            await convert_from_events(uow, member_id, _last_by_kind(fresh))
            await _announce_behaviour(uow, member_id, fresh)
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


async def _announce_behaviour(uow: UnitOfWork, member_id: int,
                              events: list[TrackedEvent]) -> None:
    """Clicks and long reads of posts teach personalization what the member likes."""
    signals = [{"kind": e.kind.value, "post_id": e.target_id, "duration_ms": e.duration_ms,
                "occurred_at": e.occurred_at}
               for e in events
               if e.target_type == "Post" and e.kind in (EventKind.CLICK, EventKind.DWELL)]
    if signals:
        await uow.publish(BehaviourTracked(member_id=member_id, signals=signals))


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
