"""Abuse limits: per-member rates in Redis and the ten-minute duplicate check."""

from __future__ import annotations

from tests.api.community_support import CREATE_COMMENT, CREATE_POST, REPORT, create_post
from tests.support import GraphQLClient


async def test_the_same_body_twice_within_ten_minutes_is_a_conflict(client: GraphQLClient) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await create_post(client, alice, "Buy my shoes")
    error = await client.error(CREATE_POST, {"input": {"body": "  buy MY   shoes "}}, alice.token)
    assert error["extensions"]["code"] == "CONFLICT"
    await create_post(client, bob, "Buy my shoes")  # another member may say the same


async def test_posting_faster_than_the_minute_limit_is_rate_limited(
        client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    limit = container.settings.posts_per_minute
    for i in range(limit):
        await create_post(client, alice, f"post number {i}")
    error = await client.error(CREATE_POST, {"input": {"body": "one more"}}, alice.token)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] >= 1


async def test_comment_and_report_limits(client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Hello")
    for i in range(container.settings.comments_per_minute):
        await client.execute(CREATE_COMMENT, {"input": {"postId": post["id"], "body": f"c{i}"}},
                             bob.token)
    error = await client.error(CREATE_COMMENT, {"input": {"postId": post["id"], "body": "more"}},
                               bob.token)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    authors = [await client.register() for _ in range(6)]
    posts = [await create_post(client, authors[i % 6], f"p{i}")
             for i in range(container.settings.reports_per_day + 1)]
    for p in posts[:-1]:
        await client.execute(REPORT, {"input": {"targetId": p["id"], "reason": "SPAM"}}, bob.token)
    error = await client.error(REPORT, {"input": {"targetId": posts[-1]["id"], "reason": "SPAM"}},
                               bob.token)
    assert error["extensions"]["code"] == "RATE_LIMITED"
