"""The quota, the per-member limit and single redemption hold under real concurrent requests."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from api.container import Container
from api.relay import decode_id
from domain.coupons.service import IssuedCoupon, issue_coupon
from tests.api.coupon_support import REDEEM, create_campaign, grant, my_coupons, table_counts
from tests.support import GraphQLClient, Member


async def _issue_in_own_unit_of_work(container: Container, campaign_id: int,
                                     member: Member) -> IssuedCoupon | None:
    """What a mini-game or a challenge does: issue within its own transaction."""
    async with container.uow() as uow:
        issued = await issue_coupon(uow, campaign_id, decode_id(member.id, "User"),
                                    "MINI_GAME", source_id=1)
        await uow.commit()
    return issued


async def _counts(container: Container, campaign_pk: int) -> tuple[int, int, int]:
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT (SELECT sum(issued) FROM coupon_quota_shards WHERE campaign_id = :c),"
            " (SELECT count(*) FROM coupons WHERE campaign_id = :c),"
            " (SELECT sum(issued) FROM coupon_holdings WHERE campaign_id = :c)"), {"c": campaign_pk}
        )).one()
    return int(row[0]), int(row[1]), int(row[2])


async def test_twenty_merchants_redeeming_one_code_at_once_succeed_exactly_once(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchants = [await client.member_with_roles(container, "MERCHANT") for _ in range(20)]
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer), alice)
    [coupon] = await my_coupons(client, alice)

    responses = await asyncio.gather(*[
        client.post(REDEEM, {"input": {"code": coupon["code"], "storeId": f"store-{i}"}},
                    merchant.token)
        for i, merchant in enumerate(merchants)])
    bodies = [r.json() for r in responses]
    winners = [b["data"]["redeemCoupon"]["coupon"] for b in bodies if not b.get("errors")]
    refusals = [b["errors"][0]["extensions"] for b in bodies if b.get("errors")]
    assert len(winners) == 1
    assert len(refusals) == 19
    assert {(e["code"], e["reason"], e["storeId"]) for e in refusals} == {
        ("CONFLICT", "ALREADY_REDEEMED", winners[0]["redeemedStoreId"])}
    assert (await table_counts(container))["redeemed"] == 1


async def test_a_quota_of_ten_reached_from_grants_and_direct_issues_at_once_issues_ten(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    members = [await client.register() for _ in range(30)]
    campaign_id = await create_campaign(client, marketer, quota=10)
    campaign_pk = decode_id(campaign_id, "CouponCampaign")

    grants = [grant(client, marketer, campaign_id, *members[i:i + 5]) for i in range(0, 15, 5)]
    directs = [_issue_in_own_unit_of_work(container, campaign_pk, m) for m in members[15:]]
    outcomes = await asyncio.gather(*grants, *directs)

    granted = sum(g["issuedCount"] for g in outcomes[:3])
    refused = sum(g["refusedByQuota"] for g in outcomes[:3])
    issued_directly = sum(1 for o in outcomes[3:] if o is not None)
    assert granted + issued_directly == 10
    assert refused + (15 - issued_directly) == 20
    assert await _counts(container, campaign_pk) == (10, 10, 10)


async def test_one_member_asking_many_times_at_once_gets_only_his_limit(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign_id = await create_campaign(client, marketer, quota=50, perUserLimit=2)
    campaign_pk = decode_id(campaign_id, "CouponCampaign")

    outcomes = await asyncio.gather(
        *[_issue_in_own_unit_of_work(container, campaign_pk, alice) for _ in range(12)],
        *[grant(client, marketer, campaign_id, alice) for _ in range(4)])
    issued = sum(1 for o in outcomes[:12] if o is not None) + sum(
        g["issuedCount"] for g in outcomes[12:])
    assert issued == 2
    assert len(await my_coupons(client, alice)) == 2
    assert await _counts(container, campaign_pk) == (2, 2, 2)


async def _shards(container: Container, campaign_pk: int) -> tuple[int, int, int]:
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT count(*), sum(s.quota), min(c.quota) FROM coupon_quota_shards s"
            " JOIN coupon_campaigns c ON c.id = s.campaign_id WHERE s.campaign_id = :c"),
            {"c": campaign_pk})).one()
    return int(row[0]), int(row[1]), int(row[2])


async def test_a_sharded_quota_lowered_and_raised_is_never_exceeded_by_concurrent_issues(
        client: GraphQLClient, container: Container) -> None:
    """The quota is split over shard rows (issues do not queue on one row); lowering and
    raising it re-splits them, and concurrent issues still stop exactly at the quota."""
    from tests.api.coupon_support import UPDATE

    marketer = await client.member_with_roles(container, "MARKETER")
    members = [await client.register() for _ in range(40)]
    campaign_id = await create_campaign(client, marketer, quota=1000)
    campaign_pk = decode_id(campaign_id, "CouponCampaign")
    shards = container.settings.coupon_quota_shards
    assert await _shards(container, campaign_pk) == (shards, 1000, 1000)
    first = await asyncio.gather(*[_issue_in_own_unit_of_work(container, campaign_pk, m)
                                   for m in members[:20]])
    assert all(first)
    # down to what is issued plus 5, then 20 more members ask at once: exactly 5 get one
    await client.execute(UPDATE, {"input": {"campaignId": campaign_id, "quota": 25}},
                         marketer.token)
    assert await _shards(container, campaign_pk) == (shards, 25, 25)
    second = await asyncio.gather(*[_issue_in_own_unit_of_work(container, campaign_pk, m)
                                    for m in members[20:]])
    assert sum(1 for o in second if o is not None) == 5
    assert await _counts(container, campaign_pk) == (25, 25, 25)
    error = await client.error(UPDATE, {"input": {"campaignId": campaign_id, "quota": 24}},
                               marketer.token)
    assert (error["extensions"]["code"], error["extensions"]["issued"]) == ("CONFLICT", 25)
    data = await client.execute(UPDATE, {"input": {"campaignId": campaign_id, "quota": 27}},
                                marketer.token)
    assert data["updateCouponCampaign"]["campaign"]["remaining"] == 2
    late = await asyncio.gather(*[_issue_in_own_unit_of_work(container, campaign_pk, m)
                                  for m in members[20:]])
    assert sum(1 for o in late if o is not None) == 2
    assert await _counts(container, campaign_pk) == (27, 27, 27)


async def test_two_issues_of_one_campaign_in_flight_do_not_wait_for_each_other(
        client: GraphQLClient, container: Container) -> None:
    """Issuers of a hot campaign share no row: while one issue's transaction is still open,
    another member's issue of the same campaign completes without waiting for a lock (the
    report's counter row per campaign and day used to serialise them until commit)."""
    marketer = await client.member_with_roles(container, "MARKETER")
    campaign_id = await create_campaign(client, marketer)
    campaign_pk = decode_id(campaign_id, "CouponCampaign")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    async with container.uow() as first:
        assert await issue_coupon(first, campaign_pk, decode_id(alice.id, "User"),
                                  "MINI_GAME", source_id=1) is not None
        async with container.uow() as second:
            # Waiting for any lock `first` holds fails at once instead of hanging.
            await second.session.execute(text("SET LOCAL lock_timeout = '200ms'"))
            assert await issue_coupon(second, campaign_pk, decode_id(bob.id, "User"),
                                      "MINI_GAME", source_id=2) is not None
            await second.commit()
        await first.commit()
    assert await _counts(container, campaign_pk) == (2, 2, 2)
    report = (await client.execute(
        "query($id: ID!) { couponReport(campaignId: $id) { issued } }", {"id": campaign_id},
        marketer.token))["couponReport"]
    assert report["issued"] == 2
