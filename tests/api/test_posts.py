"""Posts: creation with topics and mentions, lists, edits, deletion."""

from __future__ import annotations

from tests.api.community_support import (
    POST,
    POSTS,
    create_post,
    latest_ids,
    notifications,
)
from tests.support import GraphQLClient


async def test_post_is_created_with_normalized_topics_and_listed_newest_first(
        client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    first = await create_post(client, alice, "  Morning run done  ", topics=["#Running", " running", "Ｃoffee"])
    second = await create_post(client, alice, "Second post")
    assert first["body"] == "Morning run done"
    assert first["topics"] == ["running", "coffee"]
    assert first["status"] == "PUBLISHED"
    assert first["author"]["displayName"] == "Alice"
    assert await latest_ids(client) == [second["id"], first["id"]]
    assert await latest_ids(client, topic="#RUNNING") == [first["id"]]


async def test_mentioned_member_is_notified(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Great ride with @bob today")
    [note] = await notifications(client, bob)
    assert note["kind"] == "MENTION" and note["subjectId"] == post["id"]
    assert note["actor"]["displayName"] == "Alice"


async def test_pages_follow_cursors_without_gaps(client: GraphQLClient) -> None:
    authors = [await client.register() for _ in range(3)]
    made = [await create_post(client, authors[i % 3], f"post {i}") for i in range(7)]
    seen: list[str] = []
    after = None
    while True:
        data = (await client.execute(POSTS, {"first": 3, "after": after, "order": "HOT"}))["posts"]
        seen += [e["node"]["id"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(p["id"] for p in made)


async def test_author_edits_and_deletes_his_post_others_cannot(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Frist!")
    update = """mutation($input: UpdatePostInput!) { updatePost(input: $input) { post { body } } }"""
    error = await client.error(update, {"input": {"postId": post["id"], "body": "mine"}}, bob.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    data = await client.execute(update, {"input": {"postId": post["id"], "body": "First!"}},
                                alice.token)
    assert data["updatePost"]["post"]["body"] == "First!"
    delete = """mutation($input: DeletePostInput!) { deletePost(input: $input) { post { status } } }"""
    assert (await client.error(delete, {"input": {"postId": post["id"]}}, bob.token)
            )["extensions"]["code"] == "FORBIDDEN"
    data = await client.execute(delete, {"input": {"postId": post["id"]}}, alice.token)
    assert data["deletePost"]["post"]["status"] == "REMOVED"
    assert await latest_ids(client) == []
    assert (await client.execute(POST, {"id": post["id"]}))["post"] is None


async def test_edit_history_is_for_moderators(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    mod = await client.member_with_roles(container, "MODERATOR")
    post = await create_post(client, alice, "v1")
    await client.execute("""mutation($input: UpdatePostInput!) { updatePost(input: $input) {
        post { id } } }""", {"input": {"postId": post["id"], "body": "v2"}}, alice.token)
    query = "query($id: ID!) { post(id: $id) { body editHistory { body } } }"
    assert (await client.execute(query, {"id": post["id"]}, alice.token))["post"] == {
        "body": "v2", "editHistory": None}
    assert (await client.execute(query, {"id": post["id"]}, mod.token))["post"][
        "editHistory"] == [{"body": "v1"}]
