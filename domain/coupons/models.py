"""Coupon campaigns, the coupons issued from them, and each member's count per campaign.

A campaign's quota is split over `coupon_quota_shards` rows whose quotas always add up to
the campaign's `quota` (set at creation, re-split by a quota change that locks them all).
The shards' `issued` and `coupon_holdings.issued` are counters moved only by the
conditional updates of `issuing.try_issue_coupon`, and the CHECK constraints
(`issued <= quota` per shard) make overselling a campaign impossible even for a buggy
caller: the sum of the issued never exceeds the sum of the shard quotas.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from rally.db import Base, created_at_column


class DiscountKind(StrEnum):
    PERCENT = "PERCENT"
    AMOUNT = "AMOUNT"


class CouponStatus(StrEnum):
    """Stored states; EXPIRED is derived at read time from the campaign's `valid_until`."""

    ACTIVE = "ACTIVE"
    REDEEMED = "REDEEMED"
    EXPIRED = "EXPIRED"
    VOID = "VOID"


class CouponCampaign(Base):
    __tablename__ = "coupon_campaigns"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    discount_kind: Mapped[str] = mapped_column(String(16))
    discount_value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    quota: Mapped[int] = mapped_column(Integer)
    per_member_limit: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    terms: Mapped[str] = mapped_column(Text, server_default=text("''"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        CheckConstraint("quota >= 1", "quota_positive"),
        CheckConstraint("per_member_limit >= 1", "per_member_limit_positive"),
        CheckConstraint("valid_until > valid_from", "window_ordered"),
        CheckConstraint(
            "(discount_kind = 'PERCENT' AND discount_value > 0 AND discount_value <= 100"
            " AND currency IS NULL) OR (discount_kind = 'AMOUNT' AND discount_value > 0"
            " AND currency IS NOT NULL)", "discount_valid"),
    )


class CouponQuotaShard(Base):
    """One share of a campaign's quota: an issue takes a unit from a shard nobody else
    holds, so concurrent issues of one campaign do not queue on one row."""

    __tablename__ = "coupon_quota_shards"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("coupon_campaigns.id", ondelete="CASCADE"), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    quota: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer, server_default=text("0"))

    __table_args__ = (
        CheckConstraint("issued >= 0 AND issued <= quota", "issued_within_quota"),
    )


# How many coupons a campaign has issued: the sum over its shards (read with the campaign).
ISSUED_SQL = ("(SELECT coalesce(sum(s.issued), 0) FROM coupon_quota_shards s"
              " WHERE s.campaign_id = {campaign}.id)")
CouponCampaign.issued = column_property(  # type: ignore[attr-defined]
    select(func.coalesce(func.sum(CouponQuotaShard.issued), 0))
    .where(CouponQuotaShard.campaign_id == CouponCampaign.id).scalar_subquery())


class CouponHolding(Base):
    """How many coupons of a campaign a member has received (the per-member limit's row)."""

    __tablename__ = "coupon_holdings"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("coupon_campaigns.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("issued >= 0", "issued_not_negative"),)


class Coupon(Base):
    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("coupon_campaigns.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # Normalized: 13 random symbols and the check symbol, no separators.
    code: Mapped[str] = mapped_column(String(14), unique=True)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'ACTIVE'"))
    # What issued it (GRANT, MINI_GAME, CHALLENGE, CATALOG…) and that thing's id.
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = created_at_column()
    redeemed_at: Mapped[datetime | None]
    redeemed_store_id: Mapped[str | None] = mapped_column(String(64))
    redeemed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    voided_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("status IN ('ACTIVE', 'REDEEMED', 'VOID')", "status_stored"),
        CheckConstraint("(status = 'REDEEMED') = (redeemed_at IS NOT NULL)", "redeemed_has_time"),
        Index("ix_coupons_member", "member_id", "id"),
        Index("ix_coupons_campaign", "campaign_id", "issued_at"),
    )
