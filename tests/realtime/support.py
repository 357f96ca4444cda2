"""A GraphQL-over-WebSocket test client speaking graphql-transport-ws (or legacy graphql-ws)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
from httpx_ws import WebSocketDisconnect, aconnect_ws
from httpx_ws.transport import ASGIWebSocketTransport

from api.app import create_app
from domain.notifications.service import notify

TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"
MY_NOTIFICATIONS = """subscription($after: String) { myNotifications(after: $after) {
  id kind cursor data actorCount actor { displayName } } }"""


class WS:
    """One socket; `init` does the handshake, `subscribe` returns the subscription id."""

    def __init__(self, session: Any, protocol: str) -> None:
        self.session = session
        self.protocol = protocol
        self._ids = itertools.count(1)

    async def send(self, message: dict[str, Any]) -> None:
        await self.session.send_json(message)

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        while True:
            message = await self.session.receive_json(timeout=within)
            if message.get("type") not in ("ping", "pong", "ka"):
                return message

    async def init(self, token: str | None = None, **payload: Any) -> dict[str, Any]:
        if token is not None:
            payload["authorization"] = f"Bearer {token}"
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None,
                        id_: str | None = None) -> str:
        id_ = id_ or str(next(self._ids))
        kind = "start" if self.protocol == LEGACY else "subscribe"
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.send({"id": id_, "type": kind, "payload": payload})
        return id_

    async def next(self, within: float = 5.0) -> dict[str, Any]:
        """The payload of the next data message; fails on anything else."""
        message = await self.receive(within)
        assert message["type"] in ("next", "data"), message
        return message["payload"]

    async def closed_with(self, within: float = 5.0) -> int:
        """Waits for the server to close the socket; its close code."""
        with contextlib.suppress(TimeoutError):
            try:
                while True:
                    await self.session.receive(timeout=within)
            except WebSocketDisconnect as closed:
                return closed.code
        raise AssertionError("the server did not close the socket")

    async def nothing_within(self, seconds: float) -> None:
        try:
            message = await self.receive(seconds)
        except TimeoutError:
            return
        raise AssertionError(f"expected nothing, got {message}")


class WSFactory:
    """Sockets to the app of this process, over httpx-ws's ASGI transport.

    Each socket gets its own client, entered and left in the test's own task (the transport's
    task group must be).
    """

    def __init__(self, container: Any) -> None:
        self.app = create_app(container.settings, container=container)
        self.app.state.container = container

    @contextlib.asynccontextmanager
    async def connect(self, protocol: str | None = TRANSPORT, headers: dict[str, str] | None = None,
                      ) -> AsyncIterator[WS]:
        protocols = [protocol] if protocol else []
        transport = ASGIWebSocketTransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rally.test") as http, \
                aconnect_ws("/graphql", http, subprotocols=protocols, headers=headers or {},
                            keepalive_ping_interval_seconds=None) as session:
            yield WS(session, protocol or "")


async def notify_member(container: Any, member_id: int, kind: str = "POINTS",
                        group_key: str | None = None, actor_id: int | None = None,
                        **data: Any) -> int:
    async with container.uow() as uow:
        notification_id = await notify(uow, member_id=member_id, kind=kind, data=data,
                                       group_key=group_key, actor_id=actor_id)
        await uow.commit()
    assert notification_id is not None
    return notification_id


async def subscribed(container: Any, count: int, within: float = 5.0) -> None:
    """Waits until the hub holds `count` subscriptions (a subscribe message is asynchronous)."""
    import asyncio

    for _ in range(int(within / 0.01)):
        if container.realtime.subscription_count() == count and all(
                not s.buffering for by_key in container.realtime._index.values()
                for subs in by_key.values() for s in subs):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} subscriptions, "
                         f"have {container.realtime.subscription_count()}")
