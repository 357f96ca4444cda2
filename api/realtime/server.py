"""The `/graphql` WebSocket endpoint: admits connections and starts their subscriptions.

Subscription documents go through the same document cache, validation rules, depth /
alias / cost limits and error mapping as GraphQL over HTTP. Queries and mutations sent over
the socket run once and complete.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graphql import ExecutionResult, FieldNode, GraphQLError, OperationType, execute
from graphql.execution.values import get_argument_values
from starlette.websockets import WebSocket
from strawberry.execution import optimized_is_awaitable

from api import metrics
from api.context import Context, _bearer
from api.documents import DocumentCache
from api.errors import format_error
from api.limits import limit_violation, measure
from api.realtime.connection import LEGACY_WS, TRANSPORT_WS, Connection, Protocol
from api.realtime.streams import stream_for
from api.realtime.subscription import Subscription
from api.suspension import write_refused
from domain.members.credentials import AccessClaims
from domain.members.models import Role
from rally.errors import DomainError, ErrorCode, Forbidden, RateLimited, Unauthenticated
from rally.settings import Settings

if TYPE_CHECKING:
    from api.realtime.hub import RealtimeHub

_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


class RealtimeServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connections: set[Connection] = set()
        self.per_member: Counter[int] = Counter()
        self._members: dict[Connection, int] = {}
        self._keepalive: asyncio.Task[None] | None = None
        self._documents: DocumentCache | None = None
        self._container: Any = None
        self._freeze: asyncio.TimerHandle | None = None
        self._freeze_pending_since = 0.0

    @property
    def hub(self) -> RealtimeHub:
        return self._container.realtime

    # -- admission -------------------------------------------------------------------------
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        websocket = WebSocket(scope, receive, send)
        self._container = scope["app"].state.container
        if not self.origin_allowed(websocket.headers.get("origin")):
            await websocket.close(4403, "origin not allowed")
            return
        offered = scope.get("subprotocols") or []
        chosen = next((p for p in (TRANSPORT_WS, LEGACY_WS) if p in offered), None)
        await websocket.accept(subprotocol=chosen)
        if chosen is None:
            await websocket.close(4406, "Subprotocol not acceptable")
            return
        connection = Connection(self, websocket, Protocol(chosen))
        self.connections.add(connection)
        metrics.WEBSOCKETS.inc()
        self._freeze_when_settled()
        if self._keepalive is None:
            self._keepalive = asyncio.create_task(self._keepalive_loop(), name="ws-keepalive")
        await connection.run()

    def _freeze_when_settled(self) -> None:
        """Once no socket has arrived for a while, move the live ones out of the collector's
        way: a full collection walking thousands of sockets stalls every subscriber 300+ ms.
        What died since the previous freeze is collected first, once. Under a steady stream of
        arrivals the freeze still happens every `ws_gc_refreeze_max_seconds`, so garbage
        frozen with the live objects is never kept longer than that."""
        loop = asyncio.get_running_loop()
        if self._freeze is not None:
            if loop.time() - self._freeze_pending_since >= self.settings.ws_gc_refreeze_max_seconds:
                return  # overdue: let the pending freeze run
            self._freeze.cancel()
        else:
            self._freeze_pending_since = loop.time()
        self._freeze = loop.call_later(self.settings.ws_gc_freeze_after_seconds, self._refreeze)

    def _refreeze(self) -> None:
        self._freeze = None
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def origin_allowed(self, origin: str | None) -> bool:
        """Browsers send Origin, native apps do not; unset `ws_origins` allows local ones in dev."""
        if origin is None:
            return True
        if self.settings.ws_origins:
            return origin in self.settings.ws_origins or "*" in self.settings.ws_origins
        host = urlsplit(origin).hostname or ""
        return self.settings.env != "prod" and host in _LOCAL_HOSTS

    async def authenticate(self, authorization: str) -> AccessClaims:
        token = _bearer(authorization)
        if token is None:
            raise Unauthenticated("send authorization: Bearer <access token>")
        claims = self._container.tokens.decode_access(token)
        if await self._container.revocations.is_revoked(claims):
            raise Unauthenticated("this session was ended; log in again", reason="TOKEN_REVOKED")
        return claims

    def admit_member(self, connection: Connection, member_id: int) -> bool:
        if self.per_member[member_id] >= self.settings.ws_max_connections_per_member:
            return False
        self.per_member[member_id] += 1
        self._members[connection] = member_id
        return True

    def forget(self, connection: Connection) -> None:
        if connection not in self.connections:
            return
        self.connections.discard(connection)
        metrics.WEBSOCKETS.dec()
        member_id = self._members.pop(connection, None)
        if member_id is not None:
            self.per_member[member_id] -= 1
            if self.per_member[member_id] <= 0:
                del self.per_member[member_id]

    async def _keepalive_loop(self) -> None:
        try:
            while self.connections:
                await asyncio.sleep(self.settings.ws_keepalive_seconds)
                for connection in list(self.connections):
                    connection.keepalive()
        finally:
            self._keepalive = None

    async def stop(self) -> None:
        if self._keepalive is not None:
            self._keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keepalive

    # -- operations ------------------------------------------------------------------------
    def documents(self) -> DocumentCache:
        if self._documents is None:
            from api.schema import schema

            self._documents = DocumentCache(schema._schema, self.settings)
        return self._documents

    async def subscribe(self, connection: Connection, id_: str, payload: dict[str, Any]) -> None:
        context = Context(self._container, None)
        try:
            await self._start(connection, id_, payload, context)
        except DomainError as error:
            connection.send_errors(id_, [format_error(GraphQLError(error.message,
                                                                   original_error=error),
                                                      context.request_id)])
        except GraphQLError as error:
            connection.send_errors(id_, [format_error(error, context.request_id)])
        except Exception as error:  # a bug: INTERNAL for this operation, logged; socket stays
            connection.send_errors(id_, [format_error(GraphQLError(str(error), original_error=error),
                                                      context.request_id)])

    async def _start(self, connection: Connection, id_: str, payload: dict[str, Any],
                     context: Context) -> None:
        from api.schema import schema

        query, variables, name = payload.get("query"), payload.get("variables"), payload.get(
            "operationName")
        if not isinstance(query, str) or (variables is not None and not isinstance(variables, dict)) \
                or (name is not None and not isinstance(name, str)):
            raise GraphQLError("payload needs query: String, variables: object, operationName: String")
        prepared = self.documents().prepare(query)
        if prepared.document is None:
            connection.send_errors(id_, [format_error(e, context.request_id) for e in prepared.errors])
            return
        operation = prepared.operation(name)
        if operation is None:
            raise GraphQLError("unknown operationName" if name else "name one operation")
        violation = limit_violation(measure(schema._schema, operation, prepared.fragments, variables,
                                            self.settings.default_page_size), self.settings)
        if violation:
            raise GraphQLError(violation, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})
        if operation.operation is OperationType.MUTATION and connection.viewer is not None:
            context._claims, context._auth_checked = connection.viewer, True
            refusal = await write_refused(context, operation)
            if refusal is not None:
                raise refusal
        if operation.operation is not OperationType.SUBSCRIPTION:
            await self._run_once(connection, id_, prepared.document, variables, name)
            return
        field_node = operation.selection_set.selections[0]
        if not isinstance(field_node, FieldNode):
            raise GraphQLError("select the subscription field directly, not through a fragment")
        stream = stream_for(field_node.name.value)
        subscription_type = schema._schema.subscription_type
        if stream is None or subscription_type is None:
            raise GraphQLError(f"{field_node.name.value} is not served", extensions={
                "code": ErrorCode.BAD_USER_INPUT.value})
        if len(connection.subscriptions) >= self.settings.ws_max_subscriptions:
            raise RateLimited(f"at most {self.settings.ws_max_subscriptions} subscriptions per "
                              "connection; complete one first", retry_after=0,
                              limit=self.settings.ws_max_subscriptions)
        built = schema.execution_context_class.build(schema._schema, prepared.document,
                                                      context_value=context,
                                                      raw_variable_values=variables,
                                                      operation_name=name)
        if isinstance(built, list):
            connection.send_errors(id_, [format_error(e, context.request_id) for e in built])
            return
        args = get_argument_values(subscription_type.fields[field_node.name.value], field_node,
                                   built.variable_values)
        self._authorize(connection.viewer, stream.public, stream.roles)
        key = stream.subscriber_key(connection.viewer, args)
        sub = Subscription(id=id_, stream=stream, key=key, viewer=connection.viewer,
                           document=prepared.document, query=query, operation_name=name,
                           variables=variables, send=connection.send_next)
        connection.subscriptions[id_] = sub
        if stream.replays:
            self.hub.start_with_replay(sub, stream.replay_cursor(args))
        else:
            self.hub.add(sub)

    @staticmethod
    def _authorize(viewer: AccessClaims | None, public: bool, roles: tuple[Role, ...]) -> None:
        if viewer is None and not public:
            raise Unauthenticated("log in to subscribe to this")
        if roles and viewer is not None and Role.ADMIN.value not in viewer.roles \
                and not viewer.roles.intersection(r.value for r in roles):
            needed = " or ".join(r.value for r in roles)
            raise Forbidden(f"this needs the {needed} role", requiredRoles=[r.value for r in roles])

    async def _run_once(self, connection: Connection, id_: str, document: Any,
                        variables: dict[str, Any] | None, name: str | None) -> None:
        from api.schema import schema

        context = Context(self._container, None)
        if connection.viewer is not None:
            context._claims, context._auth_checked = connection.viewer, True
        result = execute(schema._schema, document, context_value=context, variable_values=variables,
                         operation_name=name, executor_class=schema.execution_context_class,
                         is_awaitable=optimized_is_awaitable)  # type: ignore[arg-type]
        if optimized_is_awaitable(result):
            result = await result  # type: ignore[misc]
        assert isinstance(result, ExecutionResult)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [format_error(e, context.request_id) for e in result.errors]
        connection.send_message(connection.protocol.next, id_, body)
        connection.send_complete(id_)
