"""Demo coupons: a running campaign, three coupons in Alice's wallet, one already used."""

from __future__ import annotations

from datetime import timedelta

from api.container import Container
from api.demo import demo_step
from domain.coupons import rules
from domain.coupons.issuing import CouponSource
from domain.coupons.models import DiscountKind
from domain.coupons.service import CampaignDraft
from domain.pagination import PageRequest
from rally.db import utcnow


@demo_step
async def coupons(container: Container, accounts: dict[str, int]) -> None:
    service = container.coupons
    now = utcnow()
    campaign = await service.create_campaign(accounts["marketer@rally.demo"], CampaignDraft(
        name="Welcome: 15% off your next order",
        discount=rules.discount(DiscountKind.PERCENT, 15, None), quota=500, per_member_limit=3,
        valid_from=now - timedelta(days=1), valid_until=now + timedelta(days=60),
        terms="One coupon per order. Not valid on gift cards."))
    alice, bob = accounts["alice@rally.demo"], accounts["bob@rally.demo"]
    for members in ([alice, bob], [alice], [alice]):
        await service.grant(accounts["marketer@rally.demo"], campaign.id, members)
    # Her demo wheel spin may have won a coupon earlier: redeem the oldest granted one.
    wallet = (await service.member_coupons(alice, None, PageRequest(first=10))).items
    oldest = [c for c in wallet if c.source == CouponSource.GRANT][-1]
    await service.redeem(accounts["merchant@rally.demo"], oldest.code, "store-downtown-01")

