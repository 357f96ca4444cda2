"""Shares with referral codes, follows of members and topics, the feed, blocks."""

from __future__ import annotations

from sqlalchemy import select

from domain.community.models import Share
from tests.api.community_support import (
    BLOCK,
    FOLLOW,
    create_comment,
    create_post,
    latest_ids,
    notifications,
    react,
)
from tests.support import GraphQLClient

SHARE = """mutation($input: SharePostInput!) { sharePost(input: $input) {
  shareUrl referralCode post { shareCount } reward { points } } }"""
FEED = "query { feed(first: 20) { edges { node { id } } } }"
FOLLOWERS = """query($id: ID!) { user(id: $id) { followers(first: 10) { edges { node { displayName } } }
  following(first: 10) { edges { node { displayName } } } } }"""


async def test_share_url_carries_the_sharers_referral_code_and_is_recorded(
        client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Share me")
    data = (await client.execute(SHARE, {"input": {"postId": post["id"], "channel": "wechat"}},
                                 bob.token))["sharePost"]
    code = data["referralCode"]
    assert code and data["shareUrl"].endswith(f"?ref={code}")
    assert data["post"]["shareCount"] == 1
    async with container.uow() as uow:
        share = (await uow.session.scalars(select(Share))).one()
    assert (share.channel, share.referral_code) == ("WECHAT", code)
    assert share.member_id == share.code_owner_id


async def test_follow_member_notifies_and_lists_followers(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    data = await client.execute(FOLLOW, {"input": {"userId": alice.id}}, bob.token)
    assert data["follow"]["following"] is True
    await client.execute(FOLLOW, {"input": {"userId": alice.id}}, bob.token)  # idempotent
    users = (await client.execute(FOLLOWERS, {"id": alice.id}))["user"]
    assert [e["node"]["displayName"] for e in users["followers"]["edges"]] == ["Bob"]
    assert [n["kind"] for n in await notifications(client, alice)] == ["FOLLOW"]
    error = await client.error(FOLLOW, {"input": {"userId": bob.id}}, bob.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_feed_puts_followed_members_and_topics_first_then_hot(client: GraphQLClient) -> None:
    alice, bob, carol, dave = [await client.register(n) for n in ("Alice", "Bob", "Carol", "Dave")]
    hot = await create_post(client, carol, "Very popular")
    for fan in (alice, bob):
        await react(client, fan, hot["id"])
    await create_comment(client, alice, hot["id"], "wow")
    followed_member = await create_post(client, alice, "From Alice")
    followed_topic = await create_post(client, carol, "Tea time", topics=["tea"])
    plain = await create_post(client, carol, "Plain")
    await client.execute(FOLLOW, {"input": {"userId": alice.id}}, dave.token)
    await client.execute(FOLLOW, {"input": {"topic": "#Tea"}}, dave.token)
    ids = [e["node"]["id"] for e in (await client.execute(FEED, token=dave.token))["feed"]["edges"]]
    assert set(ids[:2]) == {followed_member["id"], followed_topic["id"]}
    # At most two posts of one author a page (personalized feed): Carol's third waits.
    assert ids[2:] == [hot["id"]]
    more = [e["node"]["id"] for e in (await client.execute(FEED, token=dave.token))["feed"]["edges"]]
    assert more == [plain["id"]]


async def test_blocked_members_content_and_notifications_never_reach_the_blocker(
        client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await client.execute(BLOCK, {"input": {"userId": bob.id}}, alice.token)
    post = await create_post(client, bob, "Hey @alice")
    mine = await create_post(client, alice, "Mine")
    assert await latest_ids(client, alice) == [mine["id"]]
    assert set(await latest_ids(client)) == {post["id"], mine["id"]}
    error = await client.error("""mutation($input: CreateCommentInput!) { createComment(input: $input)
        { comment { id } } }""", {"input": {"postId": mine["id"], "body": "hi"}}, bob.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    await react(client, bob, mine["id"])
    assert await notifications(client, alice) == []
    unblock = "mutation($input: BlockInput!) { unblockUser(input: $input) { blocked } }"
    await client.execute(unblock, {"input": {"userId": bob.id}}, alice.token)
    assert len(await latest_ids(client, alice)) == 2


async def test_profile_lists_members_posts_with_his_pending_ones_to_himself(
        client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    await client.execute("""mutation { setKeywordRule(input: {keyword: "casino", action: REVIEW})
        { rule { id } } }""", token=mod.token)
    alice, bob = await client.register("Alice"), await client.register("Bob")
    shown = await create_post(client, alice, "Hello")
    pending = await create_post(client, alice, "Best CASINO in town")
    assert pending["status"] == "PENDING"
    query = "query($id: ID!) { user(id: $id) { posts(first: 10) { edges { node { id } } } } }"
    own = (await client.execute(query, {"id": alice.id}, alice.token))["user"]["posts"]["edges"]
    other = (await client.execute(query, {"id": alice.id}, bob.token))["user"]["posts"]["edges"]
    assert [e["node"]["id"] for e in own] == [pending["id"], shown["id"]]
    assert [e["node"]["id"] for e in other] == [shown["id"]]
