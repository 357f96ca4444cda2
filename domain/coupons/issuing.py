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

Contention: an issue takes a shard nobody else holds (SKIP LOCKED). When every shard with
units left is held by others it looks again a moment later (see `try_issue_coupon`), and a
refusal ("exhausted") is only given when no shard has a unit left. The shard stays locked
until the caller commits: call `issue_coupon` late in a use case and keep the work after it
short.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.coupons import codes
from domain.coupons.events import CouponChange, CouponChanged
from domain.notifications.service import NotificationKind, announce, notify
from rally.errors import Conflict, NotFound
from rally.reward import CouponIssued
from rally.sql import Sql
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


# One round trip for the usual issue: take a unit from a quota shard, count it for the
# member, insert the coupon and the member's notification of it (the row `notify` would
# insert: as a statement of its own it cost more Python than the rest of the issue, on the
# hottest path of a game). The pick is a scalar subquery (an InitPlan: it locks exactly one
# shard, and the UPDATE changes that very row); the campaign row is only read (its name,
# limit and window), never locked, so issues of one campaign share no row. No row back: no
# unit was taken. `counted` false: the member's limit refused it (the caller hands the unit
# back to the shard it still holds). `coupon_id` NULL with `counted`: the random code was
# taken already (the caller inserts the coupon again with a fresh one).
_ISSUE = (
    "WITH taken AS ("
    " UPDATE coupon_quota_shards s SET issued = s.issued + 1 FROM coupon_campaigns c"
    " WHERE c.id = :campaign_id AND c.valid_until > :now AND s.campaign_id = c.id"
    " AND s.issued < s.quota AND s.shard = (SELECT shard FROM coupon_quota_shards"
    "  WHERE campaign_id = :campaign_id AND issued < quota ORDER BY (shard + :spin) % 1024"
    "  LIMIT 1 FOR UPDATE{skip}) RETURNING c.name, c.per_member_limit, s.shard),"
    " counted AS ("
    " INSERT INTO coupon_holdings AS h (campaign_id, member_id, issued)"
    " SELECT CAST(:campaign_id AS bigint), CAST(:member_id AS bigint), 1 FROM taken"
    " ON CONFLICT (campaign_id, member_id) DO UPDATE SET issued = h.issued + 1"
    " WHERE h.issued < (SELECT per_member_limit FROM taken) RETURNING 1),"
    " coupon AS ("
    " INSERT INTO coupons (campaign_id, member_id, code, source, source_id, issued_at)"
    " SELECT CAST(:campaign_id AS bigint), CAST(:member_id AS bigint), CAST(:code AS text),"
    " CAST(:source AS text), CAST(:source_id AS bigint), :now FROM counted"
    " ON CONFLICT (code) DO NOTHING RETURNING id),"
    " note AS ("
    " INSERT INTO notifications (member_id, kind, subject_type, subject_id, data)"
    " SELECT CAST(:member_id AS bigint), CAST(:kind AS text), 'Coupon', coupon.id,"
    " jsonb_build_object('campaignId', CAST(:campaign_id AS bigint), 'campaignName', t.name,"
    " 'source', CAST(:note_source AS text)) FROM coupon, taken t RETURNING id, seq)"
    " SELECT t.name, t.shard, EXISTS (SELECT FROM counted) AS counted,"
    " (SELECT id FROM coupon) AS coupon_id, n.id AS note_id, n.seq AS note_seq"
    " FROM taken t LEFT JOIN note n ON true")
_ISSUE_FROM_FREE_SHARD = Sql(_ISSUE.format(skip=" SKIP LOCKED"))
_ISSUE_WAITING = Sql(_ISSUE.format(skip=""))
_GIVE_BACK_TO_QUOTA = Sql(
    "UPDATE coupon_quota_shards SET issued = issued - 1"
    " WHERE campaign_id = :campaign_id AND shard = :shard")
_INSERT_COUPON = Sql(
    "INSERT INTO coupons (campaign_id, member_id, code, source, source_id, issued_at)"
    " VALUES (:campaign_id, :member_id, :code, :source, :source_id, :now)"
    " ON CONFLICT (code) DO NOTHING RETURNING id")
_ENDED = Sql("SELECT valid_until <= :now FROM coupon_campaigns WHERE id = :campaign_id")
_STATE = Sql(
    "SELECT valid_until <= :now AS ended, (SELECT coalesce(sum(quota - issued), 0)"
    " FROM coupon_quota_shards WHERE campaign_id = :campaign_id) AS units_left"
    " FROM coupon_campaigns WHERE id = :campaign_id")
# Seconds between looks for a free shard while every shard with units is held (~0.6 s in
# all), before waiting on a lock as the last resort.
_PAUSES = (0.001, 0.002, 0.004, 0.008, 0.015, 0.03, 0.05, 0.1, 0.1, 0.1, 0.2)


async def try_issue_coupon(uow: UnitOfWork, campaign_id: int, member_id: int, source: str,
                           source_id: int | None = None) -> IssuedCoupon | IssueRefusal:
    """Issue one coupon, or say which limit refused it. NOT_FOUND for an unknown campaign."""
    now = await uow.now()
    params = {"campaign_id": campaign_id, "member_id": member_id}
    code = codes.new_code()
    issuing = {**params, "now": now, "spin": secrets.randbelow(1024), "code": code,
               "source": source[:32], "source_id": source_id,
               "kind": NotificationKind.COUPON, "note_source": source}
    issued = await uow.fetchrow(_ISSUE_FROM_FREE_SHARD, issuing)
    for pause in _PAUSES:
        if issued is not None:
            break
        # No free shard: the campaign ended, no unit is left in any shard (committed state,
        # every shard looked at), or the units left are in shards held by issues in flight,
        # which commit (taking them) or roll back (leaving them) in a moment. We poll rather
        # than wait on their locks: a transaction holding a shard (a grant) or a lock its
        # failed pick left behind never waits for another here, so issuers never deadlock.
        state = await uow.fetchrow(_STATE, {"campaign_id": campaign_id, "now": now})
        if state is None:
            raise NotFound("no such coupon campaign", campaignId=campaign_id)
        if state.ended:
            return IssueRefusal.CAMPAIGN_ENDED
        if state.units_left <= 0:
            return IssueRefusal.QUOTA_EXHAUSTED
        await asyncio.sleep(pause)
        issued = await uow.fetchrow(_ISSUE_FROM_FREE_SHARD, issuing)
    if issued is None:  # still held after all the pauses: wait for a shard's lock
        issued = await uow.fetchrow(_ISSUE_WAITING, issuing)
    if issued is None:
        return await _why_refused(uow, campaign_id, now)
    if not issued.counted:
        # We still hold the shard's lock, so handing the unit back is exact.
        await uow.execute(_GIVE_BACK_TO_QUOTA, {**params, "shard": issued.shard})
        return IssueRefusal.MEMBER_LIMIT_REACHED
    coupon_id = issued.coupon_id
    if coupon_id is None:
        code, coupon_id = await _insert_with_fresh_code(uow, params, source, source_id, now)
    uow.reward.coupons.append(CouponIssued(coupon_id=coupon_id))
    await uow.publish(CouponChanged(change=CouponChange.ISSUED, coupon_id=coupon_id,
                                    campaign_id=campaign_id, source=source[:32], issued_at=now,
                                    at=now, quota_shard=issued.shard))
    if issued.note_id is not None:  # inserted with the coupon: announce it as `notify` does
        await announce(uow, member_id, NotificationKind.COUPON, issued.note_id, issued.note_seq)
    else:  # the coupon was inserted again with a fresh code
        await notify(uow, member_id=member_id, kind=NotificationKind.COUPON,
                     subject_type="Coupon", subject_id=coupon_id,
                     data={"campaignId": campaign_id, "campaignName": issued.name,
                           "source": source})
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
    ended = await uow.fetchval(_ENDED, {"campaign_id": campaign_id, "now": now})
    if ended is None:
        raise NotFound("no such coupon campaign", campaignId=campaign_id)
    return IssueRefusal.CAMPAIGN_ENDED if ended else IssueRefusal.QUOTA_EXHAUSTED


async def _insert_with_fresh_code(uow: UnitOfWork, params: dict[str, int], source: str,
                                  source_id: int | None, now: datetime) -> tuple[str, int]:
    # 65 random bits make a collision absurdly unlikely; retrying keeps it harmless anyway.
    for _ in range(5):
        code = codes.new_code()
        coupon_id = await uow.fetchval(_INSERT_COUPON, {
            **params, "code": code, "source": source[:32], "source_id": source_id, "now": now})
        if coupon_id is not None:
            return code, int(coupon_id)
    raise RuntimeError("could not draw an unused coupon code")
