"""The programme rollups (check-ins, challenge joins, coupons) follow every change of the
tables of record in the same transaction, and the migration's backfill rebuilds them as is."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from domain.analytics.programme import programme_backfill
from rally.clock import brand_day
from tests.api.campaign_support import JOIN, create_challenge
from tests.api.coupon_support import (
    REDEEM,
    VOID_REDEMPTION,
    create_campaign,
    grant,
    my_coupons,
)
from tests.support import GraphQLClient

REPORT = """query($id: ID!) { couponReport(campaignId: $id) {
  issued redeemed redemptionRate voided byDay { day issued redeemed }
  bySource { source issued redeemed } } }"""
METRICS = """query($d: Date!) { engagementMetrics(from: $d, to: $d) { couponRedemptionRate } }"""
VOID = """mutation($input: VoidCouponInput!) { voidCoupon(input: $input) { coupon { status } } }"""
CHECK_IN = """mutation($k: String!) { checkIn(input: {idempotencyKey: $k}) { streak } }"""


async def rollups(container) -> list[list[tuple]]:
    tables = []
    async with container.uow() as uow:
        for sql in ("SELECT campaign_id, source, day, metric, sum(value) FROM coupon_rollups"
                    " GROUP BY 1, 2, 3, 4 HAVING sum(value) <> 0 ORDER BY 1, 2, 3, 4",
                    "SELECT day, member_id FROM challenge_join_days ORDER BY 1, 2",
                    "SELECT day, sum(value) FROM daily_counters WHERE metric = 'check_ins'"
                    " GROUP BY day"):
            tables.append([tuple(r) for r in await uow.session.execute(text(sql))])
    return tables


async def test_redemptions_voids_and_joins_move_the_rollups_the_reports_read(
        client: GraphQLClient, container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    members = [await client.register() for _ in range(5)]
    campaign_id = await create_campaign(client, marketer)
    await grant(client, marketer, campaign_id, *members)
    codes = [(await my_coupons(client, m))[0]["code"] for m in members]
    for code in codes[:2]:
        await client.execute(REDEEM, {"input": {"code": code, "storeId": "s1"}}, merchant.token)
    await client.execute(VOID_REDEMPTION, {"input": {"code": codes[0], "reason": "mistake"}},
                         merchant.token)
    await client.execute(VOID, {"input": {"code": codes[4], "reason": "fraud"}}, marketer.token)
    challenge = await create_challenge(client, marketer)
    for member in members[:3]:
        await client.execute(JOIN, {"id": challenge["id"]}, member.token)
    await client.execute(CHECK_IN, {"k": "ci"}, members[0].token)

    today = brand_day(datetime.now(UTC), container.settings.tz).isoformat()
    report = (await client.execute(REPORT, {"id": campaign_id}, marketer.token))["couponReport"]
    assert (report["issued"], report["redeemed"], report["voided"]) == (5, 1, 1)
    # One redemption is a group under 5: the breakdowns withhold it (the rollups below hold it).
    assert report["byDay"] == [{"day": today, "issued": 5, "redeemed": None}]
    assert report["bySource"] == [{"source": "GRANT", "issued": 5, "redeemed": None}]
    metrics = await client.execute(METRICS, {"d": today}, marketer.token)
    assert metrics["engagementMetrics"]["couponRedemptionRate"] == 0.2

    maintained = await rollups(container)
    assert [len(t) for t in maintained] == [4, 3, 1]  # issued, redeemed ×2, voided; 3 joins
    async with container.uow() as uow:
        for statement in programme_backfill(container.settings.timezone):
            await uow.session.execute(text(statement))
        await uow.commit()
    assert await rollups(container) == maintained
