"""Check-in, challenge participation and coupon redemption rates in engagementMetrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rally.clock import brand_day
from tests.api.campaign_support import JOIN, create_challenge
from tests.api.coupon_support import REDEEM, create_campaign, grant, my_coupons
from tests.support import GraphQLClient

METRICS = """query($from: Date!, $to: Date!) { engagementMetrics(from: $from, to: $to) {
  checkInRate challengeParticipationRate couponRedemptionRate
  series { checkInRate challengeParticipationRate couponRedemptionRate } } }"""
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
CHECK_IN = """mutation($k: String!) { checkIn(input: {idempotencyKey: $k}) { streak } }"""


async def test_programme_rates_over_active_members(client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    members = [await client.register(name) for name in ("Alice", "Bob", "Carol", "Dave")]
    search = {"clientEventId": "s", "kind": "SEARCH", "context": {"q": "shoes"},
              "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}
    for member in members:  # four members active today
        await client.execute(TRACK, {"input": {"events": [search]}}, member.token)
    today = brand_day(datetime.now(UTC), container.settings.tz).isoformat()
    empty = (await client.execute(METRICS, {"from": today, "to": today}, marketer.token))
    assert empty["engagementMetrics"]["checkInRate"] == 0.0
    assert empty["engagementMetrics"]["couponRedemptionRate"] is None  # nothing issued

    for n, member in enumerate(members[:2]):
        await client.execute(CHECK_IN, {"k": f"ci-{n}"}, member.token)
    campaign = await create_campaign(client, marketer)
    await grant(client, marketer, campaign, members[0], members[1])
    code = (await my_coupons(client, members[0]))[0]["code"]
    await client.execute(REDEEM, {"input": {"code": code, "storeId": "store-1"}}, merchant.token)
    challenge = await create_challenge(client, marketer)
    await client.execute(JOIN, {"id": challenge["id"]}, members[2].token)

    data = (await client.execute(METRICS, {"from": today, "to": today}, marketer.token)
            )["engagementMetrics"]
    assert (data["checkInRate"], data["challengeParticipationRate"],
            data["couponRedemptionRate"]) == (0.5, 0.25, 0.5)
    assert data["series"] == [{"checkInRate": 0.5, "challengeParticipationRate": 0.25,
                               "couponRedemptionRate": 0.5}]
