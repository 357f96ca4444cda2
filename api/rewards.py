"""The `Reward` every earning mutation returns (API.md): what the action earned, at once."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.campaigns.challenges import ChallengeProgress
from api.coupons.types import Coupon
from api.gamification.types import Badge, EarnedBadge, Level
from rally.reward import Reward as RewardValue


@strawberry.type(description="What the action earned, reported at once.")
class Reward:
    points: int
    notes: list[str] = strawberry.field(
        description="Why a rule paid less than usual (a daily cap reached, own content…).")
    coupon_ids: strawberry.Private[list[int]]
    earned_badges: strawberry.Private[list[tuple[int, str]]]
    level_number: strawberry.Private[int | None]
    challenge_progress: list[ChallengeProgress] = strawberry.field(
        description="Challenges this action advanced (or completed).")

    @strawberry.field(description="Coupons the action issued to the caller.")
    async def coupons(self, info: Info) -> list[Coupon]:
        records = await info.context.loaders.load_many("coupons_by_id", self.coupon_ids)
        return [Coupon.from_record(r) for r in records if r is not None]

    @strawberry.field(description="Badges the action earned (one entry per badge).")
    async def badges(self, info: Info) -> list[Badge]:
        ids = list(dict.fromkeys(badge_id for badge_id, _ in self.earned_badges))
        rows = await info.context.loaders.load_many("badges_by_id", ids)
        return [Badge.from_row(r) for r in rows if r is not None]

    @strawberry.field(description="Each badge tier the action earned.")
    def badge_tiers(self) -> list[EarnedBadge]:
        return [EarnedBadge(tier=tier, awarded_at=None, badge_id=badge_id)
                for badge_id, tier in self.earned_badges]

    @strawberry.field(description="The level the action reached; null when none was crossed.")
    def level_up(self, info: Info) -> Level | None:
        if self.level_number is None:
            return None
        return Level.numbered(self.level_number, info.context.settings)

    @classmethod
    def from_domain(cls, reward: RewardValue) -> Reward:
        return cls(points=reward.points, notes=list(reward.notes),
                   coupon_ids=[c.coupon_id for c in reward.coupons],
                   earned_badges=[(b.badge_id, b.tier) for b in reward.badges],
                   level_number=reward.level_up.number if reward.level_up else None,
                   challenge_progress=[ChallengeProgress.from_advance(a)
                                       for a in reward.challenge_progress])
