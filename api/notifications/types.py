"""The Notification type: one stored notification, as listed and as pushed live."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.members.types import User
from api.relay import Node, encode_cursor, to_global_id


@strawberry.type(description="Something that happened to the caller: points, badges, replies, mentions…")
class Notification(Node):
    id: strawberry.ID
    kind: str = strawberry.field(description="REPLY, MENTION, REACTION, POINTS, BADGE, LEVEL_UP, …")
    actor_count: int = strawberry.field(
        description="How many members this aggregate stands for (\"Bob and 12 others\").")
    subject_type: str | None
    subject_id: strawberry.ID | None = strawberry.field(
        description="Global id of what it is about (a Post, a Comment, a Badge…), when anything.")
    data: JSON
    read_at: datetime | None
    created_at: datetime
    updated_at: datetime
    cursor: str = strawberry.field(
        description="Pass as myNotifications(after:) to resume after this notification.")
    actor_id: strawberry.Private[int | None]
    member_id: strawberry.Private[int]
    seq: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> Notification:
        subject = (strawberry.ID(to_global_id(row.subject_type, row.subject_id))
                   if row.subject_type and row.subject_id is not None else None)
        return cls(
            id=strawberry.ID(to_global_id("Notification", row.id)),
            kind=row.kind,
            actor_count=row.actor_count,
            subject_type=row.subject_type,
            subject_id=subject,
            data=row.data or {},  # type: ignore[arg-type]  # JSON is a NewType over Any
            read_at=row.read_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            cursor=encode_cursor(row.seq),
            actor_id=row.actor_id,
            member_id=row.member_id,
            seq=row.seq,
        )

    @strawberry.field(description="Who caused it (the latest actor of an aggregate).")
    async def actor(self, info: Info) -> User | None:
        if self.actor_id is None:
            return None
        row = await info.context.loaders.load("members_by_id", self.actor_id)
        return User.from_row(row) if row is not None else None
