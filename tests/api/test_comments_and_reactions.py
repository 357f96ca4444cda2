"""Comments one level deep, reactions one per member, exact counts under concurrency."""

from __future__ import annotations

import asyncio

from tests.api.community_support import (
    POST,
    REACT,
    UNREACT,
    create_comment,
    create_post,
    notifications,
    react,
)
from tests.support import GraphQLClient

COMMENTS = """query($id: ID!) { post(id: $id) { commentCount comments(first: 10) { edges { node {
  body replyCount replies(first: 10) { edges { node { body } } } } } } } }"""


async def test_comments_and_replies_are_counted_and_nested_one_level(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Where to run in Paris?")
    top = await create_comment(client, bob, post["id"], "Along the Seine")
    reply = await create_comment(client, alice, post["id"], "Thanks!", parent_id=top["id"])
    assert reply["parent"] == {"id": top["id"]}
    data = (await client.execute(COMMENTS, {"id": post["id"]}))["post"]
    assert data["commentCount"] == 2
    [node] = [e["node"] for e in data["comments"]["edges"]]
    assert node["replyCount"] == 1
    assert [e["node"]["body"] for e in node["replies"]["edges"]] == ["Thanks!"]
    error = await client.error("""mutation($input: CreateCommentInput!) { createComment(input: $input)
        { comment { id } } }""", {"input": {"postId": post["id"], "body": "deeper",
                                            "parentId": reply["id"]}}, bob.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["reason"] == "REPLY_TO_REPLY"
    kinds = sorted(n["kind"] for n in await notifications(client, alice))
    assert kinds == ["COMMENT"]
    assert [n["kind"] for n in await notifications(client, bob)] == ["REPLY"]


async def test_deleting_a_comment_keeps_the_count_exact(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Hello")
    comment = await create_comment(client, bob, post["id"], "Hi")
    delete = """mutation($input: DeleteCommentInput!) { deleteComment(input: $input) {
        comment { status } } }"""
    error = await client.error(delete, {"input": {"commentId": comment["id"]}}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    await client.execute(delete, {"input": {"commentId": comment["id"]}}, bob.token)
    data = (await client.execute(COMMENTS, {"id": post["id"]}))["post"]
    assert data["commentCount"] == 0 and data["comments"]["edges"] == []


async def test_a_new_kind_replaces_the_old_reaction(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Sunset")
    first = await react(client, bob, post["id"], "LIKE")
    assert first["post"]["reactionCount"] == 1
    again = await react(client, bob, post["id"], "LIKE")
    assert again["post"]["reactionCount"] == 1
    changed = await react(client, bob, post["id"], "LOVE")
    assert changed["post"] == {"reactionCount": 1,
                               "reactionCounts": [{"kind": "LOVE", "count": 1}]}
    viewer = (await client.execute(POST, {"id": post["id"]}, bob.token))["post"]
    assert viewer["viewerReaction"] == "LOVE"
    data = await client.execute(UNREACT, {"input": {"targetId": post["id"]}}, bob.token)
    assert data["unreact"]["post"]["reactionCount"] == 0
    [note] = await notifications(client, alice)
    assert note["kind"] == "REACTION" and note["actorCount"] == 1


async def test_reactions_on_comments_count_separately(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Post")
    comment = await create_comment(client, alice, post["id"], "Own comment")
    data = await react(client, bob, comment["id"], "HAHA")
    assert data["comment"]["reactionCount"] == 1 and data["post"] is None
    assert (await client.execute(POST, {"id": post["id"]}))["post"]["reactionCount"] == 0


async def test_two_hundred_members_reacting_at_once_count_two_hundred(
        client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Race me")
    sessions = await asyncio.gather(*(
        container.members.register(f"r{i}@example.com", "correct horse battery", f"R{i}")
        for i in range(200)))
    results = await asyncio.gather(*(client.post(REACT, {"input": {
        "targetId": post["id"], "kind": "LIKE" if i % 2 else "WOW"}}, s.access_token)
        for i, s in enumerate(sessions)))
    assert all("errors" not in r.json() for r in results)
    data = (await client.execute(POST, {"id": post["id"]}))["post"]
    assert data["reactionCount"] == 200
    assert sorted((c["kind"], c["count"]) for c in data["reactionCounts"]) == [
        ("LIKE", 100), ("WOW", 100)]
    [note] = await notifications(client, alice)
    assert note["actorCount"] == 200
