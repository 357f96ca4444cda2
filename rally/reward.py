"""What one action earned, gathered while its transaction runs and returned by the mutation.

Handlers add to `uow.reward`; the API renders it as the `Reward` type of API.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BadgeEarned:
    badge_id: int
    tier: str


@dataclass(frozen=True)
class LevelReached:
    number: int
    name: str


@dataclass(frozen=True)
class CouponIssued:
    coupon_id: int


@dataclass(frozen=True)
class ChallengeAdvanced:
    challenge_id: int
    progress: int
    target: int
    completed: bool


@dataclass
class Reward:
    points: int = 0
    badges: list[BadgeEarned] = field(default_factory=list)
    level_up: LevelReached | None = None
    coupons: list[CouponIssued] = field(default_factory=list)
    challenge_progress: list[ChallengeAdvanced] = field(default_factory=list)
    # Why a points rule paid nothing (daily cap reached, own content…), shown to the member.
    notes: list[str] = field(default_factory=list)

    def merge(self, other: Reward) -> None:
        self.points += other.points
        self.badges.extend(other.badges)
        self.level_up = other.level_up or self.level_up
        self.coupons.extend(other.coupons)
        self.challenge_progress.extend(other.challenge_progress)
        self.notes.extend(other.notes)
