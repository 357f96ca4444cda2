"""The demo data shows a running campaign with coupons in Alice's wallet, one already used."""

from __future__ import annotations

from api.container import Container
from api.demo import seed_demo
from domain.coupons.models import CouponStatus
from domain.pagination import PageRequest


async def test_demo_alice_holds_coupons_and_one_was_redeemed(container: Container) -> None:
    accounts = await seed_demo(container)
    page = await container.coupons.member_coupons(accounts["alice@rally.demo"], None,
                                                  PageRequest(10))
    # The coupon demo grants her two and redeems one; her demo wheel spin (campaigns) may win
    # another, by chance.
    granted = [c for c in page.items if c.source == "GRANT"]
    statuses = sorted(c.status for c in granted)
    assert statuses == [CouponStatus.ACTIVE, CouponStatus.ACTIVE, CouponStatus.REDEEMED]
