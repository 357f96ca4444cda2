"""Segments: marketers define audiences by rules; sizes and membership come from one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.relay import decode_id
from domain.members.models import Member
from domain.personalization.segments import is_member_in_segment, members_in_segment
from tests.support import GraphQLClient

PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }"""
CREATE = """mutation($input: CreateSegmentInput!) { createSegment(input: $input) {
  segment { id name size rules { kind interest region activeWithinDays joinedAfter } } } }"""
SIZE = "query($id: ID!) { segmentSize(id: $id) segment(id: $id) { name size } }"
LIST = "{ segments(first: 10) { edges { node { name } } } }"
CONSENT = """mutation { updateConsents(input: {personalization: false}) {
  consents { personalization { granted } } } }"""
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""


async def _member(client: GraphQLClient, name: str, **profile) -> object:
    member = await client.register(name)
    if profile:
        await client.execute(PROFILE, {"input": profile}, member.token)
    return member


async def _create(client: GraphQLClient, token: str, name: str, rules: list[dict]) -> dict:
    data = await client.execute(CREATE, {"input": {"name": name, "rules": rules}}, token)
    return data["createSegment"]["segment"]


async def test_rules_combine_into_one_audience(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await _member(client, "Alice", region="Paris", interests=["running"])
    bob = await _member(client, "Bob", region="paris", interests=["coffee"])
    await _member(client, "Carol", region="Lyon", interests=["running"])
    runners = await _create(client, marketer.token, "Runners", [{"interest": "#Running"}])
    assert runners["size"] == 2
    assert runners["rules"] == [{"kind": "INTEREST", "interest": "running", "region": None,
                                 "activeWithinDays": None, "joinedAfter": None}]
    paris = await _create(client, marketer.token, "Paris runners",
                          [{"interest": "running"}, {"region": "PARIS"}])
    assert paris["size"] == 1
    data = await client.execute(SIZE, {"id": paris["id"]}, marketer.token)
    assert data == {"segmentSize": 1, "segment": {"name": "Paris runners", "size": 1}}
    listed = await client.execute(LIST, token=marketer.token)
    assert [e["node"]["name"] for e in listed["segments"]["edges"]] == ["Paris runners", "Runners"]

    async with container.uow() as uow:
        segment_id = decode_id(paris["id"], "Segment")
        assert await members_in_segment(uow.session, segment_id, uow.settings) == [
            decode_id(alice.id, "User")]
        assert await is_member_in_segment(uow.session, segment_id, decode_id(alice.id, "User"),
                                          uow.settings)
        assert not await is_member_in_segment(uow.session, segment_id, decode_id(bob.id, "User"))


async def test_a_member_who_withdraws_personalization_leaves_interest_segments(
        client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await _member(client, "Alice", interests=["running"])
    await _member(client, "Bob", interests=["running"])
    segment = await _create(client, marketer.token, "Runners", [{"interest": "running"}])
    assert segment["size"] == 2
    await client.execute(CONSENT, token=alice.token)
    assert (await client.execute(SIZE, {"id": segment["id"]}, marketer.token))["segmentSize"] == 1
    await _member(client, "Carol", interests=["running"], personalizationOptOut=True)
    assert (await client.execute(SIZE, {"id": segment["id"]}, marketer.token))["segmentSize"] == 1


async def test_joined_after_and_active_within_days(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    old = await _member(client, "Old timer")
    active = await _member(client, "Active")
    async with container.uow() as uow:
        await uow.session.execute(update(Member).where(Member.id == decode_id(old.id, "User"))
                                  .values(created_at=datetime.now(UTC) - timedelta(days=400)))
        await uow.commit()
    search = {"clientEventId": "s-1", "kind": "SEARCH", "context": {"q": "shoes"},
              "occurredAt": (datetime.now(UTC) - timedelta(days=2)).isoformat()}
    await client.execute(TRACK, {"input": {"events": [search]}}, active.token)
    since = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    newcomers = await _create(client, marketer.token, "Newcomers", [{"joinedAfter": since}])
    assert newcomers["size"] == 2  # the marketer and "Active"
    recent = await _create(client, marketer.token, "Active this week", [{"activeWithinDays": 7}])
    assert recent["size"] == 1
    yesterday = await _create(client, marketer.token, "Active today", [{"activeWithinDays": 1}])
    assert yesterday["size"] == 0


async def test_bad_segments_are_refused_and_nothing_is_stored(client: GraphQLClient,
                                                              container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await _member(client, "Alice", interests=["running"])
    bad = [
        ("Unknown tag", [{"interest": "curling"}]),
        ("Two conditions", [{"interest": "running", "region": "Paris"}]),
        ("No condition", [{}]),
        ("No rules", []),
        ("Zero days", [{"activeWithinDays": 0}]),
        ("", [{"region": "Paris"}]),
        ("Too many", [{"region": f"r{i}"} for i in range(11)]),
    ]
    for name, rules in bad:
        error = await client.error(CREATE, {"input": {"name": name, "rules": rules}},
                                   marketer.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (name, error)
    await _create(client, marketer.token, "Runners", [{"interest": "running"}])
    error = await client.error(CREATE, {"input": {"name": "Runners",
                                                  "rules": [{"region": "x"}]}}, marketer.token)
    assert error["extensions"]["code"] == "CONFLICT"
    listed = await client.execute(LIST, token=marketer.token)
    assert [e["node"]["name"] for e in listed["segments"]["edges"]] == ["Runners"]


async def test_only_marketers_see_and_define_segments(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await _member(client, "Alice", region="Paris")
    segment = await _create(client, marketer.token, "Paris", [{"region": "Paris"}])
    for token in (alice.token, None):
        error = await client.error(CREATE, {"input": {"name": "x", "rules": [{"region": "y"}]}},
                                   token)
        assert error["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
        error = await client.error(SIZE, {"id": segment["id"]}, token)
        assert error["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
    node = await client.execute("query($id: ID!) { node(id: $id) { id } }",
                                {"id": segment["id"]}, alice.token)
    assert node["node"] is None


CREATE_BADGE = """mutation($input: CreateBadgeInput!) { createBadge(input: $input) { badge { id } } }"""


async def test_level_and_badge_rules_read_gamification(client: GraphQLClient, container) -> None:
    from gamification.ledger import Source, award
    from tests.api.community_support import create_post

    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await _member(client, "Alice")
    bob = await _member(client, "Bob")
    badge = (await client.execute(CREATE_BADGE, {"input": {
        "name": "First words", "criterion": "FIRST_POST", "bronze": 1}}, marketer.token)
    )["createBadge"]["badge"]["id"]
    await create_post(client, alice, "Hello everyone")
    async with container.uow() as uow:
        await award(uow, decode_id(bob.id, "User"), 600, "BENCH", Source(), "segment-test")
        await uow.commit()
    holders = await _create(client, marketer.token, "First posters", [{"badgeId": badge}])
    assert holders["size"] == 1
    insiders = await _create(client, marketer.token, "Insiders", [{"levelAtLeast": 3}])
    assert insiders["size"] == 1
    async with container.uow() as uow:
        assert await members_in_segment(uow.session, decode_id(insiders["id"], "Segment"),
                                        uow.settings) == [decode_id(bob.id, "User")]
    everyone = await _create(client, marketer.token, "Everyone", [{"levelAtLeast": 1}])
    assert everyone["size"] == 3
    from api.relay import to_global_id

    error = await client.error(CREATE, {"input": {"name": "Ghost", "rules": [
        {"badgeId": to_global_id("Badge", 999)}]}}, marketer.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
