"""Unit of work: one transaction per use case, with its events and the reward it earned.

    async with uow_factory() as uow:
        ...                         # statements on uow.session
        await uow.publish(event)    # handlers run now, in this transaction
        await uow.commit()          # rows, ledger and outbox rows commit together

Leaving the block without `commit()` rolls everything back, events included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rally.events import DomainEvent, MessageBus
from rally.reward import Reward
from rally.settings import Settings

# unnest keeps the events' order: the outbox ids follow it.
_OUTBOX_INSERT = text(
    "INSERT INTO outbox (topic, payload) SELECT t, CAST(p AS jsonb) FROM "
    "unnest(CAST(:topics AS varchar[]), CAST(:payloads AS text[])) WITH ORDINALITY AS u(t, p, i) "
    "ORDER BY i")


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: MessageBus,
        settings: Settings,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._on_commit = on_commit
        self.settings = settings
        self.events: list[DomainEvent] = []
        self.reward = Reward()
        self._after_commit: list[Callable[[], Any]] = []
        self._before_commit: dict[str, Callable[[], Awaitable[None]]] = {}
        self._committed = False
        self._now: datetime | None = None

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        await self.session.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                # Detach first: objects read by a read-only use case stay usable after it.
                self.session.expunge_all()
                await self.session.rollback()
        finally:
            await self.session.close()

    async def now(self) -> datetime:
        """The transaction's timestamp: one instant for every row this use case writes."""
        if self._now is None:
            self._now = (await self.session.execute(text("SELECT now()"))).scalar_one()
        return self._now

    def know_now(self, now: datetime) -> None:
        """`now()` as a statement of this transaction returned it (a `created_at` default):
        handlers that ask for `now()` then need no round trip."""
        if self._now is None:
            self._now = now

    async def publish(self, event: DomainEvent) -> None:
        self.events.append(event)
        await self._bus.dispatch(self, event)

    def after_commit(self, callback: Callable[[], Any]) -> None:
        self._after_commit.append(callback)

    def before_commit(self, key: str, callback: Callable[[], Awaitable[None]]) -> None:
        """Run `callback` once (per `key`) as the last work of the transaction, just before the
        outbox rows and the commit: a rollup that must serialize on a lock takes it there, so
        the lock is held for the shortest time and no other lock is taken after it."""
        self._before_commit.setdefault(key, callback)

    async def commit(self) -> None:
        for callback in list(self._before_commit.values()):
            await callback()
        if self.events:
            # One statement whatever the number of events, and the same text every time: a
            # multi-row Core INSERT costs a cache key and a compilation per row count.
            await self.session.execute(_OUTBOX_INSERT, {
                "topics": [e.topic for e in self.events],
                "payloads": [orjson.dumps(e.to_payload(), option=orjson.OPT_NON_STR_KEYS).decode()
                             for e in self.events]})
        await self.session.commit()
        self._committed = True
        if self.events and self._on_commit is not None:
            self._on_commit()
        for callback in self._after_commit:
            callback()


class UnitOfWorkFactory:
    """Builds units of work sharing the engine's sessions, the bus and the settings."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: MessageBus,
        settings: Settings,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.settings = settings
        self.on_commit = on_commit

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.bus, self.settings, self.on_commit)
