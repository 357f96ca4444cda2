"""The events gamification listens to: published in the action's unit of work, and the
reward its handlers put on `uow.reward` comes back in the mutation's payload."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from domain.events import (
    CommentCreated,
    ContentRemoved,
    ContentRestored,
    PostApproved,
    PostCreated,
    PostShared,
    ReactionAdded,
    ReactionRemoved,
)
from rally.events import bus
from rally.uow import UnitOfWork
from tests.api.community_support import (
    BLOCK,
    CREATE_COMMENT,
    CREATE_POST,
    MODERATE,
    REACT,
    UNREACT,
    create_post,
)
from tests.support import GraphQLClient

EVENTS = (PostCreated, PostApproved, CommentCreated, ReactionAdded, ReactionRemoved, PostShared,
          ContentRemoved, ContentRestored)


@pytest.fixture
def published() -> Iterator[list[Any]]:
    seen: list[Any] = []

    async def record(uow: UnitOfWork, event: Any) -> None:
        seen.append(event)
        if isinstance(event, PostCreated | CommentCreated | ReactionAdded | PostShared):
            uow.reward.points += 7  # an extra handler's points join gamification's

    for event_type in EVENTS:
        bus.subscribe(event_type)(record)
    yield seen
    for event_type in EVENTS:
        bus._handlers[event_type].remove(record)


async def test_earning_mutations_return_the_reward_of_their_unit_of_work(
        client: GraphQLClient, published: list[Any]) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    data = await client.execute(CREATE_POST, {"input": {"body": "Hi", "topics": ["Run"]}},
                                alice.token)
    # 7 from the extra handler plus the default rules: post 10, comment 3, share 5; a
    # reaction pays its target's owner, not the reactor.
    assert data["createPost"]["reward"] == {"points": 7 + 10}
    post_id = data["createPost"]["post"]["id"]
    comment = await client.execute(CREATE_COMMENT, {"input": {"postId": post_id, "body": "yo"}},
                                   bob.token)
    assert comment["createComment"]["reward"] == {"points": 7 + 3}
    reacted = await client.execute(REACT, {"input": {"targetId": post_id, "kind": "LIKE"}},
                                   bob.token)
    assert reacted["react"]["reward"] == {"points": 7}
    shared = await client.execute("""mutation($id: ID!) { sharePost(input: {postId: $id,
        channel: "link"}) { referralCode reward { points } } }""", {"id": post_id}, bob.token)
    assert shared["sharePost"]["reward"] == {"points": 7 + 5}
    kinds = [type(e).__name__ for e in published]
    assert kinds == ["PostCreated", "CommentCreated", "ReactionAdded", "PostShared"]
    created, share = published[0], published[3]
    assert (created.status, created.topics) == ("PUBLISHED", ["run"])
    assert share.referral_code == shared["sharePost"]["referralCode"]


async def test_reaction_events_say_replaced_and_blocked(
        client: GraphQLClient, published: list[Any]) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "React")
    await client.execute(BLOCK, {"input": {"userId": bob.id}}, alice.token)
    for kind in ("LIKE", "LOVE"):
        await client.execute(REACT, {"input": {"targetId": post["id"], "kind": kind}}, bob.token)
    await client.execute(UNREACT, {"input": {"targetId": post["id"]}}, bob.token)
    added = [e for e in published if isinstance(e, ReactionAdded)]
    assert [(e.kind, e.replaced, e.reactor_blocked_by_owner) for e in added] == [
        ("LIKE", False, True), ("LOVE", True, True)]
    [removed] = [e for e in published if isinstance(e, ReactionRemoved)]
    assert removed.kind == "LOVE"


async def test_moderation_and_author_deletion_emit_removed_restored_and_approved(
        client: GraphQLClient, container, published: list[Any]) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    await client.execute("""mutation { setKeywordRule(input: {keyword: "promo", action: REVIEW})
        { rule { id } } }""", token=mod.token)
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Hello")
    pending = await create_post(client, alice, "PROMO inside")
    for target, action in ((post["id"], "HIDE"), (post["id"], "RESTORE"),
                           (pending["id"], "APPROVE")):
        await client.execute(MODERATE, {"input": {"targetId": target, "action": action}},
                             mod.token)
    await client.execute("""mutation($id: ID!) { deletePost(input: {postId: $id}) { post { id } } }""",
                         {"id": post["id"]}, alice.token)
    kinds = [(type(e).__name__, getattr(e, "reason", None)) for e in published
             if not isinstance(e, PostCreated)]
    assert kinds == [("ContentRemoved", "MODERATION"), ("ContentRestored", None),
                     ("PostApproved", None), ("ContentRemoved", "DELETED_BY_AUTHOR")]
    assert [e.status for e in published if isinstance(e, PostCreated)] == ["PUBLISHED", "PENDING"]


async def test_restoring_what_was_never_published_is_an_approval(
        client: GraphQLClient, container, published: list[Any]) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    await client.execute("""mutation { setKeywordRule(input: {keyword: "promo", action: REVIEW})
        { rule { id } } }""", token=mod.token)
    alice = await client.register("Alice")
    pending = await create_post(client, alice, "promo code inside")
    for action in ("REMOVE", "RESTORE", "HIDE", "RESTORE"):
        await client.execute(MODERATE, {"input": {"targetId": pending["id"], "action": action}},
                             mod.token)
    kinds = [type(e).__name__ for e in published if not isinstance(e, PostCreated)]
    assert kinds == ["PostApproved", "ContentRemoved", "ContentRestored"]
