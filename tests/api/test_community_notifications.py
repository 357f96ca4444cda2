"""Notifications over HTTP: listing, aggregation, unread count, marking read; names screened."""

from __future__ import annotations

from tests.api.community_support import POST, create_comment, create_post, notifications, react
from tests.support import GraphQLClient

UNREAD = "query { me { unreadNotificationCount } }"
MARK = """mutation($ids: [ID!]) { markNotificationsRead(input: {ids: $ids}) {
  markedCount unreadCount } }"""


async def test_reactions_aggregate_and_marking_read_starts_a_new_group(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    fans = [await client.register(f"Fan{i}") for i in range(3)]
    post = await create_post(client, alice, "Like me")
    for fan in fans:
        await react(client, fan, post["id"])
    [note] = await notifications(client, alice)
    assert (note["kind"], note["actorCount"], note["actor"]["displayName"]) == (
        "REACTION", 3, "Fan2")
    assert (await client.execute(UNREAD, token=alice.token))["me"]["unreadNotificationCount"] == 1
    data = await client.execute(MARK, {"ids": None}, alice.token)
    assert data["markNotificationsRead"] == {"markedCount": 1, "unreadCount": 0}
    late = await client.register("Late")
    await react(client, late, post["id"])
    notes = await notifications(client, alice)
    assert [(n["actorCount"], n["readAt"] is None) for n in notes] == [(1, True), (3, False)]
    unread = await client.execute("query { notifications(first: 5, unreadOnly: true) { edges {"
                                  " node { id } } } }", token=alice.token)
    assert len(unread["notifications"]["edges"]) == 1


async def test_others_see_no_unread_count_and_node_resolves_posts_and_comments(
        client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Node me")
    comment = await create_comment(client, bob, post["id"], "And me")
    query = "query($id: ID!) { user(id: $id) { unreadNotificationCount } }"
    assert (await client.execute(query, {"id": alice.id}, bob.token))["user"][
        "unreadNotificationCount"] is None
    node = """query($p: ID!, $c: ID!) { p: node(id: $p) { ... on Post { body } }
        c: node(id: $c) { ... on Comment { body post { id } } } }"""
    data = await client.execute(node, {"p": post["id"], "c": comment["id"]})
    assert data == {"p": {"body": "Node me"}, "c": {"body": "And me", "post": {"id": post["id"]}}}
    wrong = await client.error(POST, {"id": comment["id"]})
    assert wrong["extensions"]["code"] == "BAD_USER_INPUT"


async def test_keyword_rules_apply_to_display_names(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    await client.execute("""mutation { setKeywordRule(input: {keyword: "admin", action: BLOCK}) {
        rule { id } } }""", token=mod.token)
    error = await client.error("""mutation { register(input: {email: "x@example.com",
        password: "correct horse battery", displayName: "Real A.d.m.i.n"}) { accessToken } }""")
    assert error["extensions"]["reason"] == "CONTENT_BLOCKED"
    alice = await client.register("Alice")
    error = await client.error("""mutation { updateProfile(input: {displayName: "ＡＤＭＩＮ"}) {
        user { displayName } } }""", token=alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
