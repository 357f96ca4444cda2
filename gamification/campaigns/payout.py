"""Paying a prize inside the play's transaction, never more than its stock or its coupon
campaign's quota allow.

A limited prize's stock is split over a few shard rows: a winner takes one unit from a shard
nobody else holds (SKIP LOCKED), and only when every shard with units left is locked does he
wait for one (then PostgreSQL re-checks `remaining > 0` on the newest version). So 64 members
hammering one prize do not queue on one hot row, and the stock still cannot go below zero.

Then the coupon (the campaign's quota and the member's limit, `issue_coupon`): when it is
refused, the unit goes back to the shard we still hold locked, and the play is "no prize".
Points are paid last: nothing after them can refuse. No savepoint is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.coupons.issuing import CouponSource, issue_coupon
from gamification.campaigns.points import award_points
from rally.sql import Sql
from rally.uow import UnitOfWork

# The pick is a scalar subquery (an InitPlan: it runs and locks exactly once, and the UPDATE
# then changes that very row). As a joined FROM subquery it may lock a shard the UPDATE then
# does not change, and a winner holding one shard while waiting for another can deadlock.
_PICK = ("UPDATE mini_game_prize_stock SET remaining = remaining - 1"
         " WHERE prize_id = :id AND remaining > 0 AND shard = ("
         " SELECT shard FROM mini_game_prize_stock WHERE prize_id = :id AND remaining > 0"
         " ORDER BY (shard + :spin) % 1024 LIMIT 1 FOR UPDATE{skip}) RETURNING shard")
_TAKE_FREE_UNIT = Sql(_PICK.format(skip=" SKIP LOCKED"))
_TAKE_UNIT_WAITING = Sql(_PICK.format(skip=""))
_GIVE_BACK = Sql("UPDATE mini_game_prize_stock SET remaining = remaining + 1"
                  " WHERE prize_id = :id AND shard = :shard")
_NO_PRIZE = Sql("UPDATE mini_game_plays SET prize_id = NULL, points_won = 0 WHERE id = :id")


@dataclass(frozen=True)
class PrizeSlot:
    id: int
    name: str
    points: int
    coupon_campaign_id: int | None
    limited: bool

    @property
    def pays(self) -> bool:
        return self.points > 0 or self.coupon_campaign_id is not None


async def take_unit(uow: UnitOfWork, prize_id: int, spin: int) -> int | None:
    """The shard one unit was taken from, or None when the stock is gone."""
    params = {"id": prize_id, "spin": spin}
    shard = await uow.fetchval(_TAKE_FREE_UNIT, params)
    if shard is None:  # every shard with units is busy, or none is left: wait for one
        shard = await uow.fetchval(_TAKE_UNIT_WAITING, params)
    return shard


async def pay_prize(uow: UnitOfWork, member_id: int, game_id: int, play_id: int,
                    prize: PrizeSlot) -> bool:
    """True when the prize was paid; False (and the play set to no prize) otherwise."""
    shard = await take_unit(uow, prize.id, play_id % 1024) if prize.limited else None
    if prize.limited and shard is None:
        await uow.execute(_NO_PRIZE, {"id": play_id})
        return False
    if prize.coupon_campaign_id is not None and await issue_coupon(
            uow, prize.coupon_campaign_id, member_id, CouponSource.MINI_GAME,
            source_id=play_id) is None:
        if shard is not None:  # still locked by us: handing the unit back is exact
            await uow.execute(_GIVE_BACK, {"id": prize.id, "shard": shard})
        await uow.execute(_NO_PRIZE, {"id": play_id})
        return False
    await award_points(uow, member_id, prize.points, "MINI_GAME_PRIZE", ("MINI_GAME", game_id),
                       f"minigame-play:{play_id}")
    return True
