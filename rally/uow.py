"""Unit of work: one transaction per use case, with its events and the reward it earned.

    async with uow_factory() as uow:
        ...                         # statements on uow.session
        await uow.publish(event)    # handlers run now, in this transaction
        await uow.commit()          # rows, ledger and outbox rows commit together

Leaving the block without `commit()` rolls everything back, events included.

The transaction lives on one pooled connection. The hot paths' fixed statements run on its
asyncpg driver (`fetchrow`, `fetch`, `fetchval`, `execute` with `rally.sql.Sql`); everything
else uses `uow.session`, an ORM session made on first use and joined to the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from rally.events import DomainEvent, MessageBus
from rally.reward import Reward
from rally.settings import Settings
from rally.sql import Row, Sql, json_text

# unnest keeps the events' order: the outbox ids follow it.
_OUTBOX_INSERT = Sql(
    "INSERT INTO outbox (topic, payload) SELECT t, CAST(p AS jsonb) FROM "
    "unnest(CAST(:topics AS varchar[]), CAST(:payloads AS text[])) WITH ORDINALITY AS u(t, p, i) "
    "ORDER BY i")
_NOW = Sql("SELECT now()")

StatementObserver = Callable[[str], None]


class UnitOfWork:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        bus: MessageBus,
        settings: Settings,
        on_commit: Callable[[], None] | None = None,
        observers: list[StatementObserver] | None = None,
    ) -> None:
        self._sessions = sessions
        self._bus = bus
        self._on_commit = on_commit
        self._observers = observers
        self.settings = settings
        self.events: list[DomainEvent] = []
        self.reward = Reward()
        self._after_commit: list[Callable[[], Any]] = []
        self._before_commit: dict[str, Callable[[], Awaitable[None]]] = {}
        self._committed = False
        self._now: datetime | None = None
        self._session: AsyncSession | None = None
        self._driver: asyncpg.Connection | None = None

    async def __aenter__(self) -> UnitOfWork:
        engine: AsyncEngine = self._sessions.kw["bind"]
        self._connection: AsyncConnection = await engine.connect()
        await self._connection.begin()
        return self

    @property
    def session(self) -> AsyncSession:
        """The ORM session of this transaction (made on first use: many use cases need none)."""
        if self._session is None:
            self._session = self._sessions(bind=self._connection,
                                           join_transaction_mode="control_fully")
        return self._session

    async def _driver_connection(self) -> asyncpg.Connection:
        if self._driver is None:
            adapted = (await self._connection.get_raw_connection()).dbapi_connection
            # SQLAlchemy 2.1's asyncpg adapter sends BEGIN lazily, with its first statement;
            # ours may come first, so begin as it would (pinned <2.2 for these two names).
            if adapted._transaction is None:  # type: ignore[union-attr]
                await adapted._start_transaction()  # type: ignore[union-attr]
            self._driver = adapted._connection  # type: ignore[union-attr]
        return self._driver

    async def _arguments(self, statement: Sql, params: Mapping[str, Any] | None
                         ) -> tuple[asyncpg.Connection, list[Any]]:
        if self._observers:
            for observe in self._observers:
                observe(statement.text)
        return await self._driver_connection(), statement.arguments(params or {})

    async def fetchrow(self, statement: Sql, params: Mapping[str, Any] | None = None
                       ) -> Row | None:
        connection, arguments = await self._arguments(statement, params)
        return await connection.fetchrow(statement.text, *arguments, record_class=Row)

    async def fetch(self, statement: Sql, params: Mapping[str, Any] | None = None) -> list[Row]:
        connection, arguments = await self._arguments(statement, params)
        return await connection.fetch(statement.text, *arguments, record_class=Row)

    async def fetchval(self, statement: Sql, params: Mapping[str, Any] | None = None) -> Any:
        connection, arguments = await self._arguments(statement, params)
        return await connection.fetchval(statement.text, *arguments)

    async def execute(self, statement: Sql, params: Mapping[str, Any] | None = None) -> str:
        """Run a statement for its effect; the command tag ("UPDATE 1") tells what it did."""
        connection, arguments = await self._arguments(statement, params)
        return await connection.execute(statement.text, *arguments)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._session is not None:
                try:
                    if not self._committed:
                        # Detach first: objects read by a read-only use case stay usable.
                        self._session.expunge_all()
                        await self._session.rollback()
                finally:
                    await self._session.close()
        finally:
            await self._connection.close()  # rolls back what is still open

    async def now(self) -> datetime:
        """The transaction's timestamp: one instant for every row this use case writes."""
        if self._now is None:
            self._now = await self.fetchval(_NOW)
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
            await self.execute(_OUTBOX_INSERT, {
                "topics": [e.topic for e in self.events],
                "payloads": [json_text(e.to_payload()) for e in self.events]})
        if self._session is not None:
            await self._session.commit()  # flushes, then commits the connection's transaction
        else:
            await self._connection.commit()
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
        # Called with each statement run on the driver (tests count round trips with it).
        self.statement_observers: list[StatementObserver] = []

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.bus, self.settings, self.on_commit,
                          self.statement_observers)
