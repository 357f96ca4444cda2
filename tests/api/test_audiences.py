"""Marketers aim challenges and coupon grants at an audience: a saved segment, or a
challenge's inline level / interest conditions, with the same predicates as `segmentSize`."""

from __future__ import annotations

from tests.api.campaign_support import JOIN, create_challenge
from tests.api.coupon_support import GRANT, create_campaign, my_coupons
from tests.support import GraphQLClient

SEGMENT = """mutation($input: CreateSegmentInput!) { createSegment(input: $input) {
  segment { id size } } }"""
PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }"""


async def _segment_of_lyon(client: GraphQLClient, marketer, *members) -> str:
    for member in members:
        await client.execute(PROFILE, {"input": {"region": "Lyon"}}, member.token)
    return (await client.execute(SEGMENT, {"input": {"name": "Lyon", "rules": [
        {"region": "Lyon"}]}}, marketer.token))["createSegment"]["segment"]["id"]


async def test_a_saved_segment_decides_who_may_join(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    segment = await _segment_of_lyon(client, marketer, alice)
    challenge = await create_challenge(client, marketer, segmentId=segment)
    joined = await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    assert joined["joinChallenge"]["challenge"]["participantCount"] == 1
    refused = await client.error(JOIN, {"id": challenge["id"]}, bob.token)
    assert refused["extensions"]["code"] == "FORBIDDEN"
    assert refused["extensions"]["reason"] == "OUTSIDE_SEGMENT"


async def test_an_unknown_segment_is_refused(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    from api.relay import to_global_id

    error = await client.error(
        """mutation($input: CreateChallengeInput!) { createChallenge(input: $input) {
           challenge { id } } }""",
        {"input": {"title": "x", "action": "COMMENT", "target": 1,
                   "startsAt": "2030-01-01T00:00:00Z", "endsAt": "2030-02-01T00:00:00Z",
                   "segmentId": to_global_id("Segment", 999)}}, marketer.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "segmentId"


async def test_an_inline_interest_needs_that_interest(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    await client.execute(PROFILE, {"input": {"interests": ["#Running"]}}, alice.token)
    challenge = await create_challenge(client, marketer, segment={"interest": "running"})
    await client.execute(JOIN, {"id": challenge["id"]}, alice.token)
    refused = await client.error(JOIN, {"id": challenge["id"]}, bob.token)
    assert refused["extensions"]["reason"] == "OUTSIDE_SEGMENT"


async def test_coupons_granted_to_a_segment_reach_its_members_only(
        client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob, carol = [await client.register(n) for n in ("Alice", "Bob", "Carol")]
    segment = await _segment_of_lyon(client, marketer, alice, carol)
    campaign = await create_campaign(client, marketer)
    granted = (await client.execute(GRANT, {"input": {"campaignId": campaign,
                                                      "segmentId": segment}},
                                    marketer.token))["grantCoupons"]
    assert granted["issuedCount"] == 2
    assert [len(await my_coupons(client, m)) for m in (alice, bob, carol)] == [1, 0, 1]
    both = await client.error(GRANT, {"input": {"campaignId": campaign, "segmentId": segment,
                                                "memberIds": [bob.id]}}, marketer.token)
    assert both["extensions"]["code"] == "BAD_USER_INPUT"
