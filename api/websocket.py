"""GraphQL over WebSocket (`graphql-transport-ws`, and legacy `graphql-ws`) on `/graphql`.

Authentication rides in the `connection_init` payload: `{"authorization": "Bearer …"}`,
key case-insensitive.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import Schema

from api import metrics
from api.context import Context
from rally.errors import DomainError
from rally.settings import Settings


class WebSocketContext(Context):
    connection_params: dict[str, Any] | None = None


class GraphQLWebSocket(GraphQL):
    def __init__(self, schema: Schema, settings: Settings) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            keep_alive=True,
            keep_alive_interval=15,
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=20,
        )

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return WebSocketContext(request.app.state.container, request)

    async def on_ws_connect(self, context: Context) -> dict[str, object] | None:
        params = getattr(context, "connection_params", None) or {}
        lowered = {str(k).lower(): v for k, v in params.items()}
        authorization = lowered.get("authorization")
        if authorization is not None:
            context.authorization = str(authorization)
            context._auth_checked = False
            try:
                context.require_member()
            except DomainError as error:
                raise ConnectionRejectionError({"message": error.message}) from error
        return None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:  # type: ignore[override]
        if scope["type"] == "websocket":
            metrics.WEBSOCKETS.inc()
            try:
                await super().__call__(scope, receive, send)
            finally:
                metrics.WEBSOCKETS.dec()
        else:
            await super().__call__(scope, receive, send)
