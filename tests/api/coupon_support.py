"""Shared steps of the coupon tests: a marketer's campaign, grants, the member's wallet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from api.container import Container
from tests.support import GraphQLClient, Member

CREATE = """mutation($input: CreateCouponCampaignInput!) { createCouponCampaign(input: $input) {
  campaign { id name quota perUserLimit issued remaining validFrom validUntil terms
             discount { kind value currency } } } }"""
UPDATE = """mutation($input: UpdateCouponCampaignInput!) { updateCouponCampaign(input: $input) {
  campaign { id quota perUserLimit issued remaining validUntil name } } }"""
GRANT = """mutation($input: GrantCouponsInput!) { grantCoupons(input: $input) {
  issuedCount refusedCount refusedByQuota refusedByMemberLimit refusedCampaignEnded
  campaign { issued remaining } } }"""
MY_COUPONS = """query($status: CouponStatus, $first: Int, $after: String) {
  myCoupons(status: $status, first: $first, after: $after) {
    edges { cursor node { id code status source issuedAt redeemedAt redeemedStoreId
                          validFrom validUntil qrPayload campaign { id name } } }
    pageInfo { hasNextPage endCursor } } }"""
REDEEM = """mutation($input: RedeemCouponInput!) { redeemCoupon(input: $input) {
  coupon { code status redeemedAt redeemedStoreId campaign { name discount { kind value } } } } }"""
VOID_REDEMPTION = """mutation($input: VoidCouponInput!) { voidRedemption(input: $input) {
  coupon { code status redeemedAt redeemedStoreId } } }"""


def iso(moment: datetime) -> str:
    return moment.isoformat()


def campaign_input(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "name": "Spring 10%", "discount": {"kind": "PERCENT", "value": 10},
        "quota": 100, "perUserLimit": 1, "validFrom": iso(now - timedelta(hours=1)),
        "validUntil": iso(now + timedelta(days=7)), "terms": "One per order.",
    }
    values.update(overrides)
    return values


async def create_campaign(client: GraphQLClient, marketer: Member, **overrides: Any) -> str:
    data = await client.execute(CREATE, {"input": campaign_input(**overrides)}, marketer.token)
    return data["createCouponCampaign"]["campaign"]["id"]


async def grant(client: GraphQLClient, marketer: Member, campaign_id: str,
                *members: Member) -> dict[str, Any]:
    data = await client.execute(GRANT, {"input": {
        "campaignId": campaign_id, "memberIds": [m.id for m in members]}}, marketer.token)
    return data["grantCoupons"]


async def my_coupons(client: GraphQLClient, member: Member,
                     status: str | None = None) -> list[dict[str, Any]]:
    data = await client.execute(MY_COUPONS, {"status": status}, member.token)
    return [edge["node"] for edge in data["myCoupons"]["edges"]]


async def table_counts(container: Container) -> dict[str, Any]:
    """Everything coupon-related, to prove a refusal changed nothing."""
    async with container.engine.connect() as conn:
        row = (await conn.execute(text(
            "SELECT (SELECT count(*) FROM coupon_campaigns) AS campaigns,"
            " (SELECT coalesce(sum(issued), 0) FROM coupon_quota_shards) AS issued,"
            " (SELECT coalesce(sum(quota), 0) FROM coupon_campaigns) AS quotas,"
            " (SELECT count(*) FROM coupons) AS coupons,"
            " (SELECT count(*) FROM coupons WHERE status = 'REDEEMED') AS redeemed,"
            " (SELECT coalesce(sum(issued), 0) FROM coupon_holdings) AS held,"
            " (SELECT string_agg(name || quota || per_member_limit || valid_until, ',')"
            "  FROM coupon_campaigns) AS terms"))).one()
    return dict(row._mapping)
