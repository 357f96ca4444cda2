"""Domain events and the in-process bus that runs their handlers inside the same transaction.

A service publishes an event on its unit of work; handlers registered for that event type
(gamification awarding points, campaigns counting progress) run at once, in the same
transaction, and the event is written to the outbox so it is announced after commit.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from rally.uow import UnitOfWork


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. `topic` names it in the outbox and on the pub/sub channel."""

    topic: ClassVar[str] = "event"

    def to_payload(self) -> dict[str, Any]:
        return {f.name: _json_safe(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[["UnitOfWork", Any], Awaitable[None]]


class MessageBus:
    """Maps event types to handlers; the composition root registers them at start-up."""

    def __init__(self) -> None:
        self._handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if handler not in self._handlers[event_type]:
                self._handlers[event_type].append(handler)
            return handler

        return register

    async def dispatch(self, uow: UnitOfWork, event: DomainEvent) -> None:
        for event_type in type(event).__mro__:
            for handler in self._handlers.get(event_type, ()):  # type: ignore[call-overload]
                await handler(uow, event)


# The one bus of the process; modules register handlers on it when they are imported.
bus = MessageBus()
