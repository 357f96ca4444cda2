"""The rewards catalogue and referrals over GraphQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.coupons.types import Coupon
from api.members.types import User, user_by_id
from api.permissions import Authenticated, requires
from api.relay import Connection, Edge, Node, PageInfo, decode_id, encode_cursor, page_request, to_global_id
from api.rewards import Reward
from domain.members.models import Role
from gamification.campaigns.catalog import ItemDraft

MARKETERS = requires(Role.MARKETER)


@strawberry.type(description="Something members buy with points: a coupon.")
class RewardItem(Node):
    id: strawberry.ID
    title: str
    description: str
    cost_points: int
    coupon_campaign_id: strawberry.ID
    stock: int | None = strawberry.field(description="Null: unlimited.")
    remaining_stock: int | None
    per_member_limit: int | None

    @classmethod
    def from_row(cls, row: Any) -> RewardItem:
        return cls(id=strawberry.ID(to_global_id("RewardItem", row.id)), title=row.title,
                   description=row.description, cost_points=row.cost_points,
                   coupon_campaign_id=strawberry.ID(to_global_id("CouponCampaign",
                                                                 row.coupon_campaign_id)),
                   stock=row.stock, remaining_stock=row.remaining,
                   per_member_limit=row.per_member_limit)


@strawberry.input
class CreateRewardItemInput:
    title: str
    cost_points: int
    coupon_campaign_id: strawberry.ID
    description: str | None = None
    stock: int | None = None
    per_member_limit: int | None = None


@strawberry.type
class RewardItemPayload:
    item: RewardItem


@strawberry.input
class RedeemRewardInput:
    item_id: strawberry.ID
    idempotency_key: str


@strawberry.type
class RedeemRewardPayload:
    item: RewardItem
    reward: Reward
    coupon_id: strawberry.Private[int]

    @strawberry.field
    async def coupon(self, info: Info) -> Coupon | None:
        record = await info.context.loaders.load("coupons_by_id", self.coupon_id)
        return Coupon.from_record(record) if record is not None else None


@strawberry.type
class Referral:
    paid: bool = strawberry.field(description="Whether the rules paid you for it.")
    refusal: str | None = strawberry.field(description="SAME_DEVICE or DAILY_CAP when unpaid.")
    created_at: datetime
    referred_id: strawberry.Private[int]

    @strawberry.field(description="The friend who joined.")
    async def user(self, info: Info) -> User | None:
        return await user_by_id(info, self.referred_id)


@strawberry.type
class ReferralConnection:
    edges: list[Edge[Referral]]
    page_info: PageInfo
    total_count: int
    referral_code: str = strawberry.field(description="The caller's code to hand to friends.")


@strawberry.type
class ReferralDay:
    day: date
    signups: int | None = strawberry.field(description=(
        "Members who registered with a code that day; null when fewer than the minimum group "
        "size (5 by default), so a small group is never shown."))
    paid: int | None = strawberry.field(description="Of those, referrals the rules paid (null "
                                                    "when fewer than the minimum group size).")


@strawberry.type(description="Signups through referral codes over brand days [since, until].")
class ReferralReport:
    since: date
    until: date
    signups: int
    paid: int
    refused_same_device: int
    refused_daily_cap: int
    referrers: int = strawberry.field(description="Distinct members whose code was used.")
    by_day: list[ReferralDay] = strawberry.field(description="Every day of the window, in order.")


@strawberry.type
class CatalogQueries:
    @strawberry.field(description="Rewards on offer, newest first.")
    async def rewards_catalog(self, info: Info, first: int | None = None,
                              after: str | None = None) -> Connection[RewardItem]:
        page = await info.context.services.campaigns.catalog.items(
            page_request(info.context, first, after))
        return Connection.from_page(page, RewardItem.from_row, lambda i: (i.id,))

    @strawberry.field(permission_classes=[MARKETERS], description=(
        "Referral signups by day; by default the last 30 brand days up to today."))
    async def referral_report(self, info: Info, since: date | None = None,
                              until: date | None = None) -> ReferralReport:
        r = await info.context.services.campaigns.referrals.report(since, until)
        return ReferralReport(
            since=r.since, until=r.until, signups=r.signups, paid=r.paid,
            refused_same_device=r.same_device, refused_daily_cap=r.daily_cap,
            referrers=r.referrers,
            by_day=[ReferralDay(day=d.day, signups=d.signups, paid=d.paid) for d in r.by_day])

    @strawberry.field(permission_classes=[Authenticated], description=(
        "Friends who joined with the caller's referral code, newest first."))
    async def my_referrals(self, info: Info, first: int | None = None,
                           after: str | None = None) -> ReferralConnection:
        ctx = info.context
        page, total, code = await ctx.services.campaigns.referrals.of_referrer(
            ctx.require_member().member_id, page_request(ctx, first, after))
        edges = [Edge(cursor=encode_cursor(r.id), node=Referral(
            paid=r.paid, refusal=r.refusal, created_at=r.created_at, referred_id=r.referred_id))
            for r in page.items]
        return ReferralConnection(edges=edges, total_count=total, referral_code=code,
                                  page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=False,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None))


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(permission_classes=[MARKETERS])
    async def create_reward_item(self, info: Info, input: CreateRewardItemInput
                                 ) -> RewardItemPayload:
        ctx = info.context
        item = await ctx.services.campaigns.catalog.create_item(
            ctx.require_member().member_id, ItemDraft(
                title=input.title, cost_points=input.cost_points,
                coupon_campaign_id=decode_id(input.coupon_campaign_id, "CouponCampaign"),
                description=input.description or "", stock=input.stock,
                per_member_limit=input.per_member_limit))
        return RewardItemPayload(item=RewardItem.from_row(item))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Spends the points and issues the coupon in one transaction; not enough points, "
        "no stock, quota or limit reached → CONFLICT and nothing changes."))
    async def redeem_reward(self, info: Info, input: RedeemRewardInput) -> RedeemRewardPayload:
        ctx = info.context
        catalog = ctx.services.campaigns.catalog
        done = await catalog.redeem(ctx.require_member().member_id,
                                    decode_id(input.item_id, "RewardItem"),
                                    input.idempotency_key)
        return RedeemRewardPayload(item=RewardItem.from_row(await catalog.item(done.item_id)),
                                   reward=Reward.from_domain(done.reward),
                                   coupon_id=done.coupon_id)
