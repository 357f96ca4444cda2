from __future__ import annotations

from api.relay import decode_id
from tests.realtime.support import MY_NOTIFICATIONS, notify_member


async def test_a_member_receives_his_notification_after_commit(client, container, ws):
    alice = await client.register("Alice")
    async with ws.connect() as socket:
        assert (await socket.init(alice.token))["type"] == "connection_ack"
        await socket.subscribe(MY_NOTIFICATIONS)
        await container.realtime.connected.wait()
        await _settled(container)
        await notify_member(container, decode_id(alice.id, "User"), "POINTS", points=5)
        payload = await socket.next()
        assert payload["data"]["myNotifications"]["kind"] == "POINTS"
        assert payload["data"]["myNotifications"]["data"] == {"points": 5}


async def _settled(container):
    import asyncio

    for _ in range(50):
        if container.realtime.subscription_count():
            return
        await asyncio.sleep(0.02)
