"""Reactions: one per member per target, a new kind replaces the old; counters stay exact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import text

from domain.community.counters import move_reactions
from domain.community.models import ContentStatus, ReactionKind, TargetType
from domain.community.targets import Target, blocks, get_target, is_live
from domain.events import ReactionAdded, ReactionRemoved
from rally.errors import InvalidInput, NotFound
from rally.ratelimit import Limit, RateLimiter
from rally.reward import Reward
from rally.uow import UnitOfWork, UnitOfWorkFactory

_CURRENT = text("SELECT kind FROM reactions WHERE target_type = :type AND target_id = :id "
                "AND member_id = :member FOR UPDATE")
_INSERT = text("INSERT INTO reactions (target_type, target_id, member_id, kind) "
               "VALUES (:type, :id, :member, :kind) ON CONFLICT DO NOTHING RETURNING created_at")


@dataclass(frozen=True)
class ReactionResult:
    target: Target
    kind: ReactionKind | None
    reward: Reward


class ReactionService:
    def __init__(self, uow_factory: UnitOfWorkFactory, limiter: RateLimiter) -> None:
        self._uow_factory = uow_factory
        self._limiter = limiter
        self._per_minute = Limit("reactions-min", uow_factory.settings.reactions_per_minute, 60)

    async def react(self, member_id: int, target_type: TargetType, target_id: int,
                    kind: ReactionKind) -> ReactionResult:
        await self._limiter.hit(self._per_minute, str(member_id), "too many reactions; slow down")
        async with self._uow_factory() as uow:
            target = await _live_target(uow, target_type, target_id, member_id)
            params = {"type": target_type.value, "id": target_id, "member": member_id}
            # Insert first: a first reaction (the common case) is one statement. On a conflict
            # the member's reaction exists (or his own concurrent request just won): read it.
            inserted = (await uow.session.execute(_INSERT, {**params, "kind": kind.value})).first()
            if inserted is not None:
                old = None
                uow.know_now(inserted.created_at)  # the column's default is the transaction's now()
            else:
                old = await _current_kind(uow, params)
            if old is kind:
                return ReactionResult(target, kind, Reward())
            if old is None:
                await move_reactions(uow, target_type, target_id, {kind: 1})
            else:
                await uow.session.execute(text(
                    "UPDATE reactions SET kind = :kind WHERE target_type = :type "
                    "AND target_id = :id AND member_id = :member"), {**params, "kind": kind.value})
                await move_reactions(uow, target_type, target_id, {kind: 1, old: -1})
            await uow.publish(ReactionAdded(
                target_type=target_type.value, target_id=target_id, owner_id=target.owner_id,
                member_id=member_id, kind=kind.value, replaced=old is not None,
                reactor_blocked_by_owner=await blocks(uow, target.owner_id, member_id)))
            await uow.commit()
        return ReactionResult(target, kind, uow.reward)

    async def unreact(self, member_id: int, target_type: TargetType, target_id: int) -> ReactionResult:
        async with self._uow_factory() as uow:
            target = await get_target(uow, target_type, target_id)
            removed = (await uow.session.execute(text(
                "DELETE FROM reactions WHERE target_type = :type AND target_id = :id "
                "AND member_id = :member RETURNING kind, created_at"),
                {"type": target_type.value, "id": target_id, "member": member_id})).first()
            if removed is None:
                return ReactionResult(target, None, Reward())
            kind = ReactionKind(removed.kind)
            await move_reactions(uow, target_type, target_id, {kind: -1})
            await uow.publish(ReactionRemoved(target_type=target_type.value, target_id=target_id,
                                              owner_id=target.owner_id, member_id=member_id,
                                              kind=kind.value, reacted_at=removed.created_at))
            await uow.commit()
        return ReactionResult(target, None, uow.reward)


async def _current_kind(uow: UnitOfWork, params: Mapping[str, object]) -> ReactionKind | None:
    value = await uow.session.scalar(_CURRENT, params)
    return ReactionKind(value) if value is not None else None


async def _live_target(uow: UnitOfWork, target_type: TargetType, target_id: int,
                       member_id: int) -> Target:
    target = await get_target(uow, target_type, target_id)
    if not is_live(target):
        if target.status is ContentStatus.PENDING and target.owner_id != member_id:
            raise NotFound(f"{target_type.value.lower()} not found")
        raise InvalidInput(f"this {target_type.value.lower()} cannot take reactions",
                           reason=f"TARGET_{target.status.value}")
    return target
