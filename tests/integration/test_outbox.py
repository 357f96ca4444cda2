"""Events commit with their change, run their handlers in-transaction, and are relayed after."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import event, func, select

from rally.events import DomainEvent, MessageBus
from rally.outbox import OutboxMessage, OutboxRelay, OutboxRow
from rally.uow import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class SomethingHappened(DomainEvent):
    topic: ClassVar[str] = "test.something_happened"
    value: int


def _factory(container, bus: MessageBus) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(container.uow.sessions, bus, container.settings)


async def _outbox_count(container) -> int:
    async with container.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(OutboxRow))


def _relay(container, received: list[OutboxMessage]) -> OutboxRelay:
    async def collect(messages: Sequence[OutboxMessage]) -> None:
        received.extend(messages)

    return OutboxRelay(container.engine, projectors=[collect])


async def test_handlers_run_inside_the_publishing_transaction(container) -> None:
    bus = MessageBus()
    seen: list[int] = []

    @bus.subscribe(SomethingHappened)
    async def handler(uow, event: SomethingHappened) -> None:
        seen.append(event.value)
        uow.reward.points += event.value

    async with _factory(container, bus)() as uow:
        await uow.publish(SomethingHappened(value=7))
        assert seen == [7] and uow.reward.points == 7
        await uow.commit()


async def test_a_rolled_back_use_case_leaves_no_event(container) -> None:
    await container.relay.stop()
    try:
        async with _factory(container, MessageBus())() as uow:
            await uow.publish(SomethingHappened(value=1))
            # leaving without commit
        assert await _outbox_count(container) == 0
    finally:
        await container.relay.start()


async def test_events_survive_a_crash_between_commit_and_relay(container) -> None:
    await container.relay.stop()  # the process "dies" right after commit
    try:
        async with _factory(container, MessageBus())() as uow:
            await uow.publish(SomethingHappened(value=1))
            await uow.publish(SomethingHappened(value=2))
            await uow.commit()
        assert await _outbox_count(container) == 2
        received: list[OutboxMessage] = []
        assert await _relay(container, received).drain() == 2  # the next process relays them
        assert [m.payload["value"] for m in received] == [1, 2]
        assert await _outbox_count(container) == 0
    finally:
        await container.relay.start()


async def test_a_failing_projector_keeps_the_events_for_the_next_try(container) -> None:
    await container.relay.stop()
    try:
        async with _factory(container, MessageBus())() as uow:
            await uow.publish(SomethingHappened(value=3))
            await uow.commit()

        async def broken(messages: Sequence[OutboxMessage]) -> None:
            raise ConnectionError("redis is down")

        failing = OutboxRelay(container.engine, projectors=[broken])
        try:
            await failing.drain()
        except ConnectionError:
            pass
        assert await _outbox_count(container) == 1
    finally:
        await container.relay.start()


async def test_concurrent_relays_deliver_each_event_once(container) -> None:
    await container.relay.stop()
    try:
        for n in range(50):
            async with _factory(container, MessageBus())() as uow:
                await uow.publish(SomethingHappened(value=n))
                await uow.commit()
        received: list[OutboxMessage] = []
        relays = [_relay(container, received) for _ in range(4)]
        await asyncio.gather(*(relay.drain() for relay in relays))
        assert sorted(m.payload["value"] for m in received) == list(range(50))
    finally:
        await container.relay.start()


async def test_the_running_relay_delivers_soon_after_commit(container) -> None:
    received: list[OutboxMessage] = []
    delivered = asyncio.Event()

    async def collect(messages: Sequence[OutboxMessage]) -> None:
        received.extend(m for m in messages if m.topic == SomethingHappened.topic)
        if received:
            delivered.set()

    container.relay.add_projector(collect)
    try:
        async with container.uow() as uow:
            await uow.publish(SomethingHappened(value=42))
            await uow.commit()
        await asyncio.wait_for(delivered.wait(), timeout=2)
        assert received[0].payload == {"value": 42}
    finally:
        container.relay._projectors.remove(collect)


async def test_a_relay_round_ends_with_a_short_batch(container) -> None:
    """The background relay's round stops after a batch smaller than batch_size (no extra
    transaction to find the table empty); drain() as callers use it still empties it."""
    await container.relay.stop()
    selects: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.startswith("SELECT id, topic, payload"):
            selects.append(statement)

    try:
        for value in range(5):
            async with _factory(container, MessageBus())() as uow:
                await uow.publish(SomethingHappened(value=value))
                await uow.commit()
        received: list[OutboxMessage] = []
        relay = _relay(container, received)
        relay._batch_size = 2
        event.listen(container.engine.sync_engine, "before_cursor_execute", count)
        try:
            assert await relay.drain(until_empty=False) == 5  # batches of 2, 2, then 1
            assert len(selects) == 3
            assert await _outbox_count(container) == 0
            async with _factory(container, MessageBus())() as uow:
                await uow.publish(SomethingHappened(value=9))
                await uow.commit()
            selects.clear()
            assert await relay.drain() == 1
            assert len(selects) == 2  # the batch, then the check that nothing is left
        finally:
            event.remove(container.engine.sync_engine, "before_cursor_execute", count)
        assert [m.payload["value"] for m in received] == [0, 1, 2, 3, 4, 9]
    finally:
        await container.relay.start()
