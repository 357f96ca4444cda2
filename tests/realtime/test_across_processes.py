"""Two real server processes, Redis in between; and Redis dropping the hub's connection."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import websockets

from api.relay import decode_id
from tests.realtime.servers import server_processes
from tests.realtime.support import MY_NOTIFICATIONS, notify_member, subscribed

GRANT = """mutation($id: ID!) { grantRole(input: {userId: $id, role: MODERATOR}) { user { id } } }"""


@pytest.fixture(scope="module")
def two_servers(settings, tmp_path_factory):
    with server_processes(settings, 2, tmp_path_factory.mktemp("servers")) as servers:
        yield servers


@contextlib.asynccontextmanager
async def live_subscription(url: str, token: str, query: str,
                            variables: dict[str, Any] | None = None) -> AsyncIterator[Any]:
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:
        # offered by the client, declined by the server: no per-message compression
        assert "deflate" not in (socket.response.headers.get("sec-websocket-extensions") or "")
        await socket.send(_text({"type": "connection_init",
                                 "payload": {"authorization": f"Bearer {token}"}}))
        assert orjson.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(_text({"id": "1", "type": "subscribe",
                                 "payload": {"query": query, "variables": variables or {}}}))
        # messages are handled in order: the pong means the subscription is registered
        await socket.send(_text({"type": "ping"}))
        assert orjson.loads(await socket.recv())["type"] == "pong"
        yield socket


async def next_payload(socket: Any, within: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(within):
        while True:
            message = orjson.loads(await socket.recv())
            if message["type"] == "next":
                return message["payload"]
            assert message["type"] in ("ping", "pong"), message


async def test_a_mutation_on_one_process_reaches_a_subscriber_on_another(client, container,
                                                                          two_servers):
    first, second = two_servers
    admin = await client.member_with_roles(container, "ADMIN")
    bob = await client.register("Bob")
    async with live_subscription(first.ws_url, bob.token, MY_NOTIFICATIONS) as socket:
        async with httpx.AsyncClient(base_url=second.http_url) as http:
            response = await http.post("/graphql", json={"query": GRANT, "variables": {"id": bob.id}},
                                       headers={"authorization": f"Bearer {admin.token}"})
            assert "errors" not in response.json(), response.json()
        pushed = (await next_payload(socket))["data"]["myNotifications"]
        assert pushed["data"]["roles"] == ["MEMBER", "MODERATOR"]


async def test_delivery_resumes_when_redis_kills_the_pubsub_connection(client, container, ws,
                                                                       monkeypatch):
    hub = container.realtime
    monkeypatch.setattr(hub, "min_backoff", 0.5)  # a window in which events go unheard
    alice = await client.register("Alice")
    member_id = decode_id(alice.id, "User")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await notify_member(container, member_id, "POINTS", n=1)
        assert (await socket.next())["data"]["myNotifications"]["data"] == {"n": 1}
        connections_before = hub.connections_made
        killed = await container.redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
        assert killed >= 1
        # published while no process listens: pub/sub drops it, the hub's catch-up must not
        await notify_member(container, member_id, "POINTS", n=2)
        assert (await socket.next(within=10))["data"]["myNotifications"]["data"] == {"n": 2}
        assert hub.connections_made > connections_before
        await notify_member(container, member_id, "POINTS", n=3)
        assert (await socket.next())["data"]["myNotifications"]["data"] == {"n": 3}
        await socket.nothing_within(0.3)


async def test_the_python_gql_client_subscribes(client, container, two_servers):
    from gql import Client, gql
    from gql.transport.websockets import WebsocketsTransport

    alice = await client.register("Alice")
    transport = WebsocketsTransport(
        url=two_servers[0].ws_url, init_payload={"authorization": f"Bearer {alice.token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
    received: list[dict[str, Any]] = []

    async def consume() -> None:
        async with Client(transport=transport) as session:
            async for result in session.subscribe(gql(MY_NOTIFICATIONS)):
                received.append(result)
                return

    consumer = asyncio.create_task(consume())
    await until_done(consumer, lambda: notify_member(container, decode_id(alice.id, "User"),
                                                     "LEVEL_UP", level=2))
    assert received[0]["myNotifications"]["kind"] == "LEVEL_UP"


def _text(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()  # graphql-transport-ws messages are text frames


JS_CLIENTS = Path(__file__).resolve().parents[1] / "js"


@pytest.mark.skipif(shutil.which("node") is None or not (JS_CLIENTS / "node_modules" / "graphql-ws").exists(),
                    reason="node or tests/js/node_modules missing (cd tests/js && npm install)")
async def test_the_graphql_ws_npm_client_subscribes(client, container, two_servers):
    alice = await client.register("Alice")
    node = await asyncio.create_subprocess_exec(
        "node", str(JS_CLIENTS / "subscribe.mjs"), two_servers[0].ws_url, alice.token, MY_NOTIFICATIONS,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    finished = asyncio.create_task(node.communicate())
    await until_done(finished, lambda: notify_member(container, decode_id(alice.id, "User"),
                                                     "COUPON", code="SAVE10"))
    out, _ = finished.result()
    result = orjson.loads(out.splitlines()[-1])
    assert result["data"]["myNotifications"]["data"] == {"code": "SAVE10"}, result


async def until_done(task: asyncio.Task[Any], send: Any, within: float = 15.0) -> None:
    """Sends an event every 0.3 s until a client that subscribed on its own schedule got one."""
    async with asyncio.timeout(within):
        while not task.done():
            await send()
            await asyncio.wait({task}, timeout=0.3)
    task.result()


async def test_a_keyword_rule_set_on_one_process_applies_at_once_on_another(
        client, container, two_servers):
    """Each process keeps the keyword rules in memory; a change made through another process
    must still apply to the very next post (the rules' version in Redis moved)."""
    first, second = two_servers
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    create = """mutation($b: String!) { createPost(input: {body: $b}) { post { status } } }"""
    set_rule = """mutation { setKeywordRule(input: {keyword: "casino", action: BLOCK})
        { rule { id } } }"""
    delete_rule = """mutation($id: ID!) { deleteKeywordRule(input: {ruleId: $id})
        { deletedRuleId } }"""

    async def post(http: httpx.AsyncClient, body: str) -> dict[str, Any]:
        response = await http.post("/graphql", json={"query": create, "variables": {"b": body}},
                                   headers={"authorization": f"Bearer {alice.token}"})
        return response.json()

    async with httpx.AsyncClient(base_url=first.http_url) as one, \
            httpx.AsyncClient(base_url=second.http_url) as other:
        for n in range(2):  # the first process has read (and now holds) the empty rule set
            assert (await post(one, f"casino night {n}"))["data"]["createPost"]["post"][
                "status"] == "PUBLISHED"
        response = await other.post("/graphql", json={"query": set_rule},
                                    headers={"authorization": f"Bearer {mod.token}"})
        rule_id = response.json()["data"]["setKeywordRule"]["rule"]["id"]
        refused = await post(one, "casino night again")
        assert refused["errors"][0]["extensions"]["reason"] == "CONTENT_BLOCKED", refused
        response = await other.post("/graphql", json={"query": delete_rule,
                                                      "variables": {"id": rule_id}},
                                    headers={"authorization": f"Bearer {mod.token}"})
        assert "errors" not in response.json(), response.json()
        assert "errors" not in await post(one, "casino night once more")
