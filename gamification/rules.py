"""Pure gamification rules: actions, levels, streaks, badge tiers, board periods, validation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from rally.clock import day_start, month_start, next_month_start, week_start
from rally.errors import InvalidInput


class Action(StrEnum):
    POST_CREATED = "POST_CREATED"
    COMMENT_CREATED = "COMMENT_CREATED"
    REACTION_RECEIVED = "REACTION_RECEIVED"
    SHARE = "SHARE"
    REFERRAL_SIGNUP = "REFERRAL_SIGNUP"
    REFERRED_SIGNUP = "REFERRED_SIGNUP"
    CHECK_IN = "CHECK_IN"
    CHALLENGE_COMPLETED = "CHALLENGE_COMPLETED"


# Defaults seeded by the migration: (points, daily cap, once per target).
DEFAULT_RULES: dict[Action, tuple[int, int | None, bool]] = {
    Action.POST_CREATED: (10, 5, True),
    Action.COMMENT_CREATED: (3, 20, False),
    Action.REACTION_RECEIVED: (1, 50, True),
    Action.SHARE: (5, 3, True),
    Action.REFERRAL_SIGNUP: (50, 10, True),
    Action.REFERRED_SIGNUP: (20, None, True),
    Action.CHECK_IN: (5, 1, False),
    Action.CHALLENGE_COMPLETED: (100, None, True),
}


class EntryReason(StrEnum):
    """Ledger reasons beyond the actions."""

    CHECK_IN_BONUS = "CHECK_IN_BONUS"
    REVERSAL = "REVERSAL"
    RESTORED = "RESTORED"
    REACTION_WITHDRAWN = "REACTION_WITHDRAWN"
    WEEKLY_TOP = "WEEKLY_TOP"
    SPEND = "SPEND"
    ADJUSTMENT = "ADJUSTMENT"


READABLE_REASONS: dict[str, str] = {
    Action.POST_CREATED: "You published a post",
    Action.COMMENT_CREATED: "You commented",
    Action.REACTION_RECEIVED: "Someone reacted to your content",
    Action.SHARE: "You shared a post",
    Action.REFERRAL_SIGNUP: "A friend joined with your code",
    Action.REFERRED_SIGNUP: "You joined with a friend's code",
    Action.CHECK_IN: "Daily check-in",
    Action.CHALLENGE_COMPLETED: "Challenge completed",
    EntryReason.CHECK_IN_BONUS: "Check-in streak bonus",
    EntryReason.REVERSAL: "Points taken back: the content was removed",
    EntryReason.RESTORED: "Points given back: the content was restored",
    EntryReason.REACTION_WITHDRAWN: "A reaction to your content was withdrawn",
    EntryReason.WEEKLY_TOP: "Top of last week's leaderboard",
    EntryReason.SPEND: "Points spent",
    EntryReason.ADJUSTMENT: "Adjustment",
}


def readable_reason(reason: str, note: str) -> str:
    text = READABLE_REASONS.get(reason, reason.replace("_", " ").capitalize())
    return f"{text} ({note})" if note else text


class Criterion(StrEnum):
    POSTS = "POSTS"
    COMMENTS = "COMMENTS"
    REACTIONS_RECEIVED = "REACTIONS_RECEIVED"
    CHECK_IN_STREAK = "CHECK_IN_STREAK"
    CHALLENGES_COMPLETED = "CHALLENGES_COMPLETED"
    FIRST_POST = "FIRST_POST"
    REFERRALS = "REFERRALS"
    WEEKLY_TOP10 = "WEEKLY_TOP10"


# The member_points counter each criterion is judged on.
CRITERION_COUNTER: dict[Criterion, str] = {
    Criterion.POSTS: "posts",
    Criterion.FIRST_POST: "posts",
    Criterion.COMMENTS: "comments",
    Criterion.REACTIONS_RECEIVED: "reactions_received",
    Criterion.CHECK_IN_STREAK: "best_streak",
    Criterion.CHALLENGES_COMPLETED: "challenges_completed",
    Criterion.REFERRALS: "referrals",
    Criterion.WEEKLY_TOP10: "weekly_top10",
}


class Tier(StrEnum):
    BRONZE = "BRONZE"
    SILVER = "SILVER"
    GOLD = "GOLD"


def tiers_reached(value: int, bronze: int, silver: int | None, gold: int | None) -> list[Tier]:
    reached = []
    for tier, threshold in ((Tier.BRONZE, bronze), (Tier.SILVER, silver), (Tier.GOLD, gold)):
        if threshold is not None and value >= threshold:
            reached.append(tier)
    return reached


def next_tier(value: int, bronze: int, silver: int | None,
              gold: int | None) -> tuple[Tier | None, int]:
    """The next tier to reach and its threshold; (None, highest) when all are held."""
    highest = bronze
    for tier, threshold in ((Tier.BRONZE, bronze), (Tier.SILVER, silver), (Tier.GOLD, gold)):
        if threshold is None:
            continue
        highest = threshold
        if value < threshold:
            return tier, threshold
    return None, highest


def check_badge_thresholds(criterion: Criterion, bronze: int, silver: int | None,
                           gold: int | None, maximum: int) -> None:
    if criterion is Criterion.FIRST_POST and (bronze != 1 or silver or gold):
        raise InvalidInput("FIRST_POST has a single tier at 1", field="bronze")
    if not 1 <= bronze <= maximum:
        raise InvalidInput(f"bronze must be between 1 and {maximum}", field="bronze")
    if silver is not None and not bronze < silver <= maximum:
        raise InvalidInput(f"silver must be above bronze and at most {maximum}", field="silver")
    if gold is not None and (silver is None or not silver < gold <= maximum):
        raise InvalidInput(f"gold needs silver, must be above it and at most {maximum}",
                           field="gold")


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    threshold: int
    points_to_next: int | None


def check_levels(names: list[str], thresholds: list[int]) -> None:
    if not names or len(names) != len(thresholds) or thresholds[0] != 0:
        raise ValueError("levels need as many names as thresholds, the first at 0")
    if any(b <= a for a, b in itertools.pairwise(thresholds)):
        raise ValueError("level thresholds must rise")


def level_for(lifetime: int, names: list[str], thresholds: list[int]) -> Level:
    number = 1
    for i, threshold in enumerate(thresholds):
        if lifetime >= threshold:
            number = i + 1
    following = thresholds[number] if number < len(thresholds) else None
    return Level(number, names[number - 1], thresholds[number - 1],
                 None if following is None else following - lifetime)


def milestones_crossed(before: int, after: int, milestones: list[int]) -> list[int]:
    return [m for m in milestones if before < m <= after]


def next_streak(last_day: date | None, previous_streak: int, today: date) -> int:
    """Yesterday's check-in extends the streak; a missed day starts again at 1."""
    if last_day is not None and last_day == today - timedelta(days=1):
        return previous_streak + 1
    return 1


def check_rule(points: int, daily_cap: int | None, max_points: int, max_cap: int) -> None:
    if not 0 <= points <= max_points:
        raise InvalidInput(f"points must be between 0 and {max_points}", field="points")
    if daily_cap is not None and not 0 <= daily_cap <= max_cap:
        raise InvalidInput(f"dailyCap must be between 0 and {max_cap} (or null: no cap)",
                           field="dailyCap")


class BoardKind(StrEnum):
    ALL_TIME = "ALL_TIME"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    CHALLENGE = "CHALLENGE"


@dataclass(frozen=True)
class Period:
    """A board's period in the brand's calendar; ALL_TIME and CHALLENGE have none."""

    kind: BoardKind
    start: date | None
    end: date | None  # exclusive

    def starts_at(self, tz: ZoneInfo) -> datetime | None:
        return day_start(self.start, tz) if self.start else None

    def ends_at(self, tz: ZoneInfo) -> datetime | None:
        return day_start(self.end, tz) if self.end else None

    @property
    def label(self) -> str:
        return self.start.isoformat() if self.start else ""


def period_of(kind: BoardKind, day: date) -> Period:
    if kind is BoardKind.WEEKLY:
        start = week_start(day)
        return Period(kind, start, start + timedelta(days=7))
    if kind is BoardKind.MONTHLY:
        return Period(kind, month_start(day), next_month_start(day))
    return Period(kind, None, None)


PERIODIC = (BoardKind.WEEKLY, BoardKind.MONTHLY)
