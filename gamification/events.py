"""Events gamification announces. The leaderboard projector reads absolute scores from
`PointsChanged` / `ChallengeScoreChanged`; campaigns may count `CheckedIn`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rally.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PointsChanged(DomainEvent):
    """A member's figures after one ledger entry: absolute values, so a replay is harmless."""

    topic: ClassVar[str] = "points.changed"
    member_id: int
    version: int
    delta: int
    earned: int
    reason: str
    balance: int
    lifetime: int
    reached_at: str  # ISO time the lifetime last grew (tie-break: earliest first)
    # (period start ISO date, score in it, when it last grew) per periodic board
    weekly: tuple[str, int, str] | None = None
    monthly: tuple[str, int, str] | None = None


@dataclass(frozen=True, kw_only=True)
class ChallengeScoreChanged(DomainEvent):
    topic: ClassVar[str] = "challenge.score_changed"
    challenge_id: int
    member_id: int
    score: int
    version: int
    reached_at: str


@dataclass(frozen=True, kw_only=True)
class CheckedIn(DomainEvent):
    topic: ClassVar[str] = "gamification.checked_in"
    member_id: int
    day: str
    streak: int


@dataclass(frozen=True, kw_only=True)
class BadgeAwarded(DomainEvent):
    topic: ClassVar[str] = "gamification.badge_awarded"
    member_id: int
    badge_id: int
    tier: str


@dataclass(frozen=True, kw_only=True)
class LevelChanged(DomainEvent):
    topic: ClassVar[str] = "gamification.level_changed"
    member_id: int
    number: int
    name: str
    previous: int
