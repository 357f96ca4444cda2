"""Events campaigns announce (outbox topics); gamification and realtime may listen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rally.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class MiniGamePlayed(DomainEvent):
    """A member played a game (or answered a quiz): counts for PLAY_GAME challenges."""

    topic: ClassVar[str] = "minigame.played"
    play_id: int
    game_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class ChallengeJoined(DomainEvent):
    """A member joined a challenge (feeds the challenge participation rate)."""

    topic: ClassVar[str] = "challenge.joined"
    challenge_id: int
    member_id: int


@dataclass(frozen=True, kw_only=True)
class ChallengeProgressed(DomainEvent):
    """A participant's progress moved (up, or down when counted content was removed).
    `completed` is True on the one event that completes the challenge."""

    topic: ClassVar[str] = "challenge.progressed"
    challenge_id: int
    member_id: int
    progress: int
    target: int
    completed: bool


@dataclass(frozen=True, kw_only=True)
class ReferralRecorded(DomainEvent):
    topic: ClassVar[str] = "referral.recorded"
    referral_id: int
    referrer_id: int
    referred_id: int
    paid: bool
