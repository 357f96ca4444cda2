"""Coupons over GraphQL: thin resolvers over CouponService."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.coupons.types import (
    Coupon,
    CouponCampaign,
    CouponReport,
    CouponStatusEnum,
    DiscountKindEnum,
)
from api.permissions import Authenticated, requires
from api.relay import Connection, decode_id, page_request
from domain.coupons import rules
from domain.coupons.models import CouponStatus, DiscountKind
from domain.coupons.service import CampaignDraft
from domain.members.models import Role
from domain.reports import report_csv
from rally.errors import InvalidInput

CAMPAIGN_WRITERS = requires(Role.MARKETER)
STORES = requires(Role.MERCHANT)


@strawberry.input
class DiscountInput:
    kind: DiscountKindEnum  # type: ignore[valid-type]
    value: float
    currency: str | None = strawberry.field(default=None, description="ISO 4217, for AMOUNT.")


@strawberry.input
class CreateCouponCampaignInput:
    name: str
    discount: DiscountInput
    quota: int
    per_user_limit: int = 1
    valid_from: datetime
    valid_until: datetime
    terms: str | None = None


@strawberry.input
class UpdateCouponCampaignInput:
    campaign_id: strawberry.ID
    name: str | None = strawberry.UNSET
    quota: int | None = strawberry.UNSET
    per_user_limit: int | None = strawberry.UNSET
    valid_until: datetime | None = strawberry.UNSET
    terms: str | None = strawberry.UNSET


@strawberry.type
class CouponCampaignPayload:
    campaign: CouponCampaign


@strawberry.input
class GrantCouponsInput:
    campaign_id: strawberry.ID
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Members to give one coupon each.")
    segment_id: strawberry.ID | None = strawberry.field(
        default=None, description="Or every member of a saved segment (createSegment), as it "
                                  "is now.")


@strawberry.type
class GrantCouponsPayload:
    campaign: CouponCampaign
    issued_count: int
    refused_count: int = strawberry.field(description="Members the quota or their limit refused.")
    refused_by_quota: int
    refused_by_member_limit: int
    refused_campaign_ended: int


@strawberry.input
class RedeemCouponInput:
    code: str
    store_id: str


@strawberry.input
class VoidCouponInput:
    code: str
    reason: str


@strawberry.type
class CouponPayload:
    coupon: Coupon


def _draft(input: CreateCouponCampaignInput) -> CampaignDraft:
    d = input.discount
    return CampaignDraft(
        name=input.name, discount=rules.discount(DiscountKind(d.kind), d.value, d.currency),
        quota=input.quota, per_member_limit=input.per_user_limit, valid_from=input.valid_from,
        valid_until=input.valid_until, terms=input.terms or "")


_UPDATABLE = {"name": "name", "quota": "quota", "per_user_limit": "per_member_limit",
              "valid_until": "valid_until", "terms": "terms"}


@strawberry.type
class CouponQueries:
    @strawberry.field(permission_classes=[CAMPAIGN_WRITERS], description="Newest first.")
    async def coupon_campaigns(self, info: Info, first: int | None = None,
                               after: str | None = None) -> Connection[CouponCampaign]:
        page = await info.context.services.coupons.campaigns(
            page_request(info.context, first, after))
        return Connection.from_page(page, CouponCampaign.from_row, lambda c: (c.id,))

    @strawberry.field(permission_classes=[Authenticated], description=(
        "The caller's coupons, newest first; all of them when status is null."))
    async def my_coupons(self, info: Info, status: CouponStatusEnum | None = None,  # type: ignore[valid-type]
                         first: int | None = None, after: str | None = None) -> Connection[Coupon]:
        ctx = info.context
        page = await ctx.services.coupons.member_coupons(
            ctx.require_member().member_id, CouponStatus(status) if status else None,
            page_request(ctx, first, after))
        return Connection.from_page(page, Coupon.from_record, lambda c: (c.id,))

    @strawberry.field(permission_classes=[CAMPAIGN_WRITERS])
    async def coupon_report(self, info: Info, campaign_id: strawberry.ID) -> CouponReport:
        coupons = info.context.services.coupons
        campaign_pk = decode_id(campaign_id, "CouponCampaign")
        report = await coupons.report(campaign_pk)
        campaign = await coupons.campaign(campaign_pk)
        return CouponReport.from_domain(report, CouponCampaign.from_row(campaign))

    @strawberry.field(permission_classes=[CAMPAIGN_WRITERS],
                      description="The same report as CSV text for spreadsheets.")
    async def coupon_report_csv(self, info: Info, campaign_id: strawberry.ID) -> str:
        return report_csv(await info.context.services.coupons.report(
            decode_id(campaign_id, "CouponCampaign")))


@strawberry.type
class CouponMutations:
    @strawberry.mutation(permission_classes=[CAMPAIGN_WRITERS])
    async def create_coupon_campaign(self, info: Info,
                                     input: CreateCouponCampaignInput) -> CouponCampaignPayload:
        ctx = info.context
        campaign = await ctx.services.coupons.create_campaign(
            ctx.require_member().member_id, _draft(input))
        return CouponCampaignPayload(campaign=CouponCampaign.from_row(campaign))

    @strawberry.mutation(permission_classes=[CAMPAIGN_WRITERS], description=(
        "Name, terms, quota (never below what is issued), per-member limit, end of window."))
    async def update_coupon_campaign(self, info: Info,
                                     input: UpdateCouponCampaignInput) -> CouponCampaignPayload:
        ctx = info.context
        changes = {_UPDATABLE[name]: value for name, value in vars(input).items()
                   if name in _UPDATABLE and value is not strawberry.UNSET}
        if any(value is None for value in changes.values()):
            raise InvalidInput("omit a field to keep it; null is not a value here")
        campaign = await ctx.services.coupons.update_campaign(
            ctx.require_member().member_id, decode_id(input.campaign_id, "CouponCampaign"),
            changes)
        return CouponCampaignPayload(campaign=CouponCampaign.from_row(campaign))

    @strawberry.mutation(permission_classes=[CAMPAIGN_WRITERS])
    async def grant_coupons(self, info: Info, input: GrantCouponsInput) -> GrantCouponsPayload:
        ctx = info.context
        if (input.member_ids is None) == (input.segment_id is None):
            raise InvalidInput("give memberIds or segmentId, one of the two", field="memberIds")
        if input.segment_id is not None:
            member_ids = await ctx.services.segments.members(decode_id(input.segment_id, "Segment"))
        else:
            member_ids = [decode_id(m, "User") for m in input.member_ids or []]
        result = await ctx.services.coupons.grant(
            ctx.require_member().member_id, decode_id(input.campaign_id, "CouponCampaign"),
            member_ids)
        refused = {reason.value: count for reason, count in result.refused.items()}
        return GrantCouponsPayload(
            campaign=CouponCampaign.from_row(result.campaign), issued_count=len(result.issued),
            refused_count=sum(refused.values()), refused_by_quota=refused["QUOTA_EXHAUSTED"],
            refused_by_member_limit=refused["MEMBER_LIMIT_REACHED"],
            refused_campaign_ended=refused["CAMPAIGN_ENDED"])

    @strawberry.mutation(permission_classes=[STORES], description=(
        "Once: a second attempt is CONFLICT saying when and where it was redeemed."))
    async def redeem_coupon(self, info: Info, input: RedeemCouponInput) -> CouponPayload:
        ctx = info.context
        coupon = await ctx.services.coupons.redeem(
            ctx.require_member().member_id, input.code, input.store_id)
        return CouponPayload(coupon=Coupon.from_record(coupon))

    @strawberry.mutation(permission_classes=[STORES], description=(
        "Undo a redemption within the configured window (the redeeming merchant or an admin); "
        "the coupon is ACTIVE again. Audited."))
    async def void_redemption(self, info: Info, input: VoidCouponInput) -> CouponPayload:
        ctx = info.context
        coupon = await ctx.services.coupons.void_redemption(
            ctx.require_member().member_id, ctx.has_role(Role.ADMIN), input.code, input.reason)
        return CouponPayload(coupon=Coupon.from_record(coupon))

    @strawberry.mutation(permission_classes=[CAMPAIGN_WRITERS], description=(
        "Withdraw an unused coupon for good (VOID); its quota is not given back. Audited."))
    async def void_coupon(self, info: Info, input: VoidCouponInput) -> CouponPayload:
        ctx = info.context
        coupon = await ctx.services.coupons.void_coupon(
            ctx.require_member().member_id, input.code, input.reason)
        return CouponPayload(coupon=Coupon.from_record(coupon))
