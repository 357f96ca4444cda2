"""The transactional outbox: events committed with the change that caused them, relayed after.

The relay takes rows with `FOR UPDATE SKIP LOCKED` (safe with many workers and processes),
hands each batch to the registered projectors (leaderboards writing absolute scores, the
realtime publisher…) and deletes the rows only when every projector succeeded. A crash
between commit and relay loses nothing: the next relay delivers the rows again, so
projectors must be idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import BigInteger, Identity, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapped, mapped_column

from rally.db import Base, created_at_column

log = structlog.get_logger(__name__)


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime


Projector = Callable[[Sequence[OutboxMessage]], Awaitable[None]]


class OutboxRelay:
    """One per process. Woken by this process's own commits (`kick`), and every
    `poll_seconds` for rows another process left (one that died before relaying, or a command
    that runs no relay). Not by NOTIFY: PostgreSQL serialises the commits of notifying
    transactions, which queued every write behind the previous one's commit (migration 0060)."""

    def __init__(
        self,
        engine: AsyncEngine,
        projectors: Sequence[Projector],
        batch_size: int = 500,
        poll_seconds: float = 1.0,
    ) -> None:
        self._engine = engine
        self._projectors = list(projectors)
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add_projector(self, projector: Projector) -> None:
        self._projectors.append(projector)

    def kick(self) -> None:
        """Called after a local commit of outbox rows: relay them now."""
        self._wakeup.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            # Python 3.11's wait_for can swallow a cancel that lands as the wake-up event is
            # set (a commit's kick): cancel again until the task has really ended.
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=0.1)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                # A short batch ends the round: the next kick, NOTIFY or poll starts another,
                # instead of one more transaction per wake-up only to find the table empty.
                await self.drain(until_empty=False)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; will retry")
                await asyncio.sleep(0.5)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._poll_seconds)

    async def drain(self, until_empty: bool = True) -> int:
        """Relay every pending row; returns how many were delivered. Waits for rows another
        relay is delivering (no SKIP LOCKED), so on return everything committed before the
        call has been projected. With `until_empty=False` it stops after a batch smaller than
        `batch_size` (rows another relay held may then be left for the next round)."""
        delivered = 0
        while True:
            async with self._engine.begin() as conn:
                rows = (
                    await conn.execute(
                        text(
                            "SELECT id, topic, payload, created_at FROM outbox ORDER BY id "
                            "LIMIT :n FOR UPDATE"
                        ),
                        {"n": self._batch_size},
                    )
                ).all()
                if not rows:
                    return delivered
                messages = [OutboxMessage(r.id, r.topic, r.payload, r.created_at) for r in rows]
                for projector in self._projectors:
                    await projector(messages)
                await conn.execute(
                    text("DELETE FROM outbox WHERE id = ANY(:ids)"), {"ids": [m.id for m in messages]}
                )
            delivered += len(messages)
            if not until_empty and len(messages) < self._batch_size:
                return delivered
