"""What happens to coupons, announced in the transaction that did it: the report rollups
(`domain.analytics.coupon_rollups`) move with each change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from rally.events import DomainEvent


class CouponChange(StrEnum):
    ISSUED = "ISSUED"
    REDEEMED = "REDEEMED"
    REDEMPTION_VOIDED = "REDEMPTION_VOIDED"  # back to ACTIVE
    VOIDED = "VOIDED"  # an unused coupon withdrawn for good


@dataclass(frozen=True, kw_only=True)
class CouponChanged(DomainEvent):
    topic: ClassVar[str] = "coupon.changed"
    change: str  # CouponChange
    coupon_id: int
    campaign_id: int
    source: str
    issued_at: datetime
    # REDEEMED: the redemption's time; REDEMPTION_VOIDED: the time of the redemption undone.
    redeemed_at: datetime | None = None
    at: datetime  # when the change happened
    # ISSUED: the quota shard the unit came from (the issue's rollup row is that shard's).
    quota_shard: int = 0
