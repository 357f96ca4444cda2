"""`issue_coupon` inside another use case's unit of work: reward, refusal, rollback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import strawberry
from strawberry.types import Info

from api.container import Container
from api.context import Context
from api.rewards import Reward
from domain.coupons import rules
from domain.coupons.service import (
    CampaignDraft,
    IssueRefusal,
    issue_coupon,
    issue_coupon_or_raise,
    try_issue_coupon,
)
from rally.errors import Conflict, NotFound
from rally.reward import CouponIssued
from rally.reward import Reward as RewardValue


async def _member(container: Container, name: str) -> int:
    session = await container.members.register(f"{name}@example.com", "correct horse battery",
                                               name)
    return session.member.id


async def _campaign(container: Container, actor: int, **overrides: Any) -> int:
    now = datetime.now(UTC)
    values: dict[str, Any] = dict(
        name="Prize", discount=rules.discount("PERCENT", 20, None), quota=2, per_member_limit=1,
        valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1), terms="")
    values.update(overrides)
    return (await container.coupons.create_campaign(actor, CampaignDraft(**values))).id


async def test_an_issued_coupon_joins_the_callers_reward_and_commits_with_it(
        container: Container) -> None:
    alice = await _member(container, "alice")
    campaign = await _campaign(container, alice)
    async with container.uow() as uow:
        issued = await issue_coupon(uow, campaign, alice, "CHALLENGE", 7)
        assert issued is not None
        assert uow.reward.coupons == [CouponIssued(coupon_id=issued.coupon_id)]
        await uow.commit()
    assert (await container.coupons.campaign(campaign)).issued == 1


async def test_a_rolled_back_caller_leaves_no_coupon_and_no_quota_used(
        container: Container) -> None:
    alice = await _member(container, "alice")
    campaign = await _campaign(container, alice)
    async with container.uow() as uow:
        assert await issue_coupon(uow, campaign, alice, "MINI_GAME") is not None
        # the game fails afterwards: no commit
    assert (await container.coupons.campaign(campaign)).issued == 0
    async with container.uow() as uow:
        assert await issue_coupon(uow, campaign, alice, "MINI_GAME") is not None
        await uow.commit()


async def test_refusals_return_none_or_raise_conflict_with_the_reason(
        container: Container) -> None:
    alice, bob, carol = [await _member(container, n) for n in ("alice", "bob", "carol")]
    campaign = await _campaign(container, alice)
    async with container.uow() as uow:
        assert await issue_coupon(uow, campaign, alice, "GRANT") is not None
        assert await try_issue_coupon(uow, campaign, alice, "GRANT") == \
            IssueRefusal.MEMBER_LIMIT_REACHED
        assert await issue_coupon(uow, campaign, bob, "GRANT") is not None
        assert await issue_coupon(uow, campaign, carol, "GRANT") is None
        with pytest.raises(Conflict) as refused:
            await issue_coupon_or_raise(uow, campaign, carol, "CATALOG")
        assert refused.value.extensions["reason"] == "QUOTA_EXHAUSTED"
        with pytest.raises(NotFound):
            await issue_coupon(uow, 999_999, carol, "GRANT")
        await uow.commit()
    assert (await container.coupons.campaign(campaign)).issued == 2


async def test_the_reward_type_lists_the_issued_coupons_with_one_batch_query(
        container: Container) -> None:
    alice = await _member(container, "alice")
    campaign = await _campaign(container, alice, quota=5, per_member_limit=3)
    async with container.uow() as uow:
        for _ in range(3):
            await issue_coupon(uow, campaign, alice, "MINI_GAME")
        await uow.commit()
    reward_value: RewardValue = uow.reward
    fetches: list[str] = []
    fetch = container.fetch

    async def counting_fetch(sql: str, *args: Any) -> Any:
        fetches.append(sql)
        return await fetch(sql, *args)

    @strawberry.type
    class Query:
        @strawberry.field
        def reward(self, info: Info) -> Reward:
            return Reward.from_domain(reward_value)

    container.fetch = counting_fetch  # type: ignore[method-assign]
    try:
        result = await strawberry.Schema(query=Query).execute(
            "{ reward { points coupons { code status source } } }",
            context_value=Context(container=container, connection=None))
    finally:
        del container.fetch
    assert result.errors is None
    coupons = result.data["reward"]["coupons"]  # type: ignore[index]
    assert [c["status"] for c in coupons] == ["ACTIVE"] * 3
    assert len({c["code"] for c in coupons}) == 3
    assert len(fetches) == 1
