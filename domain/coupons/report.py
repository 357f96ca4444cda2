"""A campaign's results for marketers: issued, redeemed, the rate, by brand day and by source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from domain.reports import withheld
from rally.uow import UnitOfWork


@dataclass(frozen=True)
class CouponCounts:
    issued: int
    redeemed: int

    @property
    def redemption_rate(self) -> float:
        return self.redeemed / self.issued if self.issued else 0.0


@dataclass(frozen=True)
class BreakdownCounts:
    """A day's or a source's counts; a count of fewer than the minimum group is withheld."""

    issued: int | None
    redeemed: int | None

    @property
    def redemption_rate(self) -> float | None:
        if self.issued is None or self.redeemed is None:
            return None
        return CouponCounts(self.issued, self.redeemed).redemption_rate


@dataclass(frozen=True)
class DayCounts(BreakdownCounts):
    day: date


@dataclass(frozen=True)
class SourceCounts(BreakdownCounts):
    source: str


@dataclass(frozen=True)
class CouponReport:
    campaign_id: int
    totals: CouponCounts
    voided: int
    by_day: list[DayCounts]
    by_source: list[SourceCounts]


# Read from the maintained `coupon_rollups` (see domain.analytics.models.CouponRollup): issued
# counts a coupon on the brand day it was issued, redeemed on the day it was redeemed; a
# voided redemption is not a redemption (its event took it back).
_BY_DAY = text("""
SELECT day, coalesce(sum(value) FILTER (WHERE metric = 'issued'), 0)::int AS issued,
       coalesce(sum(value) FILTER (WHERE metric = 'redeemed'), 0)::int AS redeemed
FROM coupon_rollups WHERE campaign_id = :campaign_id AND metric IN ('issued', 'redeemed')
GROUP BY day HAVING sum(value) <> 0 ORDER BY day
""")
_BY_SOURCE = text("""
SELECT source, coalesce(sum(value) FILTER (WHERE metric = 'issued'), 0)::int AS issued,
       coalesce(sum(value) FILTER (WHERE metric = 'redeemed'), 0)::int AS redeemed,
       coalesce(sum(value) FILTER (WHERE metric = 'voided'), 0)::int AS voided
FROM coupon_rollups WHERE campaign_id = :campaign_id GROUP BY source ORDER BY source
""")


async def coupon_report(uow: UnitOfWork, campaign_id: int) -> CouponReport:
    params = {"campaign_id": campaign_id}
    days = (await uow.session.execute(_BY_DAY, params)).all()
    sources = (await uow.session.execute(_BY_SOURCE, params)).all()
    floor = uow.settings.report_min_group_size
    return CouponReport(
        campaign_id=campaign_id,
        totals=CouponCounts(issued=sum(r.issued for r in sources),
                            redeemed=sum(r.redeemed for r in sources)),
        voided=sum(r.voided for r in sources),
        by_day=[DayCounts(issued=withheld(r.issued, floor), redeemed=withheld(r.redeemed, floor),
                          day=r.day) for r in days],
        by_source=[SourceCounts(issued=withheld(r.issued, floor),
                                redeemed=withheld(r.redeemed, floor), source=r.source)
                   for r in sources],
    )
