"""Rollups fed by the community's events, in the transaction that announced them.

Day-level counters (posts, comments, reactions, shares, new members) are anonymous totals
and always counted. Marking a *member* active is behavioural data about him, so it needs
his analytics consent, like tracked events.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from domain.analytics.rollups import (
    COUNTER_SHARDS,
    Metric,
    add_counts,
    count_and_mark_active,
    move_coupon_rollups,
    record_signup,
)
from domain.coupons.events import CouponChange, CouponChanged
from domain.events import CommentCreated, MemberRegistered, PostCreated, PostShared, ReactionAdded
from domain.privacy.service import Purpose, default_for
from rally.clock import brand_day
from rally.events import bus
from rally.uow import UnitOfWork


async def _count(uow: UnitOfWork, metric: str, member_id: int,
                 created_content: bool = False) -> None:
    day = brand_day(await uow.now(), uow.settings.tz)
    await count_and_mark_active(uow, day, metric, member_id, created_content,
                                Purpose.ANALYTICS.value,
                                default_for(uow.settings, Purpose.ANALYTICS))


@bus.subscribe(MemberRegistered)
async def count_new_member(uow: UnitOfWork, event: MemberRegistered) -> None:
    day = brand_day(await uow.now(), uow.settings.tz)
    await record_signup(uow, event.member_id, day)
    await add_counts(uow, Counter({(day, Metric.NEW_MEMBERS): 1}), event.member_id)


@bus.subscribe(PostCreated)
async def count_post(uow: UnitOfWork, event: PostCreated) -> None:
    await _count(uow, Metric.POSTS, event.author_id, created_content=True)


@bus.subscribe(CommentCreated)
async def count_comment(uow: UnitOfWork, event: CommentCreated) -> None:
    await _count(uow, Metric.COMMENTS, event.author_id, created_content=True)


@bus.subscribe(ReactionAdded)
async def count_reaction(uow: UnitOfWork, event: ReactionAdded) -> None:
    if not event.replaced:  # changing the kind of a reaction is not a new reaction
        await _count(uow, Metric.REACTIONS, event.member_id)


@bus.subscribe(PostShared)
async def count_share(uow: UnitOfWork, event: PostShared) -> None:
    await _count(uow, Metric.SHARES, event.member_id)


@bus.subscribe(CouponChanged)
async def count_coupon(uow: UnitOfWork, event: CouponChanged) -> None:
    tz = uow.settings.tz
    issued_day = brand_day(event.issued_at, tz)
    moves: list[tuple[date, str, int]]
    if event.change == CouponChange.ISSUED:
        moves = [(issued_day, "issued", 1)]
    elif event.change == CouponChange.VOIDED:
        moves = [(brand_day(event.at, tz), "voided", 1)]
    else:
        assert event.redeemed_at is not None
        sign = 1 if event.change == CouponChange.REDEEMED else -1
        moves = [(brand_day(event.redeemed_at, tz), "redeemed", sign),
                 (issued_day, "redeemed_by_issue", sign)]
    # An issue's row is its quota shard's: only the issuer holding that shard locks it, so
    # issuers of one campaign share no counter row (one row per campaign and day made every
    # issue of a hot campaign wait for the previous one's commit). Redemptions and voids
    # never touch an "issued" row; they spread by coupon.
    shard = (event.quota_shard if event.change == CouponChange.ISSUED
             else event.coupon_id % COUNTER_SHARDS)
    await move_coupon_rollups(uow, event.campaign_id, event.source, shard, moves)
