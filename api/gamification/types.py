"""GraphQL types of gamification: levels, badges, point rules, the ledger, leaderboards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.gamification.enums import ActionEnum, BoardKindEnum, CriterionEnum, TierEnum
from api.members.types import User
from api.relay import Node, node_type, to_global_id
from gamification import rules
from gamification.boards import BoardEntry


@strawberry.type(description="A level, reached by lifetime earned points (spending never demotes).")
class Level:
    number: int
    name: str
    threshold: int = strawberry.field(description="Lifetime points that reach this level.")
    points_to_next: int | None = strawberry.field(
        description="Lifetime points still needed for the next level; null at the top.")

    @classmethod
    def of(cls, lifetime: int, settings: Any) -> Level:
        level = rules.level_for(lifetime, settings.level_names, settings.level_thresholds)
        return cls(number=level.number, name=level.name, threshold=level.threshold,
                   points_to_next=level.points_to_next)

    @classmethod
    def numbered(cls, number: int, settings: Any) -> Level:
        threshold = settings.level_thresholds[number - 1]
        return cls.of(threshold, settings)


@strawberry.type(description="A member's progress toward a badge's next tier.")
class BadgeProgress:
    current: int
    target: int
    tier: TierEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="The next tier to reach; null when every tier is held.")


@strawberry.type(description="A badge of the catalogue, with up to three tiers.")
class Badge(Node):
    id: strawberry.ID
    name: str
    description: str
    criterion: CriterionEnum  # type: ignore[valid-type]
    bronze: int
    silver: int | None
    gold: int | None
    icon_url: str | None
    active: bool
    badge_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> Badge:
        return cls(id=strawberry.ID(to_global_id("Badge", row.id)), name=row.name,
                   description=row.description, criterion=rules.Criterion(row.criterion),
                   bronze=row.bronze, silver=row.silver, gold=row.gold, icon_url=row.icon_url,
                   active=row.active, badge_id=row.id)

    @strawberry.field(description="How many members hold at least its first tier.")
    async def holder_count(self, info: Info) -> int:
        return int(await info.context.loaders.load("badge_holder_counts", self.badge_id))

    @strawberry.field(description="The caller's progress; null for an anonymous caller.")
    async def my_progress(self, info: Info) -> BadgeProgress | None:
        viewer = info.context.viewer_id
        if viewer is None:
            return None
        figures = await info.context.loaders.load("member_points_by_id", viewer)
        counter = rules.CRITERION_COUNTER[rules.Criterion(self.criterion)]
        current = int(getattr(figures, counter, 0) or 0) if figures else 0
        tier, target = rules.next_tier(current, self.bronze, self.silver, self.gold)
        return BadgeProgress(current=current, target=target, tier=tier)


@node_type("Badge")
async def load_badge(context: Any, pk: int) -> Badge | None:
    row = await context.loaders.load("badges_by_id", pk)
    return Badge.from_row(row) if row is not None else None


@strawberry.type(description="A badge tier a member holds.")
class EarnedBadge:
    tier: TierEnum  # type: ignore[valid-type]
    awarded_at: datetime | None
    badge_id: strawberry.Private[int]

    @strawberry.field
    async def badge(self, info: Info) -> Badge:
        return Badge.from_row(await info.context.loaders.load("badges_by_id", self.badge_id))


@strawberry.type(description="What an action pays (MARKETER / ADMIN configure it).")
class PointRule:
    action: ActionEnum  # type: ignore[valid-type]
    points: int
    daily_cap: int | None = strawberry.field(
        description="Paying actions per member per brand day; null: no cap.")
    once_per_target: bool = strawberry.field(
        description="Pays once per member and target (post, reactor…), so undo/redo cannot farm.")

    @classmethod
    def from_rule(cls, rule: Any) -> PointRule:
        return cls(action=rule.action, points=rule.points, daily_cap=rule.daily_cap,
                   once_per_target=rule.once_per_target)


@strawberry.type(description="One change of the caller's points.")
class PointEntry:
    delta: int = strawberry.field(description="Change of the spendable balance.")
    earned: int = strawberry.field(description="Change of lifetime earned (levels, boards).")
    reason: str
    description: str = strawberry.field(description="The reason in words.")
    source_type: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> PointEntry:
        return cls(delta=row.delta, earned=row.earned, reason=row.reason,
                   description=rules.readable_reason(row.reason, row.note),
                   source_type=row.source_type, created_at=row.created_at)


@strawberry.type(description="A check-in day of the calendar.")
class CheckInDay:
    day: date
    streak: int
    points: int


@strawberry.type(description="One place on a leaderboard.")
class LeaderboardEntry:
    rank: int
    score: int
    # Resolved in one batch by the page's resolver (plain fields execute fastest).
    user: User | None

    @classmethod
    def from_entry(cls, entry: BoardEntry, user: User | None) -> LeaderboardEntry:
        return cls(rank=entry.rank, score=entry.score, user=user)


async def entries_with_users(info_context: Any, entries: list[BoardEntry]) -> list[LeaderboardEntry]:
    """The entries with their members, loaded in one query."""
    rows = await info_context.loaders.load_many("members_by_id", [e.member_id for e in entries])
    return [LeaderboardEntry.from_entry(e, User.from_row(r) if r is not None else None)
            for e, r in zip(entries, rows, strict=True)]


@strawberry.type
class LeaderboardEdge:
    cursor: str
    node: LeaderboardEntry


@strawberry.type
class LeaderboardPageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description=(
    "A page of a leaderboard. Ranks are competition ranks (1, 2, 2, 4) unless the brand set "
    "RALLY_LEADERBOARD_RANKS=EARLIEST_FIRST (1..N); equal scores list the member who reached "
    "the score first, first."))
class LeaderboardConnection:
    kind: BoardKindEnum  # type: ignore[valid-type]
    challenge_id: strawberry.ID | None
    edges: list[LeaderboardEdge]
    page_info: LeaderboardPageInfo
    total_count: int
    period_start: datetime | None
    period_end: datetime | None
    next_reset_at: datetime | None = strawberry.field(
        description="When the current period resets; null for past periods and unperiodic boards.")
    live: bool = strawberry.field(description="False for a past period read from its snapshot.")


@strawberry.type(description="The top of a leaderboard, pushed when it changes (≤ 1/s).")
class LeaderboardUpdate:
    kind: BoardKindEnum  # type: ignore[valid-type]
    challenge_id: strawberry.ID | None
    entries: list[LeaderboardEntry]
