"""Redeeming a coupon at a store exactly once, and undoing a mistaken redemption.

Redemption is one conditional UPDATE (`status = 'ACTIVE'` and inside the campaign window):
of any number of concurrent attempts, the row lock lets exactly one through, and every other
one re-reads the committed row to say when and where the coupon was redeemed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from domain.audit.service import record as audit
from domain.coupons.events import CouponChange, CouponChanged
from domain.coupons.models import Coupon, CouponStatus
from domain.coupons.records import CouponRecord, coupon_view
from rally.errors import Conflict, Forbidden, NotFound
from rally.uow import UnitOfWork

_REDEEM = text(
    "UPDATE coupons c SET status = 'REDEEMED', redeemed_at = :now,"
    " redeemed_store_id = :store_id, redeemed_by = :merchant_id"
    " FROM coupon_campaigns k"
    " WHERE c.code = :code AND c.status = 'ACTIVE' AND k.id = c.campaign_id"
    " AND k.valid_from <= :now AND k.valid_until > :now"
    " RETURNING c.id, c.campaign_id, c.source, c.issued_at")


async def load_by_code(uow: UnitOfWork, code: str) -> CouponRecord:
    row = (await uow.session.execute(coupon_view().where(Coupon.code == code))).one_or_none()
    if row is None:
        raise NotFound("no coupon has this code", field="code")
    return CouponRecord.from_row(row)


async def redeem(uow: UnitOfWork, code: str, store_id: str, merchant_id: int) -> CouponRecord:
    now = await uow.now()
    redeemed = (await uow.session.execute(_REDEEM, {
        "code": code, "store_id": store_id, "merchant_id": merchant_id, "now": now,
    })).first()
    coupon = await load_by_code(uow, code)
    if redeemed is None:
        raise _why_not_redeemable(coupon, now)
    await uow.publish(CouponChanged(change=CouponChange.REDEEMED, coupon_id=redeemed.id,
                                    campaign_id=redeemed.campaign_id, source=redeemed.source,
                                    issued_at=redeemed.issued_at, redeemed_at=now, at=now))
    return coupon


def _why_not_redeemable(coupon: CouponRecord, now: datetime) -> Conflict:
    if coupon.status == CouponStatus.REDEEMED:
        assert coupon.redeemed_at is not None
        return Conflict(
            f"this coupon was already redeemed on {coupon.redeemed_at.isoformat()} "
            f"at store {coupon.redeemed_store_id}", reason="ALREADY_REDEEMED",
            redeemedAt=coupon.redeemed_at.isoformat(), storeId=coupon.redeemed_store_id)
    if coupon.status == CouponStatus.VOID:
        return Conflict("this coupon was voided and cannot be used", reason="VOID")
    if coupon.status == CouponStatus.EXPIRED or coupon.valid_until <= now:
        return Conflict(f"this coupon expired on {coupon.valid_until.isoformat()}",
                        reason="EXPIRED", validUntil=coupon.valid_until.isoformat())
    if coupon.valid_from > now:
        return Conflict(f"this coupon is valid from {coupon.valid_from.isoformat()}",
                        reason="NOT_YET_VALID", validFrom=coupon.valid_from.isoformat())
    # Redeemed by someone else and voided again between our update and this read.
    return Conflict("this coupon changed while it was being redeemed; try again",
                    reason="CHANGED")


async def _lock_by_code(uow: UnitOfWork, code: str) -> Coupon:
    coupon = await uow.session.scalar(select(Coupon).where(Coupon.code == code).with_for_update())
    if coupon is None:
        raise NotFound("no coupon has this code", field="code")
    return coupon


async def void_redemption(uow: UnitOfWork, code: str, reason: str, actor_id: int,
                          is_admin: bool, window: timedelta) -> CouponRecord:
    """Back to ACTIVE, by the merchant who redeemed it (or an admin) within `window`."""
    coupon = await _lock_by_code(uow, code)
    if coupon.status != CouponStatus.REDEEMED:
        raise Conflict("this coupon is not redeemed", reason="NOT_REDEEMED")
    if not is_admin and coupon.redeemed_by != actor_id:
        raise Forbidden("only the merchant who redeemed this coupon (or an admin) may void it")
    assert coupon.redeemed_at is not None
    now = await uow.now()
    if now - coupon.redeemed_at > window:
        raise Conflict(f"a redemption can be voided within {int(window.total_seconds() // 60)} "
                       "minutes only", reason="VOID_WINDOW_PASSED",
                       redeemedAt=coupon.redeemed_at.isoformat())
    before = {"status": coupon.status, "redeemedAt": coupon.redeemed_at.isoformat(),
              "storeId": coupon.redeemed_store_id, "redeemedBy": coupon.redeemed_by}
    await uow.publish(CouponChanged(change=CouponChange.REDEMPTION_VOIDED, coupon_id=coupon.id,
                                    campaign_id=coupon.campaign_id, source=coupon.source,
                                    issued_at=coupon.issued_at, redeemed_at=coupon.redeemed_at,
                                    at=now))
    coupon.status = CouponStatus.ACTIVE.value
    coupon.redeemed_at = coupon.redeemed_store_id = coupon.redeemed_by = None
    await uow.session.flush()
    await audit(uow, actor_id=actor_id, action="VOID_REDEMPTION", target_type="COUPON",
                target_id=coupon.id, before=before, after={"status": coupon.status}, note=reason)
    return await load_by_code(uow, code)


async def void_coupon(uow: UnitOfWork, code: str, reason: str, actor_id: int) -> CouponRecord:
    """An unused coupon withdrawn for good (fraud, a mistaken grant). Its quota is not reused."""
    coupon = await _lock_by_code(uow, code)
    if coupon.status != CouponStatus.ACTIVE:
        raise Conflict(f"only an unused coupon can be voided; this one is {coupon.status}",
                       reason="NOT_ACTIVE")
    coupon.status = CouponStatus.VOID.value
    coupon.voided_at = await uow.now()
    await uow.session.flush()
    await uow.publish(CouponChanged(change=CouponChange.VOIDED, coupon_id=coupon.id,
                                    campaign_id=coupon.campaign_id, source=coupon.source,
                                    issued_at=coupon.issued_at, at=coupon.voided_at))
    await audit(uow, actor_id=actor_id, action="VOID_COUPON", target_type="COUPON",
                target_id=coupon.id, before={"status": CouponStatus.ACTIVE.value},
                after={"status": coupon.status}, note=reason)
    return await load_by_code(uow, code)
