"""The hub's fan-out rules without servers: routing, visibility, one render per group, throttling."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from graphql import parse

from api.realtime import streams
from api.realtime.hub import RealtimeHub
from api.realtime.server import RealtimeServer
from api.realtime.streams import Stream
from api.realtime.subscription import Subscription
from domain.members.credentials import AccessClaims
from domain.members.models import Role
from rally.errors import Forbidden, Unauthenticated

TOPIC = "test.board_changed"


class BoardChanged(Stream):
    field = "testBoardChanged"
    topics = (TOPIC,)
    public = True
    throttle_seconds = 0.2

    def subscriber_key(self, viewer, args):
        return args["board"]

    def route(self, payload):
        return (payload["board"],)

    async def load(self, container, payload):
        return {"board": payload["board"], "version": payload["version"],
                "hidden": payload.get("hidden", False)}

    def visible(self, viewer, obj):
        return not obj["hidden"] or (viewer is not None and "MODERATOR" in viewer.roles)


class Recorded(Subscription):
    """Renders without a schema and counts renders, to check the sharing."""

    renders = 0

    async def render(self, container, obj):
        type(self).renders += 1
        return orjson.dumps(obj).decode()


@pytest.fixture
def hub(monkeypatch):
    stream = BoardChanged()
    monkeypatch.setitem(streams._streams, stream.field, stream)
    Recorded.renders = 0
    return RealtimeHub(container=None, redis_url="redis://127.0.0.1:1")  # type: ignore[arg-type]


def subscriber(hub: RealtimeHub, board: str, viewer: AccessClaims | None = None,
               query: str = "subscription { testBoardChanged { version } }") -> list[Any]:
    received: list[Any] = []
    stream = streams.stream_for("testBoardChanged")
    assert stream is not None
    sub = Recorded(id="1", stream=stream, key=board, viewer=viewer, document=parse(query),
                   query=query, operation_name=None, variables=None,
                   send=lambda id_, payload: received.append(orjson.loads(payload)))
    hub.add(sub)
    return received


def message(board: str, version: int, **extra: Any) -> bytes:
    return orjson.dumps({"id": version, "topic": TOPIC,
                         "payload": {"board": board, "version": version, **extra}})


async def test_an_event_reaches_only_the_subscribers_of_its_key(hub):
    a, b = subscriber(hub, "weekly"), subscriber(hub, "monthly")
    await hub._on_message(message("weekly", 1))
    await asyncio.sleep(0.01)
    assert [m["version"] for m in a] == [1] and b == []


async def test_subscribers_with_the_same_document_share_one_render(hub):
    inboxes = [subscriber(hub, "weekly") for _ in range(50)]
    other = subscriber(hub, "weekly", query="subscription { testBoardChanged { version board } }")
    await hub._on_message(message("weekly", 1))
    await asyncio.sleep(0.01)
    assert all(len(inbox) == 1 for inbox in [*inboxes, other])
    assert Recorded.renders == 2  # one per distinct document, not one per subscriber


async def test_hidden_objects_reach_only_those_allowed_to_see_them(hub):
    visitor = subscriber(hub, "weekly")
    moderator = subscriber(hub, "weekly", AccessClaims(1, frozenset({"MODERATOR"}), 0))
    await hub._on_message(message("weekly", 1, hidden=True))
    await asyncio.sleep(0.01)
    assert visitor == [] and [m["version"] for m in moderator] == [1]


async def test_a_burst_is_throttled_per_key_and_ends_with_the_latest_state(hub):
    weekly, monthly = subscriber(hub, "weekly"), subscriber(hub, "monthly")
    for version in range(1, 21):
        await hub._on_message(message("weekly", version))
    await hub._on_message(message("monthly", 100))
    await asyncio.sleep(0.05)
    assert [m["version"] for m in weekly] == [1]  # at once, then nothing inside the window
    assert [m["version"] for m in monthly] == [100]  # another key has its own window
    await asyncio.sleep(0.3)
    assert [m["version"] for m in weekly] == [1, 20]  # the window's end carries the latest
    await asyncio.sleep(0.3)
    assert [m["version"] for m in weekly] == [1, 20]  # and nothing is repeated


async def test_removed_subscriptions_receive_nothing_and_leave_no_index(hub):
    inbox = subscriber(hub, "weekly")
    (sub,) = hub._index["testBoardChanged"]["weekly"]
    hub.remove(sub)
    await hub._on_message(message("weekly", 1))
    await asyncio.sleep(0.01)
    assert inbox == [] and hub.subscription_count() == 0 and not hub._index["testBoardChanged"]


async def test_a_malformed_message_is_dropped(hub):
    inbox = subscriber(hub, "weekly")
    await hub._on_message(b"{oops")
    await hub._on_message(orjson.dumps({"topic": TOPIC}))
    assert inbox == []


def test_role_restricted_streams_refuse_other_members():
    moderator_only = (Role.MODERATOR,)
    member = AccessClaims(1, frozenset({"MEMBER"}), 0)
    with pytest.raises(Forbidden):
        RealtimeServer._authorize(member, False, moderator_only)
    with pytest.raises(Unauthenticated):
        RealtimeServer._authorize(None, False, moderator_only)
    RealtimeServer._authorize(AccessClaims(2, frozenset({"MODERATOR"}), 0), False, moderator_only)
    RealtimeServer._authorize(AccessClaims(3, frozenset({"ADMIN"}), 0), False, moderator_only)
    RealtimeServer._authorize(None, True, ())


class BlockAwareBoard(BoardChanged):
    field = "testBlockAware"
    throttle_seconds = None
    asked: list[set[int]] = []

    async def hidden_from(self, container, obj, member_ids):
        type(self).asked.append(set(member_ids))
        return {2}  # member 2 blocked the author


async def test_members_who_blocked_the_author_are_skipped_with_one_lookup_per_event(hub, monkeypatch):
    stream = BlockAwareBoard()
    monkeypatch.setitem(streams._streams, stream.field, stream)
    BlockAwareBoard.asked = []
    inboxes = {}
    for member_id in (1, 2, 3):
        received: list[Any] = []
        sub = Recorded(id="1", stream=stream, key="weekly",
                       viewer=AccessClaims(member_id, frozenset({"MEMBER"}), 0),
                       document=parse("subscription { x }"), query="subscription { x }",
                       operation_name=None, variables=None,
                       send=lambda id_, payload, inbox=received: inbox.append(payload))
        hub.add(sub)
        inboxes[member_id] = received
    await hub._on_message(message("weekly", 1))
    assert BlockAwareBoard.asked == [{1, 2, 3}]
    assert [len(inboxes[m]) for m in (1, 2, 3)] == [1, 0, 1]


async def test_sockets_are_frozen_out_of_full_collections_once_arrivals_settle(settings) -> None:
    import gc

    from api.realtime.server import RealtimeServer

    server = RealtimeServer(settings.model_copy(update={"ws_gc_freeze_after_seconds": 0.05}))
    gc.unfreeze()
    for _ in range(3):  # a burst of arrivals: one freeze, after it settles
        server._freeze_when_settled()
        await asyncio.sleep(0.01)
    assert gc.get_freeze_count() == 0
    await asyncio.sleep(0.15)
    assert gc.get_freeze_count() > 0


async def test_a_steady_stream_of_sockets_still_freezes_in_time(settings) -> None:
    import gc

    from api.realtime.server import RealtimeServer

    server = RealtimeServer(settings.model_copy(update={
        "ws_gc_freeze_after_seconds": 0.05, "ws_gc_refreeze_max_seconds": 0.1}))
    gc.unfreeze()
    for _ in range(12):  # arrivals every 20 ms never leave 50 ms of quiet
        server._freeze_when_settled()
        await asyncio.sleep(0.02)
    assert gc.get_freeze_count() > 0
