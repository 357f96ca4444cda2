"""The rewards catalogue: members spend points on coupons, in one transaction.

Order inside `redeem`: the per-member count, the points (the member's own row), the coupon
(locks the campaign row), the redemption row, then the item's stock (its hot row) last.
Any refusal raises CONFLICT and rolls everything back: nothing is spent for nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text

from domain.audit.service import record as audit
from domain.coupons.issuing import CouponSource, issue_coupon_or_raise
from domain.pagination import Page, PageRequest, keyset_page
from gamification.campaigns import rules
from gamification.campaigns.minigames import require_campaigns
from gamification.campaigns.models import RewardItem, RewardRedemption
from gamification.campaigns.points import spend_points
from rally.errors import Conflict, InvalidInput, NotFound
from rally.idempotency import claim, remember
from rally.reward import CouponIssued, Reward
from rally.uow import UnitOfWorkFactory

_COUNT_FOR_MEMBER = text(
    "INSERT INTO reward_holdings AS h (item_id, member_id, redeemed) VALUES (:item, :m, 1)"
    " ON CONFLICT (item_id, member_id) DO UPDATE SET redeemed = h.redeemed + 1"
    " WHERE h.redeemed < :limit RETURNING h.redeemed")
_TAKE_STOCK = text(
    "UPDATE reward_items SET remaining = remaining - 1 WHERE id = :id AND remaining > 0"
    " RETURNING remaining")


@dataclass(frozen=True)
class ItemDraft:
    title: str
    cost_points: int
    coupon_campaign_id: int
    description: str = ""
    stock: int | None = None
    per_member_limit: int | None = None


@dataclass(frozen=True)
class Redeemed:
    item_id: int
    coupon_id: int
    reward: Reward


class CatalogService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        self._max_points = uow_factory.settings.campaign_max_points

    async def create_item(self, actor_id: int, draft: ItemDraft) -> RewardItem:
        if not 1 <= draft.cost_points <= self._max_points:
            raise InvalidInput(f"the cost is 1 to {self._max_points} points",
                               field="costPoints")
        if draft.stock is not None:
            rules.not_negative(draft.stock, "stock")
        if draft.per_member_limit is not None:
            rules.positive(draft.per_member_limit, "perMemberLimit", 1_000_000)
        item = RewardItem(title=rules.title(draft.title),
                          description=rules.long_text(draft.description, "description"),
                          cost_points=draft.cost_points,
                          coupon_campaign_id=draft.coupon_campaign_id, stock=draft.stock,
                          remaining=draft.stock, per_member_limit=draft.per_member_limit,
                          active=True, created_by=actor_id)
        async with self._uow_factory() as uow:
            await require_campaigns(uow, [draft.coupon_campaign_id], "couponCampaignId")
            uow.session.add(item)
            await uow.session.flush()
            await audit(uow, actor_id=actor_id, action="CREATE_REWARD_ITEM",
                        target_type="REWARD_ITEM", target_id=item.id,
                        after={"title": item.title, "costPoints": item.cost_points})
            await uow.commit()
        return item

    async def items(self, page: PageRequest) -> Page[RewardItem]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, select(RewardItem).where(
                RewardItem.active.is_(True)), RewardItem.id, page)

    async def item(self, item_id: int) -> RewardItem:
        async with self._uow_factory() as uow:
            item = await uow.session.get(RewardItem, item_id)
        if item is None:
            raise NotFound("no such reward", field="itemId")
        return item

    async def redeem(self, member_id: int, item_id: int, key: str) -> Redeemed:
        async with self._uow_factory() as uow:
            stored = await claim(uow, member_id, "redeemReward", key, {"itemId": item_id})
            if stored is not None:
                return await self._replayed(uow, stored)
            item = await uow.session.get(RewardItem, item_id)
            if item is None:
                raise NotFound("no such reward", field="itemId")
            if not item.active or item.remaining == 0:
                raise Conflict("this reward is out of stock", reason="OUT_OF_STOCK")
            if item.per_member_limit is not None and (await uow.session.execute(
                    _COUNT_FOR_MEMBER, {"item": item.id, "m": member_id,
                                        "limit": item.per_member_limit})).first() is None:
                raise Conflict("you already redeemed this reward as often as allowed",
                               reason="MEMBER_LIMIT_REACHED")
            await spend_points(uow, member_id, item.cost_points, "REWARD_REDEEMED",
                               ("CATALOG_ITEM", item.id), f"catalog:{member_id}:{key}")
            coupon = await issue_coupon_or_raise(uow, item.coupon_campaign_id, member_id,
                                                 CouponSource.CATALOG, source_id=item.id)
            redemption_id = (await uow.session.execute(insert(RewardRedemption).values(
                item_id=item.id, member_id=member_id, coupon_id=coupon.coupon_id,
                cost_points=item.cost_points).returning(RewardRedemption.id))).scalar_one()
            await remember(uow, member_id, "redeemReward", key, {"redemptionId": redemption_id})
            if item.remaining is not None and (await uow.session.execute(
                    _TAKE_STOCK, {"id": item.id})).first() is None:
                raise Conflict("this reward is out of stock", reason="OUT_OF_STOCK")
            await uow.commit()
        return Redeemed(item.id, coupon.coupon_id, uow.reward)

    async def _replayed(self, uow: Any, stored: dict[str, Any]) -> Redeemed:
        row = (await uow.session.execute(select(
            RewardRedemption.item_id, RewardRedemption.coupon_id, RewardRedemption.cost_points)
            .where(RewardRedemption.id == stored["redemptionId"]))).one()
        return Redeemed(row.item_id, row.coupon_id,
                        Reward(points=-row.cost_points, coupons=[CouponIssued(row.coupon_id)]))
