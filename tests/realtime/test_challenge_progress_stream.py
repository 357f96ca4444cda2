"""`challengeProgress(challengeId)` pushes the subscriber's own progress, after commit."""

from __future__ import annotations

from api.relay import decode_id
from domain.events import PostCreated
from tests.api.campaign_support import JOIN, create_challenge, publish
from tests.realtime.support import subscribed

PROGRESS = """subscription($id: ID!) { challengeProgress(challengeId: $id) {
  challengeId progress target completed } }"""


async def test_a_participant_sees_his_progress_and_nobody_elses(client, container, ws):
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    challenge = await create_challenge(client, marketer, target=2)
    for member in (alice, bob):
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
    async with ws.connect() as alice_socket, ws.connect() as bob_socket:
        await alice_socket.init(alice.token)
        await bob_socket.init(bob.token)
        await alice_socket.subscribe(PROGRESS, {"id": challenge["id"]})
        await bob_socket.subscribe(PROGRESS, {"id": challenge["id"]})
        await subscribed(container, 2)
        for post_id in (1, 2):
            await publish(container, PostCreated(post_id=post_id,
                                                 author_id=decode_id(alice.id, "User"),
                                                 topics=["running"], status="PUBLISHED"))
            pushed = (await alice_socket.next())["data"]["challengeProgress"]
            assert pushed == {"challengeId": challenge["id"], "progress": post_id,
                              "target": 2, "completed": post_id == 2}
        await bob_socket.nothing_within(0.5)


async def test_anonymous_sockets_cannot_follow_progress(client, container, ws):
    marketer = await client.member_with_roles(container, "MARKETER")
    challenge = await create_challenge(client, marketer)
    async with ws.connect() as socket:
        await socket.init()
        await socket.subscribe(PROGRESS, {"id": challenge["id"]})
        message = await socket.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
