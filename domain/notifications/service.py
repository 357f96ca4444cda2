"""Stored notifications: written in the transaction of the action that caused them.

Every change (a new row, or one more actor folded into an unread aggregate) takes a new
`seq` and publishes `NotificationChanged`, so realtime can push it after commit and a phone
that was offline can replay everything after the last `seq` it saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from sqlalchemy import CursorResult, func, select, update

from domain.notifications.models import Notification
from domain.pagination import Page, PageRequest
from rally.events import DomainEvent
from rally.sql import Sql, json_text
from rally.uow import UnitOfWork, UnitOfWorkFactory


class NotificationKind:
    REPLY = "REPLY"
    COMMENT = "COMMENT"
    MENTION = "MENTION"
    REACTION = "REACTION"
    FOLLOW = "FOLLOW"
    MODERATION = "MODERATION"
    POINTS = "POINTS"
    BADGE = "BADGE"
    LEVEL_UP = "LEVEL_UP"
    COUPON = "COUPON"
    CHALLENGE = "CHALLENGE"
    SYSTEM = "SYSTEM"


# Fixed texts, one per (skip a member who blocked the actor, fold into the unread aggregate
# of `group_key`): `notify` runs on most writes, and a Core insert built per call cost more
# CPU than the round trip.
_NOTIFY_INSERT = (
    "INSERT INTO notifications (member_id, kind, actor_id, subject_type, subject_id, data,"
    " group_key, seq) SELECT CAST(:member_id AS bigint), CAST(:kind AS varchar),"
    " CAST(:actor_id AS bigint), CAST(:subject_type AS varchar), CAST(:subject_id AS bigint),"
    " CAST(:data AS jsonb), CAST(:group_key AS varchar), nextval('notification_seq')")
_UNLESS_BLOCKED = (" WHERE NOT EXISTS (SELECT FROM blocks WHERE blocker_id = CAST(:member_id AS"
                   " bigint) AND blocked_id = CAST(:actor_id AS bigint))")
_FOLD_INTO_GROUP = (
    " ON CONFLICT (member_id, group_key) WHERE read_at IS NULL AND group_key IS NOT NULL"
    " DO UPDATE SET actor_id = excluded.actor_id,"
    " actor_count = notifications.actor_count + 1, data = excluded.data,"
    " seq = nextval('notification_seq'), updated_at = now()")
_NOTIFY = {(unless, grouped): Sql(_NOTIFY_INSERT + (_UNLESS_BLOCKED if unless else "")
                                  + (_FOLD_INTO_GROUP if grouped else "") + " RETURNING id, seq")
           for unless in (False, True) for grouped in (False, True)}


@dataclass(frozen=True, kw_only=True)
class NotificationChanged(DomainEvent):
    topic: ClassVar[str] = "notification.changed"
    notification_id: int
    member_id: int
    seq: int
    kind: str


async def notify(
    uow: UnitOfWork,
    *,
    member_id: int,
    kind: str,
    actor_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    data: dict[str, Any] | None = None,
    group_key: str | None = None,
    unless_blocked: bool = False,
) -> int | None:
    """Store one notification (or fold it into the unread one of `group_key`); its id.

    Nobody is notified of his own action. Callers filter blocked actors before calling, or
    pass `unless_blocked` to have the insert itself skip a member who blocked the actor (one
    round trip instead of two; None when he did).
    """
    if actor_id is not None and actor_id == member_id:
        return None
    row = await uow.fetchrow(_NOTIFY[unless_blocked and actor_id is not None,
                                     group_key is not None], {
        "member_id": member_id, "kind": kind, "actor_id": actor_id,
        "subject_type": subject_type, "subject_id": subject_id, "group_key": group_key,
        "data": json_text(data or {})})
    if row is None:  # the member blocked the actor
        return None
    await announce(uow, member_id, kind, row.id, row.seq)
    return int(row.id)


async def announce(uow: UnitOfWork, member_id: int, kind: str, notification_id: int,
                   seq: int) -> None:
    """A notification row written (by `notify`, or inside a statement of its own use case)
    reaches the member's live stream."""
    await uow.publish(NotificationChanged(notification_id=notification_id, member_id=member_id,
                                          seq=seq, kind=kind))


class NotificationService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def list(self, member_id: int, page: PageRequest, unread_only: bool = False,
                   after_seq: int | None = None) -> Page[Notification]:
        """Newest first (by `seq`); `after_seq` lists what changed since, oldest first."""
        query = select(Notification).where(Notification.member_id == member_id)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        if after_seq is not None:
            query = query.where(Notification.seq > after_seq).order_by(Notification.seq.asc())
        else:
            if page.after is not None:
                query = query.where(Notification.seq < page.after[0])
            query = query.order_by(Notification.seq.desc())
        async with self._uow_factory() as uow:
            rows = list((await uow.session.execute(query.limit(page.first + 1))).scalars())
        return Page(rows[: page.first], len(rows) > page.first)

    async def unread_count(self, member_id: int) -> int:
        async with self._uow_factory() as uow:
            return int(await uow.session.scalar(
                select(func.count()).select_from(Notification)
                .where(Notification.member_id == member_id, Notification.read_at.is_(None))) or 0)

    async def mark_read(self, member_id: int, notification_ids: Sequence[int] | None) -> int:
        """Marks the given notifications (all when None) read; how many changed."""
        query = (update(Notification)
                 .where(Notification.member_id == member_id, Notification.read_at.is_(None))
                 .values(read_at=func.now()))
        if notification_ids is not None:
            query = query.where(Notification.id.in_(notification_ids))
        async with self._uow_factory() as uow:
            changed = cast(CursorResult[Any], await uow.session.execute(query)).rowcount
            await uow.commit()
        return int(changed or 0)
