"""Every refused community operation says why, with its code, and changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from domain.community.models import Comment, Post, Reaction
from domain.moderation.models import Report
from tests.api.community_support import (
    CREATE_COMMENT,
    CREATE_POST,
    FOLLOW,
    MODERATE,
    REACT,
    REPORT,
    create_comment,
    create_post,
)
from tests.support import GraphQLClient


async def _counts(container) -> tuple[int, int, int, int]:
    async with container.uow() as uow:
        return tuple([int(await uow.session.scalar(select(func.count()).select_from(t)))
                      for t in (Post, Comment, Reaction, Report)])  # type: ignore[return-value]


async def test_bad_posts_are_refused_and_store_nothing(client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    upload = await client.execute("""mutation { requestUpload(input: {kind: IMAGE,
        contentType: "image/png", byteSize: 3}) { mediaUrl } }""", token=bob.token)
    foreign = upload["requestUpload"]["mediaUrl"]
    cases = [
        ({"body": "   "}, "BAD_USER_INPUT"),
        ({"body": "x" * 5001}, "BAD_USER_INPUT"),
        ({"body": "ok", "topics": ["a", "b", "c", "d", "e", "f"]}, "BAD_USER_INPUT"),
        ({"body": "ok", "topics": ["#"]}, "BAD_USER_INPUT"),
        ({"body": "ok", "media": [{"kind": "IMAGE", "url": "https://x/y.png"}] * 10},
         "BAD_USER_INPUT"),
        ({"body": "ok", "media": [{"kind": "IMAGE", "url": "https://evil.example/a.png"}]},
         "BAD_USER_INPUT"),
        ({"body": "ok", "media": [{"kind": "IMAGE", "url": foreign}]}, "BAD_USER_INPUT"),
    ]
    before = await _counts(container)
    for fields, code in cases:
        error = await client.error(CREATE_POST, {"input": fields}, alice.token)
        assert error["extensions"]["code"] == code, fields
    assert await _counts(container) == before
    error = await client.error(CREATE_POST, {"input": {"body": "anonymous"}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_targets_are_refused_and_change_nothing(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Hello")
    comment = await create_comment(client, bob, post["id"], "Hi")
    removed = await create_post(client, alice, "Gone soon")
    hidden = await create_post(client, alice, "Hidden soon")
    await client.execute(MODERATE, {"input": {"targetId": removed["id"], "action": "REMOVE"}},
                         mod.token)
    await client.execute(MODERATE, {"input": {"targetId": hidden["id"], "action": "HIDE"}},
                         mod.token)
    before = await _counts(container)
    refusals = [
        (CREATE_COMMENT, {"postId": comment["id"], "body": "x"}, "BAD_USER_INPUT"),  # wrong type
        (CREATE_COMMENT, {"postId": hidden["id"], "body": "x"}, "BAD_USER_INPUT"),
        (CREATE_COMMENT, {"postId": post["id"], "body": ""}, "BAD_USER_INPUT"),
        (CREATE_COMMENT, {"postId": post["id"], "body": "x", "parentId": post["id"]},
         "BAD_USER_INPUT"),
        (CREATE_COMMENT, {"postId": "bm9wZQ", "body": "x"}, "BAD_USER_INPUT"),  # malformed
        (REACT, {"targetId": removed["id"], "kind": "LIKE"}, "BAD_USER_INPUT"),
        (REACT, {"targetId": alice.id, "kind": "LIKE"}, "BAD_USER_INPUT"),  # a User id
        (REPORT, {"targetId": post["id"], "reason": "SPAM"}, "BAD_USER_INPUT"),  # own post
        (REPORT, {"targetId": comment["id"], "reason": "BORING"}, "BAD_USER_INPUT"),
        (FOLLOW, {"userId": alice.id}, "BAD_USER_INPUT"),  # himself
        (FOLLOW, {"userId": bob.id, "topic": "run"}, "BAD_USER_INPUT"),
        (FOLLOW, {"userId": post["id"]}, "BAD_USER_INPUT"),
        (MODERATE, {"targetId": post["id"], "action": "HIDE"}, "FORBIDDEN"),
    ]
    for document, variables, code in refusals:
        error = await client.error(document, {"input": variables}, alice.token)
        assert error["extensions"]["code"] == code, (variables, error)
        assert error["message"]
    assert await _counts(container) == before
    missing = await client.error(REACT, {"input": {"targetId": post["id"][:-2] + "OTk",
                                                   "kind": "LIKE"}}, alice.token)
    assert missing["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT")


async def test_first_over_the_cap_is_an_error(client: GraphQLClient) -> None:
    error = await client.error("query { posts(first: 101) { edges { cursor } } }")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
