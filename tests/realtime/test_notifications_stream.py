from __future__ import annotations

import asyncio

from api.relay import decode_id
from domain.notifications.service import notify
from tests.realtime.support import MY_NOTIFICATIONS, notify_member, subscribed


async def test_a_member_receives_his_notification_after_commit(client, container, ws):
    alice, bob = await client.register("Alice"), await client.register("Bob")
    async with ws.connect() as socket:
        assert (await socket.init(alice.token))["type"] == "connection_ack"
        await socket.subscribe(MY_NOTIFICATIONS)
        await container.realtime.connected.wait()
        await subscribed(container, 1)
        await notify_member(container, decode_id(alice.id, "User"), "REPLY",
                            actor_id=decode_id(bob.id, "User"), excerpt="nice run")
        pushed = (await socket.next())["data"]["myNotifications"]
        assert pushed["kind"] == "REPLY" and pushed["data"] == {"excerpt": "nice run"}
        assert pushed["actor"] == {"displayName": "Bob"} and pushed["actorCount"] == 1


async def _ids(socket, count):
    received = []
    for _ in range(count):
        received.append((await socket.next())["data"]["myNotifications"])
    return received


async def test_a_member_never_receives_someone_elses_notifications(client, container, ws):
    alice, bob = await client.register("Alice"), await client.register("Bob")
    async with ws.connect() as alice_socket, ws.connect() as bob_socket:
        await alice_socket.init(alice.token)
        await bob_socket.init(bob.token)
        await alice_socket.subscribe(MY_NOTIFICATIONS)
        await bob_socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 2)
        await notify_member(container, decode_id(alice.id, "User"), "POINTS", secret="alice's")
        assert (await alice_socket.next())["data"]["myNotifications"]["data"] == {"secret": "alice's"}
        await bob_socket.nothing_within(0.5)


async def test_a_rolled_back_notification_is_never_pushed(client, container, ws):
    alice = await client.register("Alice")
    member_id = decode_id(alice.id, "User")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        async with container.uow() as uow:
            await notify(uow, member_id=member_id, kind="POINTS", data={"n": "rolled back"})
            # leaving without commit rolls back, the event with it
        await notify_member(container, member_id, "POINTS", n="kept")
        assert (await socket.next())["data"]["myNotifications"]["data"] == {"n": "kept"}
        await socket.nothing_within(0.3)


async def test_reconnecting_with_a_cursor_replays_what_was_missed_then_goes_live(client, container, ws):
    alice = await client.register("Alice")
    member_id = decode_id(alice.id, "User")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await notify_member(container, member_id, "POINTS", n=1)
        seen = (await socket.next())["data"]["myNotifications"]
    # offline: two more happen, one of them folds into an aggregate twice
    await notify_member(container, member_id, "BADGE", n=2)
    await notify_member(container, member_id, "REACTION", group_key="post:1", n=3)
    await notify_member(container, member_id, "REACTION", group_key="post:1", n=4)
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(MY_NOTIFICATIONS, {"after": seen["cursor"]})
        replayed = await _ids(socket, 2)
        assert [(n["kind"], n["data"]) for n in replayed] == [("BADGE", {"n": 2}),
                                                              ("REACTION", {"n": 4})]
        assert replayed[1]["actorCount"] == 2
        await subscribed(container, 1)
        await notify_member(container, member_id, "COUPON", n=5)
        live = await socket.next()
        assert live["data"]["myNotifications"]["data"] == {"n": 5}
        await socket.nothing_within(0.3)


async def test_notifications_arriving_during_the_replay_come_once_and_none_is_lost(
        client, container, ws):
    alice = await client.register("Alice")
    member_id = decode_id(alice.id, "User")
    first = await notify_member(container, member_id, "POINTS", n=0)
    cursor = await _cursor_of(container, first)
    for n in range(1, 30):
        await notify_member(container, member_id, "POINTS", n=n)

    async def more_while_subscribing():
        for n in range(30, 60):
            await notify_member(container, member_id, "POINTS", n=n)

    async with ws.connect() as socket:
        await socket.init(alice.token)
        writer = asyncio.create_task(more_while_subscribing())
        await socket.subscribe(MY_NOTIFICATIONS, {"after": cursor})
        received = await _ids(socket, 59)
        await writer
        await socket.nothing_within(0.5)
    numbers = [n["data"]["n"] for n in received]
    assert sorted(numbers) == list(range(1, 60))  # every one, exactly once


async def test_role_changes_notify_the_member(client, container, ws):
    admin = await client.member_with_roles(container, "ADMIN")
    bob = await client.register("Bob")
    async with ws.connect() as socket:
        await socket.init(bob.token)
        await socket.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 1)
        await client.execute("""mutation($id: ID!) { grantRole(input: {userId: $id, role: MODERATOR})
                               { user { id } } }""", {"id": bob.id}, token=admin.token)
        pushed = (await socket.next())["data"]["myNotifications"]
        assert pushed["kind"] == "SYSTEM"
        assert pushed["data"] == {"reason": "ROLES_CHANGED", "roles": ["MEMBER", "MODERATOR"]}


async def _cursor_of(container, notification_id):
    from sqlalchemy import select

    from api.relay import encode_cursor
    from domain.notifications.models import Notification

    async with container.engine.connect() as conn:
        seq = await conn.scalar(select(Notification.seq).where(Notification.id == notification_id))
    return encode_cursor(seq)


async def test_one_event_is_rendered_once_for_subscriptions_sharing_a_document(
        client, container, ws, monkeypatch):
    from api.realtime.subscription import Subscription

    renders = []
    original = Subscription.render

    async def counting(self, container_, obj):
        renders.append(self.id)
        return await original(self, container_, obj)

    monkeypatch.setattr(Subscription, "render", counting)
    alice = await client.register("Alice")
    async with ws.connect() as phone, ws.connect() as tablet:
        await phone.init(alice.token)
        await tablet.init(alice.token)
        await phone.subscribe(MY_NOTIFICATIONS)
        await tablet.subscribe(MY_NOTIFICATIONS)
        await subscribed(container, 2)
        await notify_member(container, decode_id(alice.id, "User"), "POINTS")
        assert (await phone.next()) == (await tablet.next())
    assert len(renders) == 1
