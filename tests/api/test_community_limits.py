"""Abuse limits: per-member rates in Redis and the ten-minute duplicate check."""

from __future__ import annotations

import pytest

from api.relay import decode_id
from domain.community.media import MediaService
from domain.community.models import MediaKind
from domain.community.posts import PostDraft, PostService
from rally.errors import Conflict, InvalidInput, RateLimited
from rally.uow import UnitOfWorkFactory
from tests.api.community_support import CREATE_COMMENT, CREATE_POST, REACT, REPORT, create_post
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


async def test_reactions_per_minute_are_limited(client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "React a lot")
    for i in range(container.settings.reactions_per_minute):
        await client.execute(REACT, {"input": {"targetId": post["id"],
                                               "kind": "LIKE" if i % 2 else "WOW"}}, bob.token)
    error = await client.error(REACT, {"input": {"targetId": post["id"], "kind": "SAD"}}, bob.token)
    assert error["extensions"]["code"] == "RATE_LIMITED"


async def test_daily_post_limit_and_long_comments(container) -> None:
    settings = container.settings.model_copy(update={"posts_per_minute": 1000,
                                                      "posts_per_day": 3})
    uow = UnitOfWorkFactory(container.uow.sessions, container.uow.bus, settings)
    posts = PostService(uow, container.limiter, container.redis, container.media,
                        container.keyword_rules)
    author = (await container.members.register("daily@example.com", "correct horse battery",
                                               "Daily")).member.id
    for i in range(3):
        await posts.create(author, PostDraft(f"post {i}"))
    with pytest.raises(RateLimited):
        await posts.create(author, PostDraft("fourth"))
    with pytest.raises(InvalidInput):
        await container.comments.create(author, 1, "x" * (settings.comment_max_chars + 1))


async def test_an_expired_upload_url_is_refused(client: GraphQLClient, container) -> None:
    settings = container.settings.model_copy(update={"upload_url_ttl_seconds": -1})
    media = MediaService(UnitOfWorkFactory(container.uow.sessions, container.uow.bus, settings))
    alice = await client.register("Alice")
    ticket = await media.request_upload(decode_id(alice.id, "User"), MediaKind.IMAGE,
                                        "image/png", 3)
    path = ticket.upload_url.split("/media/", 1)[1]
    response = await client.http.put("/media/" + path, content=b"abc",
                                     headers={"content-type": "image/png"})
    assert response.status_code == 403


async def test_a_refused_post_is_counted_in_no_window(container) -> None:
    """Limits and the duplicate check are one Redis script: a duplicate or a post refused by
    the daily limit takes no slot of the minute window, and a refused one takes no claim."""
    settings = container.settings.model_copy(update={"posts_per_minute": 3, "posts_per_day": 4})
    uow = UnitOfWorkFactory(container.uow.sessions, container.uow.bus, settings)
    posts = PostService(uow, container.limiter, container.redis, container.media,
                        container.keyword_rules)
    author = (await container.members.register("window@example.com", "correct horse battery",
                                               "Window")).member.id
    await posts.create(author, PostDraft("first"))
    await posts.create(author, PostDraft("second"))
    for _ in range(3):
        with pytest.raises(Conflict):
            await posts.create(author, PostDraft("second"))
    await posts.create(author, PostDraft("third"))  # the duplicates took no slot
    with pytest.raises(RateLimited) as refused:
        await posts.create(author, PostDraft("fourth"))
    assert refused.value.extensions["limit"] == "posts-min"
    assert refused.value.retry_after > 0
    await container.redis.delete(f"rally:rl:posts-min:{{{author}}}")  # the minute has passed
    await posts.create(author, PostDraft("fourth"))  # refused before: no claim was left
    with pytest.raises(RateLimited) as refused:
        await posts.create(author, PostDraft("fifth"))
    assert refused.value.extensions["limit"] == "posts-day"
