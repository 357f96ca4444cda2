"""One WebSocket connection speaking `graphql-transport-ws` or legacy `graphql-ws`.

Close codes (graphql-transport-ws): 4400 malformed or unknown message / binary frame,
4401 bad token, subscribe before `connection_ack`, or access token expired while
connected, 4403 origin not allowed, 4406 no supported subprotocol, 4408 no
`connection_init` in time, 4409 duplicate subscription id, 4429 a second
`connection_init` or too many connections for the member (counted per process), 1009 a
frame larger than `ws_max_message_bytes`, 1013 a client too slow to read its frames.
Refusals of one subscription (validation, limits, auth) are `error` messages with the
same `extensions.code` as over HTTP; the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import TYPE_CHECKING, Any

import orjson
from starlette.websockets import WebSocket, WebSocketDisconnect

from domain.members.credentials import AccessClaims
from rally.errors import DomainError

if TYPE_CHECKING:
    from api.realtime.server import RealtimeServer
    from api.realtime.subscription import Subscription

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
_CLOSE = object()


class Protocol:
    """Message type names of a subprotocol."""

    def __init__(self, name: str) -> None:
        legacy = name == LEGACY_WS
        self.name = name
        self.subscribe = "start" if legacy else "subscribe"
        self.complete_client = "stop" if legacy else "complete"
        self.next = "data" if legacy else "next"
        self.legacy = legacy


class Connection:
    def __init__(self, server: RealtimeServer, websocket: WebSocket, protocol: Protocol) -> None:
        self.server = server
        self.ws = websocket
        self.protocol = protocol
        self.settings = server.settings
        self.viewer: AccessClaims | None = None
        self.acknowledged = False
        self.initialised = False
        self.subscriptions: dict[str, Subscription] = {}
        self._outbox: deque[Any] = deque()
        self._ready = asyncio.Event()
        self._closing = False
        self._timers: list[asyncio.TimerHandle] = []
        self._receive: asyncio.Future[Any] | None = None
        self._writer: asyncio.Task[None] | None = None

    # -- lifecycle -------------------------------------------------------------------------
    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._timers.append(loop.call_later(
            self.settings.ws_init_timeout_seconds, self._init_timed_out))
        self._writer = asyncio.create_task(self._write_loop())
        try:
            while not self._closing:
                self._receive = asyncio.ensure_future(self.ws.receive())
                try:
                    message = await self._receive
                except asyncio.CancelledError:
                    if self._closing and not _task_cancelling():
                        break
                    raise
                if message["type"] == "websocket.disconnect":
                    break
                await self._on_frame(message)
        except WebSocketDisconnect:
            pass
        finally:
            await self._cleanup()

    async def _cleanup(self) -> None:
        for timer in self._timers:
            timer.cancel()
        for sub in self.subscriptions.values():
            self.server.hub.remove(sub)
        self.subscriptions.clear()
        if self._receive is not None and not self._receive.done():
            self._receive.cancel()
        if self._writer is not None:
            if not self._closing:
                self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._writer, 5)
        self.server.forget(self)

    def close(self, code: int, reason: str) -> None:
        """Sends what is queued, then the close frame; the receive loop ends."""
        if self._closing:
            return
        self._closing = True
        self._outbox.append((_CLOSE, code, reason))
        self._ready.set()

    def enqueue(self, frame: str) -> None:
        if self._closing:
            return
        if len(self._outbox) >= self.settings.ws_max_queued_frames:
            self.close(1013, "client too slow")
            return
        self._outbox.append(frame)
        self._ready.set()

    def send_message(self, type_: str, id_: str | None = None, payload: Any = None) -> None:
        message: dict[str, Any] = {"type": type_}
        if id_ is not None:
            message["id"] = id_
        if payload is not None:
            message["payload"] = payload
        self.enqueue(orjson.dumps(message).decode())

    def send_next(self, id_: str, payload_json: str) -> None:
        """A `next` frame around a payload rendered once for many subscribers."""
        self.enqueue(f'{{"id":{orjson.dumps(id_).decode()},"type":"{self.protocol.next}",'
                     f'"payload":{payload_json}}}')

    async def _write_loop(self) -> None:
        while True:
            await self._ready.wait()
            self._ready.clear()
            while self._outbox:
                item = self._outbox.popleft()
                try:
                    if isinstance(item, tuple):
                        _, code, reason = item
                        with contextlib.suppress(Exception):
                            await self.ws.close(code, reason)
                        if self._receive is not None and not self._receive.done():
                            self._receive.cancel()
                        return
                    await self.ws.send_text(item)
                except Exception:  # the peer is gone (disconnect, reset, send after close)
                    self._closing = True
                    if self._receive is not None and not self._receive.done():
                        self._receive.cancel()
                    return

    def _init_timed_out(self) -> None:
        if not self.initialised:
            self.close(4408, "Connection initialisation timeout")

    def keepalive(self) -> None:
        if self.acknowledged and not self._closing:
            self.send_message("ka" if self.protocol.legacy else "ping")

    # -- messages --------------------------------------------------------------------------
    async def _on_frame(self, frame: dict[str, Any]) -> None:
        text = frame.get("text")
        if text is None:
            if frame.get("bytes") is not None:
                self.close(4400, "binary frames are not supported")
            return
        if len(text) > self.settings.ws_max_message_bytes:
            self.close(1009, f"message larger than {self.settings.ws_max_message_bytes} bytes")
            return
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            self.close(4400, "invalid JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self.close(4400, "a message is an object with a string type")
            return
        await self._dispatch(message)

    async def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "connection_init":
            await self._on_init(message.get("payload"))
        elif kind == "ping" and not self.protocol.legacy:
            self.send_message("pong", payload=message.get("payload"))
        elif kind == "pong" and not self.protocol.legacy:
            pass
        elif kind == self.protocol.subscribe:
            await self._on_subscribe(message)
        elif kind == self.protocol.complete_client:
            self._on_complete(message.get("id"))
        elif kind == "connection_terminate" and self.protocol.legacy:
            self.close(1000, "terminated")
        else:
            self.close(4400, f"unknown message type {kind!r}")

    async def _on_init(self, payload: Any) -> None:
        if self.initialised:
            self.close(4429, "Too many initialisation requests")
            return
        self.initialised = True
        if payload is not None and not isinstance(payload, dict):
            self.close(4400, "connection_init payload must be an object")
            return
        lowered = {str(k).lower(): v for k, v in (payload or {}).items()}
        authorization = lowered.get("authorization")
        if authorization is not None:
            try:
                self.viewer = await self.server.authenticate(str(authorization))
            except DomainError as error:
                self.close(4401, error.message[:120])
                return
            if not self.server.admit_member(self, self.viewer.member_id):
                self.close(4429, "too many connections for this member")
                return
            delay = self.viewer.expires_at - time.time()
            self._timers.append(asyncio.get_running_loop().call_later(
                max(delay, 0), self.close, 4401, "access token expired"))
        self.acknowledged = True
        self.send_message("connection_ack")
        if self.protocol.legacy:
            self.send_message("ka")

    async def _on_subscribe(self, message: dict[str, Any]) -> None:
        if not self.acknowledged:
            self.close(4401, "Unauthorized")
            return
        id_, payload = message.get("id"), message.get("payload")
        if not isinstance(id_, str) or not id_ or not isinstance(payload, dict):
            self.close(4400, f"{self.protocol.subscribe} needs a string id and an object payload")
            return
        if id_ in self.subscriptions:
            self.close(4409, f"Subscriber for {id_} already exists")
            return
        await self.server.subscribe(self, id_, payload)

    def _on_complete(self, id_: Any) -> None:
        sub = self.subscriptions.pop(id_, None) if isinstance(id_, str) else None
        if sub is not None:
            self.server.hub.remove(sub)

    def send_errors(self, id_: str, errors: list[dict[str, Any]]) -> None:
        self.subscriptions.pop(id_, None)
        if self.protocol.legacy:
            self.send_message("error", id_, errors[0] if errors else None)
        else:
            self.send_message("error", id_, errors)

    def send_complete(self, id_: str) -> None:
        self.send_message("complete", id_)


def _task_cancelling() -> bool:
    task = asyncio.current_task()
    return bool(task is not None and task.cancelling())
