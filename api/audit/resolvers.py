from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.members.types import User, user_by_id
from api.permissions import requires
from api.relay import Connection, Node, page_request, to_global_id
from domain.members.models import Role


@strawberry.type(description="One privileged action: who did what to which target, and when.")
class AuditEntry(Node):
    id: strawberry.ID
    action: str
    target_type: str
    target_id: strawberry.ID
    before: JSON | None
    after: JSON | None
    note: str | None
    created_at: datetime
    actor_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Any) -> AuditEntry:
        target_type = "User" if row.target_type == "MEMBER" else row.target_type.title()
        return cls(id=strawberry.ID(to_global_id("AuditEntry", row.id)), action=row.action,
                   target_type=row.target_type,
                   target_id=strawberry.ID(to_global_id(target_type, row.target_id)),
                   before=row.before, after=row.after, note=row.note, created_at=row.created_at,
                   actor_id=row.actor_id)

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        return await user_by_id(info, self.actor_id)


@strawberry.type
class AuditQueries:
    @strawberry.field(permission_classes=[requires(Role.MODERATOR)],
                      description="Newest first. MODERATOR and ADMIN only.")
    async def audit_log(self, info: Info, first: int | None = None,
                        after: str | None = None) -> Connection[AuditEntry]:
        page = await info.context.services.audit.entries(page_request(info.context, first, after))
        return Connection.from_page(page, AuditEntry.from_row, lambda row: (row.id,))
