"""Issuing coupons: the one place a coupon comes into being, inside the caller's transaction.

A mini-game prize, a challenge reward, a catalogue redemption or a marketer's grant all call
`issue_coupon(uow, …)` within their own unit of work, so the coupon, the counters and the
caller's other writes commit or roll back together.

Why the quota and the per-member limit hold under any concurrency: the quota is split over
shard rows whose quotas add up to the campaign's (see `models.py`); an issue takes one unit
from a shard with a conditional update (`issued < quota`) that PostgreSQL re-checks on the
newest row version after any wait, and a CHECK constraint backs each shard. The member's
count moves the same way (`issued < per_member_limit`). A shard is always locked before a
member's row.

Contention: an issue takes a shard nobody else holds (SKIP LOCKED); only when every shard
with units left is held by others does it wait for one, so a refusal ("exhausted") is only
given after every shard was looked at. The shard stays locked until the caller commits:
call `issue_coupon` late in a use case and keep the work after it short.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import text

from domain.coupons import codes
from domain.notifications.service import NotificationKind, notify
from rally.errors import Conflict, NotFound
from rally.reward import CouponIssued
from rally.uow import UnitOfWork


class CouponSource:
    """Where a coupon came from (free text is allowed; these are the known ones)."""

    GRANT = "GRANT"
    MINI_GAME = "MINI_GAME"
    CHALLENGE = "CHALLENGE"
    CATALOG = "CATALOG"
    DEMO = "DEMO"


class IssueRefusal(StrEnum):
    QUOTA_EXHAUSTED = "QUOTA_EXHAUSTED"
    MEMBER_LIMIT_REACHED = "MEMBER_LIMIT_REACHED"
    CAMPAIGN_ENDED = "CAMPAIGN_ENDED"


_REFUSAL_MESSAGES = {
    IssueRefusal.QUOTA_EXHAUSTED: "every coupon of this campaign has been issued",
    IssueRefusal.MEMBER_LIMIT_REACHED: "this member already holds as many coupons of this "
                                       "campaign as allowed",
    IssueRefusal.CAMPAIGN_ENDED: "this coupon campaign has ended",
}


@dataclass(frozen=True)
class IssuedCoupon:
    coupon_id: int
    campaign_id: int
    member_id: int
    code: str
    issued_at: datetime


# The pick is a scalar subquery (an InitPlan: it locks exactly one shard, and the UPDATE
# changes that very row); the campaign row is only read (its name, limit and window), never
# locked, so issues of one campaign share no row.
_TAKE_FROM_QUOTA = (
    "UPDATE coupon_quota_shards s SET issued = s.issued + 1 FROM coupon_campaigns c"
    " WHERE c.id = :campaign_id AND c.valid_until > :now AND s.campaign_id = c.id"
    " AND s.issued < s.quota AND s.shard = (SELECT shard FROM coupon_quota_shards"
    "  WHERE campaign_id = :campaign_id AND issued < quota ORDER BY (shard + :spin) % 1024"
    "  LIMIT 1 FOR UPDATE{skip}) RETURNING c.name, c.per_member_limit, s.shard")
_TAKE_FREE_UNIT = text(_TAKE_FROM_QUOTA.format(skip=" SKIP LOCKED"))
_TAKE_UNIT_WAITING = text(_TAKE_FROM_QUOTA.format(skip=""))
_GIVE_BACK_TO_QUOTA = text(
    "UPDATE coupon_quota_shards SET issued = issued - 1"
    " WHERE campaign_id = :campaign_id AND shard = :shard")
_COUNT_FOR_MEMBER = text(
    "INSERT INTO coupon_holdings AS h (campaign_id, member_id, issued)"
    " VALUES (:campaign_id, :member_id, 1)"
    " ON CONFLICT (campaign_id, member_id) DO UPDATE SET issued = h.issued + 1"
    " WHERE h.issued < :limit RETURNING h.issued")
_INSERT_COUPON = text(
    "INSERT INTO coupons (campaign_id, member_id, code, source, source_id, issued_at)"
    " VALUES (:campaign_id, :member_id, :code, :source, :source_id, :now)"
    " ON CONFLICT (code) DO NOTHING RETURNING id")
_ENDED = text("SELECT valid_until <= :now FROM coupon_campaigns WHERE id = :campaign_id")


async def try_issue_coupon(uow: UnitOfWork, campaign_id: int, member_id: int, source: str,
                           source_id: int | None = None) -> IssuedCoupon | IssueRefusal:
    """Issue one coupon, or say which limit refused it. NOT_FOUND for an unknown campaign."""
    session = uow.session
    now = await uow.now()
    params = {"campaign_id": campaign_id, "member_id": member_id}
    taking = {**params, "now": now, "spin": secrets.randbelow(1024)}
    taken = (await session.execute(_TAKE_FREE_UNIT, taking)).one_or_none()
    if taken is None:  # every shard with units is busy, or none is left: wait for one
        taken = (await session.execute(_TAKE_UNIT_WAITING, taking)).one_or_none()
    if taken is None:
        return await _why_refused(uow, campaign_id, now)
    counted = (await session.execute(
        _COUNT_FOR_MEMBER, {**params, "limit": taken.per_member_limit})).one_or_none()
    if counted is None:
        # We still hold the shard's lock, so handing the unit back is exact.
        await session.execute(_GIVE_BACK_TO_QUOTA, {**params, "shard": taken.shard})
        return IssueRefusal.MEMBER_LIMIT_REACHED
    code, coupon_id = await _insert_with_fresh_code(uow, params, source, source_id, now)
    uow.reward.coupons.append(CouponIssued(coupon_id=coupon_id))
    await notify(uow, member_id=member_id, kind=NotificationKind.COUPON, subject_type="Coupon",
                 subject_id=coupon_id,
                 data={"campaignId": campaign_id, "campaignName": taken.name, "source": source})
    return IssuedCoupon(coupon_id, campaign_id, member_id, code, now)


async def issue_coupon(uow: UnitOfWork, campaign_id: int, member_id: int, source: str,
                       source_id: int | None = None) -> IssuedCoupon | None:
    """The coupon, or None when the quota, the member's limit or the campaign's end refuses
    it (a game then falls back to "no prize"). NOT_FOUND for an unknown campaign."""
    outcome = await try_issue_coupon(uow, campaign_id, member_id, source, source_id)
    return outcome if isinstance(outcome, IssuedCoupon) else None


async def issue_coupon_or_raise(uow: UnitOfWork, campaign_id: int, member_id: int, source: str,
                                source_id: int | None = None) -> IssuedCoupon:
    """For callers that must fail without a coupon: CONFLICT with a `reason` extension."""
    outcome = await try_issue_coupon(uow, campaign_id, member_id, source, source_id)
    if isinstance(outcome, IssueRefusal):
        raise Conflict(_REFUSAL_MESSAGES[outcome], reason=outcome.value, campaignId=campaign_id)
    return outcome


async def _why_refused(uow: UnitOfWork, campaign_id: int, now: datetime) -> IssueRefusal:
    """No unit was taken: the campaign ended, or every shard was looked at and none had a
    unit left (a unit handed back after our look is missed: never an oversell)."""
    ended = (await uow.session.execute(_ENDED, {"campaign_id": campaign_id,
                                                "now": now})).scalar()
    if ended is None:
        raise NotFound("no such coupon campaign", campaignId=campaign_id)
    return IssueRefusal.CAMPAIGN_ENDED if ended else IssueRefusal.QUOTA_EXHAUSTED


async def _insert_with_fresh_code(uow: UnitOfWork, params: dict[str, int], source: str,
                                  source_id: int | None, now: datetime) -> tuple[str, int]:
    # 65 random bits make a collision absurdly unlikely; retrying keeps it harmless anyway.
    for _ in range(5):
        code = codes.new_code()
        coupon_id = (await uow.session.execute(_INSERT_COUPON, {
            **params, "code": code, "source": source[:32], "source_id": source_id, "now": now,
        })).scalar()
        if coupon_id is not None:
            return code, int(coupon_id)
    raise RuntimeError("could not draw an unused coupon code")
