"""How a coupon is read: its stored row, its campaign's window, and the status at read time.

EXPIRED is never stored: an ACTIVE coupon whose campaign window has closed reads as EXPIRED
everywhere (lists, loaders, redemption), computed by the database's clock in the same query,
so no job is needed and changing a campaign's `valid_until` moves every coupon with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from domain.coupons.models import Coupon, CouponCampaign, CouponStatus


@dataclass(frozen=True)
class CouponRecord:
    id: int
    campaign_id: int
    member_id: int
    code: str
    status: CouponStatus
    source: str
    source_id: int | None
    issued_at: datetime
    redeemed_at: datetime | None
    redeemed_store_id: str | None
    valid_from: datetime
    valid_until: datetime

    @classmethod
    def from_row(cls, row: Any) -> CouponRecord:
        values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        values["status"] = CouponStatus(values["status"])
        return cls(**values)


def status_at_read_time() -> Any:
    return case(
        (and_(Coupon.status == CouponStatus.ACTIVE.value,
              CouponCampaign.valid_until <= func.now()), CouponStatus.EXPIRED.value),
        else_=Coupon.status,
    )


def coupon_view() -> Select[Any]:
    return (
        select(Coupon.id, Coupon.campaign_id, Coupon.member_id, Coupon.code,
               status_at_read_time().label("status"), Coupon.source, Coupon.source_id,
               Coupon.issued_at, Coupon.redeemed_at, Coupon.redeemed_store_id,
               CouponCampaign.valid_from, CouponCampaign.valid_until)
        .join(CouponCampaign, CouponCampaign.id == Coupon.campaign_id)
    )


# The same view for the DataLoader's plain asyncpg batch.
COUPONS_BY_ID_SQL = """
SELECT c.id, c.campaign_id, c.member_id, c.code,
       CASE WHEN c.status = 'ACTIVE' AND k.valid_until <= now() THEN 'EXPIRED'
            ELSE c.status END AS status,
       c.source, c.source_id, c.issued_at, c.redeemed_at, c.redeemed_store_id,
       k.valid_from, k.valid_until
FROM coupons c JOIN coupon_campaigns k ON k.id = c.campaign_id
WHERE c.id = ANY($1::bigint[])
"""
