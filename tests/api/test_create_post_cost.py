"""The fixed cost of createPost: the statements its transaction runs, pinned."""

from __future__ import annotations

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
