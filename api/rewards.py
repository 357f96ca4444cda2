"""The `Reward` every earning mutation returns (API.md): what the action earned, at once."""

from __future__ import annotations

import strawberry

from rally.reward import Reward as RewardValue


@strawberry.type(description="What the action earned, reported at once.")
class Reward:
    points: int
    notes: list[str] = strawberry.field(
        description="Why a rule paid less than usual (a daily cap reached, own content…).")

    @classmethod
    def from_domain(cls, reward: RewardValue) -> Reward:
        return cls(points=reward.points, notes=list(reward.notes))
