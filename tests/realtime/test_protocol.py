"""The WebSocket protocol's rules, over a real socket (httpx-ws on the ASGI app)."""

from __future__ import annotations

import asyncio

import pytest

from api.relay import decode_id
from tests.realtime.support import LEGACY, MY_NOTIFICATIONS, notify_member, subscribed


async def test_no_connection_init_in_time_closes_with_4408(ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_init_timeout_seconds", 0.2)
    async with ws.connect() as socket:
        assert await socket.closed_with() == 4408


async def test_a_bad_token_closes_with_4401(ws):
    async with ws.connect() as socket:
        await socket.send({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})
        assert await socket.closed_with() == 4401


async def test_the_authorization_key_is_case_insensitive(client, ws, container):
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.send({"type": "connection_init",
                           "payload": {"AUTHORIZATION": f"Bearer {alice.token}"}})
        assert (await socket.receive())["type"] == "connection_ack"
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await notify_member(container, decode_id(alice.id, "User"))
        assert (await socket.next())["data"]["myNotifications"]["kind"] == "POINTS"


async def test_an_access_token_expiring_while_connected_closes_with_4401(client, ws, container,
                                                                         monkeypatch):
    alice = await client.register("Alice")
    monkeypatch.setattr(container.tokens, "_access_ttl", 1)
    short, _ = container.tokens.issue_access(decode_id(alice.id, "User"), ["MEMBER"])
    async with ws.connect() as socket:
        assert (await socket.init(short))["type"] == "connection_ack"
        assert await socket.closed_with(within=3) == 4401


async def test_subscribing_before_the_ack_closes_with_4401(ws):
    async with ws.connect() as socket:
        await socket.subscribe(MY_NOTIFICATIONS)
        assert await socket.closed_with() == 4401


async def test_a_duplicate_subscription_id_closes_with_4409(client, ws):
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS, id_="a")
        await socket.subscribe(MY_NOTIFICATIONS, id_="a")
        assert await socket.closed_with() == 4409


async def test_a_second_connection_init_closes_with_4429(ws):
    async with ws.connect() as socket:
        await socket.init()
        await socket.send({"type": "connection_init"})
        assert await socket.closed_with() == 4429


@pytest.mark.parametrize("frame", ["{not json", '["a list"]', '{"type": "teleport"}',
                                   '{"type": "subscribe", "id": 7, "payload": {}}'])
async def test_malformed_or_unknown_messages_close_with_4400(ws, frame):
    async with ws.connect() as socket:
        await socket.init()
        await socket.session.send_text(frame)
        assert await socket.closed_with() == 4400


async def test_an_oversized_frame_closes_with_1009(ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_max_message_bytes", 1000)
    async with ws.connect() as socket:
        await socket.init()
        await socket.session.send_text('{"type": "ping", "payload": {"x": "%s"}}' % ("y" * 2000))
        assert await socket.closed_with() == 1009


async def test_an_unsupported_subprotocol_closes_with_4406(ws):
    async with ws.connect(protocol="mqtt") as socket:
        assert await socket.closed_with() == 4406


async def test_a_foreign_origin_is_refused_and_a_local_one_admitted(ws):
    await _refused(ws, "https://evil.example")
    async with ws.connect(headers={"origin": "http://localhost:3000"}) as socket:
        assert (await socket.init())["type"] == "connection_ack"


async def test_the_origin_allow_list_is_enforced_when_set(ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_origins", ["https://app.brand.example"])
    await _refused(ws, "http://localhost:3000")
    async with ws.connect(headers={"origin": "https://app.brand.example"}) as socket:
        assert (await socket.init())["type"] == "connection_ack"


async def test_ping_is_answered_with_pong(ws):
    async with ws.connect() as socket:
        await socket.init()
        await socket.send({"type": "ping", "payload": {"t": 1}})
        assert await socket.session.receive_json(timeout=5) == {"type": "pong", "payload": {"t": 1}}


async def test_the_server_pings_idle_connections(ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_keepalive_seconds", 0.1)
    async with ws.connect() as socket:
        await socket.init()
        assert (await socket.session.receive_json(timeout=5))["type"] == "ping"


async def test_anonymous_connections_cannot_subscribe_to_private_streams(ws):
    async with ws.connect() as socket:
        assert (await socket.init())["type"] == "connection_ack"
        id_ = await socket.subscribe(MY_NOTIFICATIONS)
        error = await socket.receive()
        assert error["type"] == "error" and error["id"] == id_
        assert error["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        await socket.send({"type": "ping"})
        assert (await socket.session.receive_json(timeout=5))["type"] == "pong"  # still open


async def test_subscriptions_beyond_the_cap_are_refused(client, ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_max_subscriptions", 2)
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS)
        await socket.subscribe(MY_NOTIFICATIONS)
        third = await socket.subscribe(MY_NOTIFICATIONS)
        error = await socket.receive()
        assert error["id"] == third and error["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        await subscribed(container, 2)
        assert container.realtime.subscription_count() == 2


async def test_a_completed_subscription_frees_its_slot(client, ws, container, monkeypatch):
    monkeypatch.setattr(container.settings, "ws_max_subscriptions", 1)
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        first = await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await socket.send({"type": "complete", "id": first})
        await subscribed(container, 0)
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await notify_member(container, decode_id(alice.id, "User"))
        assert (await socket.next())["data"]["myNotifications"]["kind"] == "POINTS"


async def test_a_member_over_his_connection_cap_is_closed_with_4429(client, ws, container,
                                                                     monkeypatch):
    monkeypatch.setattr(container.settings, "ws_max_connections_per_member", 1)
    alice = await client.register("Alice")
    async with ws.connect() as first, ws.connect() as second:
        assert (await first.init(alice.token))["type"] == "connection_ack"
        await second.send({"type": "connection_init",
                           "payload": {"authorization": f"Bearer {alice.token}"}})
        assert await second.closed_with() == 4429
    async with ws.connect() as again:  # the slot is free once the first one left
        assert (await again.init(alice.token))["type"] == "connection_ack"


async def test_invalid_documents_get_an_error_with_the_http_codes(client, ws, container,
                                                                   monkeypatch):
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe("subscription { myNotifications { nope } }")
        error = await socket.receive()
        assert error["type"] == "error"
        assert error["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        await socket.subscribe(MY_NOTIFICATIONS, {"after": "%%%"})
        assert (await socket.receive())["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        monkeypatch.setattr(container.settings, "max_query_depth", 2)
        await socket.subscribe(MY_NOTIFICATIONS)
        assert (await socket.receive())["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    await subscribed(container, 0)


async def test_queries_over_the_socket_answer_once_and_complete(client, ws):
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        id_ = await socket.subscribe("{ me { displayName } }")
        assert (await socket.next())["data"] == {"me": {"displayName": "Alice"}}
        assert await socket.receive() == {"type": "complete", "id": id_}


async def test_the_legacy_graphql_ws_protocol_is_served(client, ws, container):
    alice = await client.register("Alice")
    async with ws.connect(protocol=LEGACY) as socket:
        assert (await socket.init(alice.token))["type"] == "connection_ack"
        id_ = await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await notify_member(container, decode_id(alice.id, "User"), "BADGE")
        message = await socket.receive()
        assert message["type"] == "data" and message["id"] == id_
        assert message["payload"]["data"]["myNotifications"]["kind"] == "BADGE"
        await socket.send({"type": "stop", "id": id_})
        await subscribed(container, 0)


async def test_no_task_or_connection_outlives_its_clients(client, ws, container):
    alice = await client.register("Alice")
    server = ws.app.state.websockets
    before = {t for t in asyncio.all_tasks() if not t.done()}
    for _ in range(3):
        async with ws.connect() as socket, ws.connect() as anonymous:
            await socket.init(alice.token)
            await anonymous.init()
            await socket.subscribe(MY_NOTIFICATIONS, {"after": None})
            await socket.subscribe(MY_NOTIFICATIONS)
            await subscribed(container, 2)
            assert len(server.connections) == 2
    for _ in range(100):
        leftover = {t for t in asyncio.all_tasks() if not t.done()} - before
        # The keep-alive ticker ends on its own at its next tick; the outbox relay's own
        # `wait_for(Event.wait())` comes and goes with its polling.
        leftover = {t for t in leftover if t.get_name() != "ws-keepalive"
                    and t.get_coro().__qualname__ != "Event.wait"}
        if not leftover and not server.connections:
            break
        await asyncio.sleep(0.02)
    assert not server.connections and not server.per_member
    assert container.realtime.subscription_count() == 0
    assert not leftover, leftover


async def _refused(ws, origin: str) -> None:
    """The handshake is refused (HTTP 403 from a server; close 4403 over the ASGI transport)."""
    try:
        async with ws.connect(headers={"origin": origin}):
            pass
    except Exception as refusal:  # an ExceptionGroup from the transport's task group
        assert "4403" in repr(refusal) or "403" in repr(refusal), refusal
        return
    raise AssertionError(f"{origin} was admitted")
