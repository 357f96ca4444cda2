"""`myNotifications(after:)`: the caller's notifications, replayed from a cursor, then live."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import func, select
from strawberry.types import Info

from api.notifications.types import Notification
from api.realtime.streams import Stream, register
from api.relay import decode_cursor
from domain.members.credentials import AccessClaims
from domain.notifications.models import Notification as NotificationRow
from domain.notifications.service import NotificationChanged
from domain.pagination import PageRequest
from rally.errors import InvalidInput

if TYPE_CHECKING:
    from api.container import Container

_REPLAY_PAGE = 100


@register
class MyNotifications(Stream):
    field = "myNotifications"
    topics = (NotificationChanged.topic,)
    per_viewer = True
    replays = True

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        assert viewer is not None  # not public: the server refused anonymous callers
        return viewer.member_id

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        return (payload["member_id"],)

    async def load(self, container: Container, payload: dict[str, Any]) -> Notification | None:
        # The row as it is now: an aggregate updated again since this event is sent once,
        # at its latest seq, and the later event is then a duplicate.
        async with container.engine.connect() as conn:
            row = (await conn.execute(select(NotificationRow.__table__).where(
                NotificationRow.__table__.c.id == payload["notification_id"]))).first()
        return Notification.from_row(row) if row is not None else None

    def visible(self, viewer: AccessClaims | None, obj: Notification) -> bool:
        # The route already keys by member; this holds even if a key were shared by mistake.
        return viewer is not None and obj.member_id == viewer.member_id

    def dedupe_key(self, obj: Notification) -> Hashable:
        return obj.seq

    def replay_cursor(self, args: dict[str, Any]) -> int | None:
        after = args.get("after")
        if after is None:
            return None
        values = decode_cursor(after)
        if not values or len(values) != 1 or not isinstance(values[0], int):
            raise InvalidInput("malformed cursor", cursor=after)
        return int(values[0])

    async def current_cursor(self, container: Container, viewer: AccessClaims | None,
                             key: Hashable) -> int:
        async with container.engine.connect() as conn:
            latest = await conn.scalar(select(func.max(NotificationRow.seq))
                                       .where(NotificationRow.member_id == key))
        return int(latest or 0)

    async def replay(self, container: Container, viewer: AccessClaims | None, key: Hashable,
                     cursor: int) -> Sequence[Notification]:
        missed: list[Notification] = []
        while True:
            page = await container.notifications.list(int(str(key)), PageRequest(_REPLAY_PAGE),
                                                      after_seq=cursor)
            missed.extend(Notification.from_row(row) for row in page.items)
            if not page.has_next or not page.items:
                return missed
            cursor = page.items[-1].seq

    def cursor_of(self, obj: Notification) -> int:
        return obj.seq


@strawberry.type
class NotificationSubscriptions:
    @strawberry.subscription(description=(
        "The caller's notifications as they happen. With `after` (a Notification.cursor), "
        "first those changed since, oldest first, then live ones; none twice. Served by the "
        "realtime hub over WebSocket (api/realtime)."))
    async def my_notifications(self, info: Info, after: str | None = None
                               ) -> AsyncGenerator[Notification, None]:
        # The WebSocket endpoint feeds this field from the MyNotifications stream; a plain
        # GraphQL `subscribe` call has no event source to read from.
        raise InvalidInput("subscribe over WebSocket on /graphql")
        yield  # pragma: no cover  (makes this an async generator)
