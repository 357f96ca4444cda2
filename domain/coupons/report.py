"""A campaign's results for marketers: issued, redeemed, the rate, by brand day and by source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from rally.uow import UnitOfWork


@dataclass(frozen=True)
class CouponCounts:
    issued: int
    redeemed: int

    @property
    def redemption_rate(self) -> float:
        return self.redeemed / self.issued if self.issued else 0.0


@dataclass(frozen=True)
class DayCounts(CouponCounts):
    day: date


@dataclass(frozen=True)
class SourceCounts(CouponCounts):
    source: str


@dataclass(frozen=True)
class CouponReport:
    campaign_id: int
    totals: CouponCounts
    voided: int
    by_day: list[DayCounts]
    by_source: list[SourceCounts]


# Issued counts a coupon on the brand day it was issued, redeemed on the day it was redeemed;
# a voided redemption is not a redemption.
_BY_DAY = text("""
WITH events AS (
    SELECT (issued_at AT TIME ZONE :tz)::date AS day, 1 AS issued, 0 AS redeemed
    FROM coupons WHERE campaign_id = :campaign_id
    UNION ALL
    SELECT (redeemed_at AT TIME ZONE :tz)::date, 0, 1
    FROM coupons WHERE campaign_id = :campaign_id AND status = 'REDEEMED'
)
SELECT day, sum(issued)::int AS issued, sum(redeemed)::int AS redeemed
FROM events GROUP BY day ORDER BY day
""")
_BY_SOURCE = text("""
SELECT source, count(*)::int AS issued,
       count(*) FILTER (WHERE status = 'REDEEMED')::int AS redeemed,
       count(*) FILTER (WHERE status = 'VOID')::int AS voided
FROM coupons WHERE campaign_id = :campaign_id GROUP BY source ORDER BY source
""")


async def coupon_report(uow: UnitOfWork, campaign_id: int) -> CouponReport:
    params = {"campaign_id": campaign_id, "tz": uow.settings.timezone}
    days = (await uow.session.execute(_BY_DAY, params)).all()
    sources = (await uow.session.execute(_BY_SOURCE, params)).all()
    by_source = [SourceCounts(issued=r.issued, redeemed=r.redeemed, source=r.source)
                 for r in sources]
    return CouponReport(
        campaign_id=campaign_id,
        totals=CouponCounts(issued=sum(s.issued for s in by_source),
                            redeemed=sum(s.redeemed for s in by_source)),
        voided=sum(r.voided for r in sources),
        by_day=[DayCounts(issued=r.issued, redeemed=r.redeemed, day=r.day) for r in days],
        by_source=by_source,
    )
