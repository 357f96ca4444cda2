"""Stored notifications over HTTP: list, unread count (on User), mark read."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.notifications.types import Notification
from api.permissions import Authenticated
from api.relay import Connection, decode_id, page_request


@strawberry.input
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Notification ids; all of the caller's when omitted.")


@strawberry.type
class MarkNotificationsReadPayload:
    marked_count: int
    unread_count: int


@strawberry.type
class NotificationQueries:
    @strawberry.field(permission_classes=[Authenticated], description="The caller's, newest first.")
    async def notifications(self, info: Info, first: int | None = None, after: str | None = None,
                            unread_only: bool = False) -> Connection[Notification]:
        ctx = info.context
        page = await ctx.services.notifications.list(
            ctx.require_member().member_id, page_request(ctx, first, after), unread_only)
        return Connection.from_page(page, Notification.from_row, lambda n: (n.seq,))


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def mark_notifications_read(self, info: Info, input: MarkNotificationsReadInput
                                      ) -> MarkNotificationsReadPayload:
        ctx = info.context
        member = ctx.require_member().member_id
        ids = [decode_id(i, "Notification") for i in input.ids] if input.ids is not None else None
        service = ctx.services.notifications
        marked = await service.mark_read(member, ids)
        return MarkNotificationsReadPayload(marked_count=marked,
                                            unread_count=await service.unread_count(member))
