"""Interests learnt from behaviour: reactions, comments, shares, long reads and clicks, decayed
over time, only while the member allows personalization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from api.relay import decode_id
from tests.api.community_support import UNREACT, create_comment, create_post, react
from tests.support import GraphQLClient

INTERESTS = "query($id: ID!) { user(id: $id) { interests { tag weight source } } }"
SHARE = """mutation($input: SharePostInput!) { sharePost(input: $input) { shareUrl } }"""
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
CONSENT = """mutation($granted: Boolean!) { updateConsents(input: {personalization: $granted}) {
  consents { personalization { granted } } } }"""
PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }"""


async def weights(client: GraphQLClient, member) -> dict[str, float]:
    data = await client.execute(INTERESTS, {"id": member.id}, member.token)
    return {i["tag"]: i["weight"] for i in data["user"]["interests"] if i["source"] == "INFERRED"}


def tracked(n: int, kind: str, post_id: str, **fields) -> dict:
    return {"clientEventId": f"t-{n}", "kind": kind, "targetId": post_id,
            "occurredAt": (datetime.now(UTC) - timedelta(seconds=5)).isoformat(), **fields}


async def test_each_kind_of_behaviour_teaches_the_topics_of_the_post(client: GraphQLClient) -> None:
    author = await client.register("Author")
    alice = await client.register("Alice")
    run = await create_post(client, author, "Morning 10k", topics=["running", "Paris"])
    bake = await create_post(client, author, "Sourdough", topics=["baking"])
    tea = await create_post(client, author, "Matcha", topics=["tea"])
    await react(client, alice, run["id"])
    assert await weights(client, alice) == {"running": 1.0, "paris": 1.0}
    await create_comment(client, alice, run["id"], "great pace")
    assert (await weights(client, alice))["running"] == pytest.approx(3.0, abs=1e-3)
    await client.execute(SHARE, {"input": {"postId": bake["id"], "channel": "LINK"}}, alice.token)
    assert (await weights(client, alice))["baking"] == pytest.approx(3.0, abs=1e-3)
    await client.execute(TRACK, {"input": {"events": [
        tracked(1, "DWELL", tea["id"], durationMs=20_000),
        tracked(2, "DWELL", bake["id"], durationMs=2_000),  # too short to mean anything
        tracked(3, "CLICK", bake["id"]),
        tracked(4, "VIEW", bake["id"])]}}, alice.token)
    learnt = await weights(client, alice)
    assert learnt["tea"] == pytest.approx(1.5, abs=1e-3)
    assert learnt["baking"] == pytest.approx(3.5, abs=1e-3)


async def test_own_posts_and_changed_reactions_teach_nothing(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    bob = await client.register("Bob")
    mine = await create_post(client, alice, "My run", topics=["running"])
    await react(client, alice, mine["id"])
    await create_comment(client, alice, mine["id"], "me again")
    assert await weights(client, alice) == {}
    await react(client, bob, mine["id"], "LIKE")
    await react(client, bob, mine["id"], "LOVE")  # a new kind, not a new reaction
    assert await weights(client, bob) == {"running": 1.0}


async def test_scores_decay_with_a_half_life_and_fold_into_updates(client: GraphQLClient,
                                                                    container) -> None:
    author = await client.register("Author")
    alice = await client.register("Alice")
    first = await create_post(client, author, "Trail", topics=["running"])
    second = await create_post(client, author, "Track", topics=["running"])
    await react(client, alice, first["id"])
    half_life = container.settings.interest_half_life_days
    async with container.uow() as uow:
        await uow.session.execute(text(
            "UPDATE member_interests SET scored_at = scored_at - make_interval(days => :d)"),
            {"d": int(half_life)})
        await uow.commit()
    assert (await weights(client, alice))["running"] == pytest.approx(0.5, abs=1e-3)
    await react(client, alice, second["id"])
    assert (await weights(client, alice))["running"] == pytest.approx(1.5, abs=1e-3)


async def test_nothing_is_learnt_without_consent_or_with_the_opt_out(client: GraphQLClient,
                                                                       container) -> None:
    author = await client.register("Author")
    alice = await client.register("Alice")
    bob = await client.register("Bob")
    posts = [await create_post(client, author, f"Run {i}", topics=["running"]) for i in range(3)]
    await client.execute(CONSENT, {"granted": False}, alice.token)
    await client.execute(PROFILE, {"input": {"personalizationOptOut": True}}, bob.token)
    for member in (alice, bob):
        await react(client, member, posts[0]["id"])
        await create_comment(client, member, posts[1]["id"], "nice")
        await client.execute(TRACK, {"input": {"events": [
            tracked(9, "DWELL", posts[2]["id"], durationMs=60_000)]}}, member.token)
        assert await weights(client, member) == {}
    await client.execute(CONSENT, {"granted": True}, alice.token)
    await react(client, alice, posts[1]["id"])
    assert await weights(client, alice) == {"running": 1.0}
    async with container.uow() as uow:
        rows = await uow.session.scalar(text(
            "SELECT count(*) FROM member_interests WHERE member_id = :m"),
            {"m": decode_id(bob.id, "User")})
    assert rows == 0


async def test_withdrawing_a_reaction_takes_back_what_it_taught(client: GraphQLClient,
                                                                container) -> None:
    author = await client.register("Author")
    alice = await client.register("Alice")
    run = await create_post(client, author, "Morning 10k", topics=["running", "paris"])
    trail = await create_post(client, author, "Trail", topics=["running"])
    await react(client, alice, run["id"])
    await create_comment(client, alice, trail["id"], "nice")  # running +2, stays
    assert await weights(client, alice) == {"running": 3.0, "paris": 1.0}
    await client.execute(UNREACT, {"input": {"targetId": run["id"]}}, alice.token)
    learnt = await weights(client, alice)
    assert learnt["running"] == pytest.approx(2.0, abs=1e-3)
    assert learnt.get("paris", 0) == pytest.approx(0.0, abs=1e-3)

    # A reaction made one half-life ago taught 1 that is worth 0.5 now: exactly that goes.
    await react(client, alice, trail["id"])
    half_life = int(container.settings.interest_half_life_days)
    async with container.uow() as uow:
        await uow.session.execute(text(
            "UPDATE member_interests SET scored_at = scored_at - make_interval(days => :d)"),
            {"d": half_life})
        await uow.session.execute(text(
            "UPDATE reactions SET created_at = created_at - make_interval(days => :d)"),
            {"d": half_life})
        await uow.commit()
    assert (await weights(client, alice))["running"] == pytest.approx(1.5, abs=1e-3)
    await client.execute(UNREACT, {"input": {"targetId": trail["id"]}}, alice.token)
    assert (await weights(client, alice))["running"] == pytest.approx(1.0, abs=1e-3)
