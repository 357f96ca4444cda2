"""The fixed cost of createPost: the statements its transaction runs, pinned."""

from __future__ import annotations

from sqlalchemy import event

from tests.support import GraphQLClient

CREATE = """mutation($input: CreatePostInput!) { createPost(input: $input) { post { id } } }"""


async def test_create_post_with_topics_and_a_mention_runs_a_fixed_number_of_statements(
        client: GraphQLClient, container) -> None:
    author = await client.register("Author")
    mentioned = await client.register("member2")
    await client.execute(CREATE, {"input": {"body": "warm @member2", "topics": ["run"]}},
                         author.token)
    await container.relay.drain()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if "FROM outbox" not in statement:  # the relay's polling shares the engine
            statements.append(statement)

    event.listen(container.engine.sync_engine, "before_cursor_execute", count)
    try:
        await client.execute(CREATE, {"input": {"body": "hello @member2",
                                                "topics": ["run", "tea", "gear"]}}, author.token)
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", count)
    # Was 17: mentions resolved inside the post's INSERT, now() taken from its created_at,
    # counter + activity day + consent in one statement, the block check inside the
    # notification's INSERT, the point rule read with its idempotency keys.
    # 10: the keyword rules are held in process while their version in Redis stands.
    assert len(statements) <= 10, "\n".join(statements)
    data = await client.execute("""query { notifications(first: 5) { edges { node { kind } } } }""",
                                token=mentioned.token)
    assert [e["node"]["kind"] for e in data["notifications"]["edges"]] == ["MENTION", "MENTION"]
