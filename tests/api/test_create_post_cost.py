"""The fixed cost of the community's writes: the statements their transactions run, pinned."""

from __future__ import annotations

from tests.api.community_support import create_comment, create_post, react
from tests.support import GraphQLClient, recorded_statements

CREATE = """mutation($input: CreatePostInput!) { createPost(input: $input) { post { id } } }"""


async def test_create_post_with_topics_and_a_mention_runs_a_fixed_number_of_statements(
        client: GraphQLClient, container) -> None:
    author = await client.register("Author")
    mentioned = await client.register("member2")
    await client.execute(CREATE, {"input": {"body": "warm @member2", "topics": ["run"]}},
                         author.token)
    await container.relay.drain()
    # The relay's polling shares the engine.
    with recorded_statements(container, lambda s: "FROM outbox" not in s) as statements:
        await client.execute(CREATE, {"input": {"body": "hello @member2",
                                                "topics": ["run", "tea", "gear"]}}, author.token)
    # Was 17: mentions resolved inside the post's INSERT, now() taken from its created_at,
    # counter + activity day + consent in one statement, the block check inside the
    # notification's INSERT, the point rule read with its idempotency keys.
    # 10: the keyword rules are held in process while their version in Redis stands.
    # 9: the posts counter and the badge tiers it reaches in one statement.
    # 8: the point rule, its keys and the day's count toward the cap in one statement.
    assert len(statements) == 8, "\n".join(statements)
    data = await client.execute("""query { notifications(first: 5) { edges { node { kind } } } }""",
                                token=mentioned.token)
    assert [e["node"]["kind"] for e in data["notifications"]["edges"]] == ["MENTION", "MENTION"]


async def test_a_comment_and_a_first_reaction_run_a_fixed_number_of_statements(
        client: GraphQLClient, container) -> None:
    alice, bob, carol = [await client.register(n) for n in ("Alice", "Bob", "Carol")]
    post = await create_post(client, alice, "Hello")
    await create_comment(client, bob, post["id"], "warm")
    await container.relay.drain()
    with recorded_statements(container, lambda s: "FROM outbox" not in s) as statements:
        await create_comment(client, bob, post["id"], "nice one")
    # now() comes from the comment's created_at, not a SELECT of its own.
    assert len(statements) == 12, "\n".join(statements)
    with recorded_statements(container, lambda s: "FROM outbox" not in s) as statements:
        reacted = await react(client, carol, post["id"])
    # A first reaction is inserted before anything is read (no SELECT … FOR UPDATE of a
    # reaction that is not there), and now() comes from its created_at.
    assert len(statements) == 14, "\n".join(statements)
    assert reacted["post"]["reactionCount"] == 1
    changed = await react(client, carol, post["id"], "LOVE")  # the existing one is read
    assert changed["viewerReaction"] == "LOVE"
    assert changed["post"]["reactionCounts"] == [{"kind": "LOVE", "count": 1}]
