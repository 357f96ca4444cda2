"""postCreated, commentAdded, reactionChanged and moderationQueueChanged over WebSocket."""

from __future__ import annotations

from tests.api.community_support import BLOCK, REPORT, create_comment, create_post, react
from tests.realtime.support import subscribed

POST_CREATED = """subscription($topic: String) { postCreated(topic: $topic) {
  id body topics author { displayName } } }"""
COMMENT_ADDED = """subscription($postId: ID!) { commentAdded(postId: $postId) { id body
  author { displayName } } }"""
REACTION_CHANGED = """subscription($targetId: ID!) { reactionChanged(targetId: $targetId) {
  targetId reactionCount reactionCounts { kind count } } }"""
QUEUE_CHANGED = """subscription { moderationQueueChanged { openCount case { status reporterCount
  post { id } } } }"""


async def test_post_created_reaches_topic_subscribers_but_not_blockers(client, container, ws):
    alice, bob, carol = (await client.register("Alice"), await client.register("Bob"),
                         await client.register("Carol"))
    await client.execute(BLOCK, {"input": {"userId": alice.id}}, carol.token)
    async with ws.connect() as anonymous, ws.connect() as blocker, ws.connect() as other_topic:
        await anonymous.init()
        await blocker.init(carol.token)
        await other_topic.init(bob.token)
        await anonymous.subscribe(POST_CREATED, {"topic": "#Running"})
        await blocker.subscribe(POST_CREATED, {"topic": "running"})
        await other_topic.subscribe(POST_CREATED, {"topic": "tea"})
        await subscribed(container, 3)
        post = await create_post(client, alice, "Ran 10k", topics=["running"])
        pushed = (await anonymous.next())["data"]["postCreated"]
        assert pushed["id"] == post["id"] and pushed["author"] == {"displayName": "Alice"}
        await blocker.nothing_within(0.3)
        await other_topic.nothing_within(0.1)


async def test_comment_added_is_pushed_for_its_post_only(client, container, ws):
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Hello")
    other = await create_post(client, alice, "Other")
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe(COMMENT_ADDED, {"postId": post["id"]})
        await subscribed(container, 1)
        await create_comment(client, bob, other["id"], "elsewhere")
        comment = await create_comment(client, bob, post["id"], "Hi Alice")
        pushed = (await socket.next())["data"]["commentAdded"]
        assert pushed == {"id": comment["id"], "body": "Hi Alice",
                          "author": {"displayName": "Bob"}}
        await socket.nothing_within(0.3)


async def test_reaction_changed_pushes_the_current_counts(client, container, ws):
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "React!")
    async with ws.connect() as socket:
        await socket.init()
        await socket.subscribe(REACTION_CHANGED, {"targetId": post["id"]})
        await subscribed(container, 1)
        await react(client, bob, post["id"], "WOW")
        pushed = (await socket.next())["data"]["reactionChanged"]
        assert pushed == {"targetId": post["id"], "reactionCount": 1,
                          "reactionCounts": [{"kind": "WOW", "count": 1}]}
    async with ws.connect() as socket:
        await socket.init()
        await socket.subscribe(REACTION_CHANGED, {"targetId": alice.id})
        message = await socket.receive()
        assert message["type"] == "error"


async def test_moderation_queue_changes_reach_moderators_only(client, container, ws):
    mod = await client.member_with_roles(container, "MODERATOR")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Report me")
    async with ws.connect() as moderator, ws.connect() as member:
        await moderator.init(mod.token)
        await member.init(bob.token)
        await member.subscribe(QUEUE_CHANGED)
        refused = await member.receive()
        assert refused["type"] == "error"
        await moderator.subscribe(QUEUE_CHANGED)
        await subscribed(container, 1)
        await client.execute(REPORT, {"input": {"targetId": post["id"], "reason": "SPAM"}},
                             bob.token)
        pushed = (await moderator.next())["data"]["moderationQueueChanged"]
        assert pushed["openCount"] == 1
        assert pushed["case"] == {"status": "OPEN", "reporterCount": 1,
                                  "post": {"id": post["id"]}}


async def test_a_suspended_member_cannot_write_over_the_websocket_either(client, container, ws):
    from datetime import UTC, datetime, timedelta

    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    await client.execute("""mutation($input: SuspendUserInput!) { suspendUser(input: $input) {
        user { id } } }""", {"input": {"userId": alice.id, "until": until, "reason": "cool off"}},
        mod.token)
    async with ws.connect() as socket:
        await socket.init(alice.token)
        await socket.subscribe("""mutation { createPost(input: {body: "sneaky"}) { post { id } } }""")
        message = await socket.receive()
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"
