"""GraphQL types of coupons: campaigns, the coupons members hold, the campaign report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.relay import Node, node_type, to_global_id
from domain.coupons.codes import format_code
from domain.coupons.models import CouponStatus, DiscountKind
from domain.coupons.records import CouponRecord
from domain.coupons.report import CouponReport as CouponReportValue
from domain.members.models import Role

DiscountKindEnum = strawberry.enum(DiscountKind, name="DiscountKind")
CouponStatusEnum = strawberry.enum(
    CouponStatus, name="CouponStatus",
    description="ACTIVE until redeemed; EXPIRED once the campaign window has closed unused; "
                "VOID when withdrawn.")


@strawberry.type
class Discount:
    kind: DiscountKindEnum  # type: ignore[valid-type]
    value: float
    currency: str | None = strawberry.field(description="ISO 4217; null for PERCENT.")


@strawberry.type(description="A batch of coupons with one discount, quota and validity window.")
class CouponCampaign(Node):
    id: strawberry.ID
    name: str
    discount: Discount
    quota: int
    per_user_limit: int
    issued: int
    valid_from: datetime
    valid_until: datetime
    terms: str
    created_at: datetime

    @strawberry.field(description="Coupons that can still be issued (quota minus issued).")
    def remaining(self) -> int:
        return self.quota - self.issued

    @classmethod
    def from_row(cls, row: Any) -> CouponCampaign:
        return cls(
            id=strawberry.ID(to_global_id("CouponCampaign", row.id)), name=row.name,
            discount=Discount(kind=DiscountKind(row.discount_kind),
                              value=float(row.discount_value), currency=row.currency),
            quota=row.quota, per_user_limit=row.per_member_limit, issued=row.issued,
            valid_from=row.valid_from, valid_until=row.valid_until, terms=row.terms,
            created_at=row.created_at)


@strawberry.type(description="A coupon held by a member.")
class Coupon(Node):
    id: strawberry.ID
    code: str = strawberry.field(description="Grouped for reading: XXXXX-XXXXX-XXXX.")
    status: CouponStatusEnum  # type: ignore[valid-type]
    source: str = strawberry.field(description="What issued it: GRANT, MINI_GAME, CHALLENGE…")
    issued_at: datetime
    redeemed_at: datetime | None
    redeemed_store_id: str | None
    valid_from: datetime
    valid_until: datetime
    record: strawberry.Private[CouponRecord]

    @classmethod
    def from_record(cls, record: CouponRecord) -> Coupon:
        return cls(
            id=strawberry.ID(to_global_id("Coupon", record.id)), code=format_code(record.code),
            status=record.status, source=record.source, issued_at=record.issued_at,
            redeemed_at=record.redeemed_at, redeemed_store_id=record.redeemed_store_id,
            valid_from=record.valid_from, valid_until=record.valid_until, record=record)

    @strawberry.field
    async def campaign(self, info: Info) -> CouponCampaign:
        row = await info.context.loaders.load("coupon_campaigns_by_id", self.record.campaign_id)
        return CouponCampaign.from_row(row)

    @strawberry.field(description=(
        "Signed string for the store's scanner: `RC1.<code>.<campaign id>.<valid from>."
        "<valid until>.<signature>` (unix seconds; HMAC-SHA256, base64url). The scanner checks "
        "it offline; only redeemCoupon knows whether it was already used."))
    def qr_payload(self, info: Info) -> str:
        return info.context.services.coupons.qr_payload(self.record)


@node_type("Coupon")
async def load_coupon(context: Any, pk: int) -> Coupon | None:
    """Visible to its holder and to admins only."""
    record = await context.loaders.load("coupons_by_id", pk)
    if record is None or not (context.viewer_id == record.member_id
                              or context.has_role(Role.ADMIN)):
        return None
    return Coupon.from_record(record)


@node_type("CouponCampaign")
async def load_campaign(context: Any, pk: int) -> CouponCampaign | None:
    if not (context.has_role(Role.MARKETER)):
        return None
    row = await context.loaders.load("coupon_campaigns_by_id", pk)
    return CouponCampaign.from_row(row) if row is not None else None


@strawberry.type
class CouponCounts:
    issued: int
    redeemed: int
    redemption_rate: float = strawberry.field(description="redeemed / issued, 0 when none.")


@strawberry.type(description="A breakdown row; a count of fewer than the minimum group size "
                             "(5 by default) is withheld as null, and so is its rate.")
class CouponBreakdownCounts:
    issued: int | None
    redeemed: int | None
    redemption_rate: float | None = strawberry.field(description="redeemed / issued.")


@strawberry.type
class CouponDayCounts(CouponBreakdownCounts):
    day: date = strawberry.field(description="Brand-local day.")


@strawberry.type
class CouponSourceCounts(CouponBreakdownCounts):
    source: str


@strawberry.type
class CouponReport:
    campaign: CouponCampaign
    issued: int
    redeemed: int
    redemption_rate: float
    voided: int
    by_day: list[CouponDayCounts]
    by_source: list[CouponSourceCounts]

    @classmethod
    def from_domain(cls, report: CouponReportValue, campaign: CouponCampaign) -> CouponReport:
        totals = report.totals
        return cls(
            campaign=campaign, issued=totals.issued, redeemed=totals.redeemed,
            redemption_rate=totals.redemption_rate, voided=report.voided,
            by_day=[CouponDayCounts(issued=d.issued, redeemed=d.redeemed,
                                    redemption_rate=d.redemption_rate, day=d.day)
                    for d in report.by_day],
            by_source=[CouponSourceCounts(issued=s.issued, redeemed=s.redeemed,
                                          redemption_rate=s.redemption_rate, source=s.source)
                       for s in report.by_source])
