"""Stored notifications: written in the transaction of the action that caused them.

Every change (a new row, or one more actor folded into an unread aggregate) takes a new
`seq` and publishes `NotificationChanged`, so realtime can push it after commit and a phone
that was offline can replay everything after the last `seq` it saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from sqlalchemy import CursorResult, column, exists, func, literal, select, table, update
from sqlalchemy.dialects.postgresql import insert

from domain.notifications.models import Notification, notification_seq
from domain.pagination import Page, PageRequest
from rally.events import DomainEvent
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

_BLOCKS = table("blocks", column("blocker_id"), column("blocked_id"))


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
    values = dict(member_id=member_id, kind=kind, actor_id=actor_id, subject_type=subject_type,
                  subject_id=subject_id, data=data or {}, group_key=group_key)
    if unless_blocked and actor_id is not None:
        columns = Notification.__table__.c
        blocked = exists().where(_BLOCKS.c.blocker_id == member_id,
                                 _BLOCKS.c.blocked_id == actor_id)
        statement = insert(Notification).from_select(list(values), select(
            *(literal(v, type_=columns[k].type) for k, v in values.items())).where(~blocked))
    else:
        statement = insert(Notification).values(**values)
    if group_key is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["member_id", "group_key"],
            index_where=Notification.read_at.is_(None) & Notification.group_key.is_not(None),
            set_={
                "actor_id": statement.excluded.actor_id,
                "actor_count": Notification.actor_count + 1,
                "data": statement.excluded.data,
                "seq": notification_seq.next_value(),
                "updated_at": func.now(),
            },
        )
    row = (await uow.session.execute(
        statement.returning(Notification.id, Notification.seq))).one_or_none()
    if row is None:  # the member blocked the actor
        return None
    await uow.publish(NotificationChanged(notification_id=row.id, member_id=member_id,
                                          seq=row.seq, kind=kind))
    return int(row.id)


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
