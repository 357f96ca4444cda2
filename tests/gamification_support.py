"""Helpers for gamification tests: members, and community events published as the
community module will publish them (inside a unit of work that commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from api.relay import decode_id
from rally.events import DomainEvent
from rally.reward import Reward
from tests.support import GraphQLClient, Member


async def member(client: GraphQLClient, name: str | None = None) -> tuple[Member, int]:
    m = await client.register(name)
    return m, decode_id(m.id, "User")


async def act(container: Any, *events: DomainEvent) -> Reward:
    """One action of a member: its events published in one committed unit of work."""
    async with container.uow() as uow:
        for event in events:
            await uow.publish(event)
        await uow.commit()
    return uow.reward


async def figures(container: Any, member_id: int) -> dict[str, Any]:
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT * FROM member_points WHERE member_id = :m"), {"m": member_id})).first()
    return dict(row._mapping) if row else {"balance": 0, "lifetime": 0}


async def ledger_sum(container: Any, member_id: int) -> tuple[int, int]:
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT coalesce(sum(delta), 0), coalesce(sum(earned), 0) FROM point_entries "
            "WHERE member_id = :m"), {"m": member_id})).one()
    return int(row[0]), int(row[1])


async def entries(container: Any, member_id: int) -> list[Any]:
    async with container.engine.connect() as conn:
        return list((await conn.execute(text(
            "SELECT reason, delta, earned, note FROM point_entries WHERE member_id = :m "
            "ORDER BY id"), {"m": member_id})).all())


async def settle(container: Any) -> None:
    """Until every committed event is relayed (the background relay may hold a batch)."""
    import asyncio

    for _ in range(200):
        await container.relay.drain()
        async with container.engine.connect() as conn:
            if not await conn.scalar(text("SELECT count(*) FROM outbox")):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not drain")


async def give(container: Any, member_id: int, points: int, key: str) -> None:
    from gamification.ledger import Source, award

    async with container.uow() as uow:
        await award(uow, member_id, points, "ADJUSTMENT", Source(), key)
        await uow.commit()


async def players(client: GraphQLClient, container: Any, scores: dict[str, int]
                  ) -> dict[str, tuple[Member, int]]:
    """Members with these lifetime points, projected onto the boards."""
    made = {}
    for name, points in scores.items():
        m, member_id = await member(client, name)
        await give(container, member_id, points, f"seed-{name}")
        made[name] = (m, member_id)
    await settle(container)
    return made
