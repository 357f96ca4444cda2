"""Paying a prize inside the play's transaction, never more than its stock or its coupon
campaign's quota allow.

The payout runs in a SAVEPOINT: points, then the coupon (locks the campaign row), then the
stock decrement (locks the prize row) as the last statement before commit, so the hot rows
stay locked for the shortest time. When the quota or the stock is gone, the savepoint is
rolled back (its row locks released) and the play stands as "no prize".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sqlalchemy import text

from domain.coupons.issuing import CouponSource, issue_coupon
from gamification.campaigns.points import award_points
from rally.uow import UnitOfWork

_TAKE_STOCK = text(
    "UPDATE mini_game_prizes SET remaining = remaining - 1 WHERE id = :id AND remaining > 0"
    " RETURNING remaining")
_NO_PRIZE = text("UPDATE mini_game_plays SET prize_id = NULL, points_won = 0 WHERE id = :id")


@dataclass(frozen=True)
class PrizeSlot:
    id: int
    name: str
    points: int
    coupon_campaign_id: int | None
    remaining: int | None

    @property
    def pays(self) -> bool:
        return self.points > 0 or self.coupon_campaign_id is not None


async def pay_prize(uow: UnitOfWork, member_id: int, game_id: int, play_id: int,
                    prize: PrizeSlot) -> bool:
    """True when the prize was paid; False (and the play set to no prize) otherwise."""
    if prize.remaining is not None and prize.remaining <= 0:
        await uow.session.execute(_NO_PRIZE, {"id": play_id})  # known gone: no lock at all
        return False
    reward_before = copy.deepcopy(uow.reward)
    events_before = len(uow.events)
    savepoint = await uow.session.begin_nested()
    paid = True
    await award_points(uow, member_id, prize.points, "MINI_GAME_PRIZE", ("MINI_GAME", game_id),
                       f"minigame-play:{play_id}")
    if prize.coupon_campaign_id is not None:
        paid = await issue_coupon(uow, prize.coupon_campaign_id, member_id,
                                  CouponSource.MINI_GAME, source_id=play_id) is not None
    if paid and prize.remaining is not None:
        paid = (await uow.session.execute(_TAKE_STOCK, {"id": prize.id})).first() is not None
    if paid:
        await savepoint.commit()
        return True
    await savepoint.rollback()
    uow.reward = reward_before
    del uow.events[events_before:]
    await uow.session.execute(_NO_PRIZE, {"id": play_id})
    return False
