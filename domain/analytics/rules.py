"""Validation of tracked events: pure rules, so they are tested without servers.

A batch is refused as a whole when one event is invalid (the error names its index), so
a client fixes its batch instead of losing part of it silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson

from rally.errors import InvalidInput
from rally.settings import Settings


class EventKind(StrEnum):
    VIEW = "VIEW"
    CLICK = "CLICK"
    DWELL = "DWELL"
    SHARE = "SHARE"
    SEARCH = "SEARCH"


# Global id types a tracked event may point at. Whether the object exists is not checked
# yet: posts, challenges and rewards belong to modules built on other branches.
TRACKABLE_TYPES = ("Post", "Comment", "User", "Challenge", "Reward", "Badge", "Campaign")
NEEDS_TARGET = {EventKind.VIEW, EventKind.CLICK, EventKind.DWELL, EventKind.SHARE}
MAX_CLIENT_EVENT_ID = 64


@dataclass(frozen=True)
class TrackedEvent:
    """One event as the client sent it, with its target already decoded."""

    client_event_id: str
    kind: EventKind
    target_type: str | None
    target_id: int | None
    duration_ms: int | None
    occurred_at: datetime
    context: dict[str, Any] | None


def check_batch_size(count: int, settings: Settings) -> None:
    if count > settings.track_max_events_per_call:
        raise InvalidInput(f"at most {settings.track_max_events_per_call} events per call",
                           field="events", maximum=settings.track_max_events_per_call)


def check_event(event: TrackedEvent, index: int, now: datetime, settings: Settings) -> None:
    def refuse(message: str, field: str) -> InvalidInput:
        return InvalidInput(f"event {index}: {message}", field=f"events.{index}.{field}",
                            index=index)

    if not 1 <= len(event.client_event_id) <= MAX_CLIENT_EVENT_ID:
        raise refuse(f"clientEventId must be 1–{MAX_CLIENT_EVENT_ID} characters", "clientEventId")
    if event.kind in NEEDS_TARGET and event.target_id is None:
        raise refuse(f"a {event.kind.value} event needs a targetId", "targetId")
    if event.occurred_at.tzinfo is None:
        raise refuse("occurredAt needs a time zone offset", "occurredAt")
    if event.occurred_at > now + timedelta(seconds=settings.track_clock_skew_seconds):
        raise refuse("occurredAt is in the future", "occurredAt")
    if event.occurred_at < now - timedelta(days=settings.track_max_age_days):
        raise refuse(f"occurredAt is older than {settings.track_max_age_days} days", "occurredAt")
    _check_duration(event, refuse, settings)
    if event.context is not None and (
            len(orjson.dumps(event.context)) > settings.track_max_context_bytes):
        raise refuse(f"context is larger than {settings.track_max_context_bytes} bytes", "context")


def _check_duration(event: TrackedEvent, refuse: Any, settings: Settings) -> None:
    if event.kind is EventKind.DWELL and event.duration_ms is None:
        raise refuse("a DWELL event needs durationMs", "durationMs")
    if event.duration_ms is not None and not 0 <= event.duration_ms <= settings.track_max_duration_ms:
        raise refuse(f"durationMs must be between 0 and {settings.track_max_duration_ms}",
                     "durationMs")


def unique_by_client_id(events: list[TrackedEvent]) -> list[TrackedEvent]:
    """The first of each clientEventId within one batch."""
    seen: set[str] = set()
    unique = []
    for event in events:
        if event.client_event_id not in seen:
            seen.add(event.client_event_id)
            unique.append(event)
    return unique
