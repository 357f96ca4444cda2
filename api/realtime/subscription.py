"""One active subscription of one connection: what it listens to and how it renders events."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import orjson
from graphql import DocumentNode, ExecutionResult
from strawberry.execution import optimized_is_awaitable

from api.errors import format_error
from api.realtime.streams import Stream
from domain.members.credentials import AccessClaims

if TYPE_CHECKING:
    from api.container import Container

# Delivered states remembered per subscription to drop duplicates (relay redelivery, the
# overlap of replay and live events).
_SEEN_LIMIT = 512


class Subscription:
    __slots__ = ("_seen", "_seen_order", "buffering", "closed", "cursor", "document", "group_key",
                 "id", "key", "operation_name", "pending", "send", "stream", "variables", "viewer")

    def __init__(self, *, id: str, stream: Stream, key: Hashable, viewer: AccessClaims | None,
                 document: DocumentNode, query: str, operation_name: str | None,
                 variables: dict[str, Any] | None, send: Callable[[str, str], None]) -> None:
        self.id = id
        self.stream = stream
        self.key = key
        self.viewer = viewer
        self.document = document
        self.operation_name = operation_name
        self.variables = variables
        self.send = send  # (id, payload JSON) -> enqueue a `next` frame on the connection
        self.closed = False
        # While replaying, live objects wait here and are delivered after the replay.
        self.buffering = False
        self.pending: list[Any] = []
        self.cursor: Any = None
        self._seen: set[Hashable] = set()
        self._seen_order: deque[Hashable] = deque()
        scope = viewer.member_id if (stream.per_viewer and viewer) else None
        self.group_key = (stream.field, query, operation_name,
                          orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS), scope)

    def first_delivery(self, obj: Any) -> bool:
        """True (and remembered) unless this state of `obj` was already delivered."""
        token = self.stream.dedupe_key(obj)
        if token is None:
            return True
        if token in self._seen:
            return False
        self._seen.add(token)
        self._seen_order.append(token)
        if len(self._seen_order) > _SEEN_LIMIT:
            self._seen.discard(self._seen_order.popleft())
        return True

    def advance(self, obj: Any) -> None:
        cursor = self.stream.cursor_of(obj)
        if cursor is not None and (self.cursor is None or cursor > self.cursor):
            self.cursor = cursor

    async def render(self, container: Container, obj: Any) -> str:
        """The `payload` JSON of a `next` message for `obj` (shared by this subscription's group)."""
        from api.context import Context  # the context imports the container, which imports us
        from api.schema import schema

        context = Context(container, None)
        if self.stream.per_viewer and self.viewer is not None:
            context._claims, context._auth_checked = self.viewer, True
        built = schema.execution_context_class.build(
            schema._schema, self.document, context_value=context,
            raw_variable_values=self.variables, operation_name=self.operation_name,
            is_awaitable=optimized_is_awaitable)  # type: ignore[arg-type]
        if isinstance(built, list):
            body: dict[str, Any] = {"errors": [format_error(e, context.request_id) for e in built]}
            return orjson.dumps(body).decode()
        result = built.build_per_event_executor(obj).execute_operation(False)
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        assert isinstance(result, ExecutionResult)
        body = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, context.request_id) for e in result.errors]
        return orjson.dumps(body).decode()
