"""The `Reward` every earning mutation returns (API.md): what the action earned, at once."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.campaigns.challenges import ChallengeProgress
from api.coupons.types import Coupon
from rally.reward import Reward as RewardValue


@strawberry.type(description="What the action earned, reported at once.")
class Reward:
    points: int
    notes: list[str] = strawberry.field(
        description="Why a rule paid less than usual (a daily cap reached, own content…).")
    coupon_ids: strawberry.Private[list[int]]
    challenge_progress: list[ChallengeProgress] = strawberry.field(
        description="Challenges this action advanced (or completed).")

    @strawberry.field(description="Coupons the action issued to the caller.")
    async def coupons(self, info: Info) -> list[Coupon]:
        records = await info.context.loaders.load_many("coupons_by_id", self.coupon_ids)
        return [Coupon.from_record(r) for r in records if r is not None]

    @classmethod
    def from_domain(cls, reward: RewardValue) -> Reward:
        return cls(points=reward.points, notes=list(reward.notes),
                   coupon_ids=[c.coupon_id for c in reward.coupons],
                   challenge_progress=[ChallengeProgress.from_advance(a)
                                       for a in reward.challenge_progress])
