"""Gamification over GraphQL: thin resolvers over GamificationService / LeaderboardService."""

from __future__ import annotations

import re
import time
from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from api.gamification.enums import ActionEnum, BoardKindEnum, CriterionEnum
from api.gamification.types import (
    Badge,
    CheckInDay,
    LeaderboardConnection,
    LeaderboardEdge,
    LeaderboardEntry,
    LeaderboardPageInfo,
    PointEntry,
    PointRule,
    entries_with_users,
)
from api.permissions import Authenticated, requires
from api.relay import Connection, decode_id, encode_cursor, page_request, to_global_id
from api.response_cache import depends_on_board
from api.rewards import Reward
from domain.members.models import Role
from gamification import rules
from gamification.leaderboard import BoardView
from gamification.service import BadgeDraft
from rally.errors import InvalidInput

MARKETERS = requires(Role.MARKETER)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@strawberry.input
class SetPointRuleInput:
    action: ActionEnum  # type: ignore[valid-type]
    points: int
    daily_cap: int | None = None
    once_per_target: bool = False


@strawberry.type
class PointRulePayload:
    rule: PointRule


@strawberry.input
class CreateBadgeInput:
    name: str
    criterion: CriterionEnum  # type: ignore[valid-type]
    bronze: int
    silver: int | None = None
    gold: int | None = None
    description: str = ""
    icon_url: str | None = None


@strawberry.input
class UpdateBadgeInput:
    badge_id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    bronze: int | None = strawberry.UNSET
    silver: int | None = strawberry.UNSET
    gold: int | None = strawberry.UNSET
    icon_url: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.type
class BadgePayload:
    badge: Badge


@strawberry.input
class CheckInInput:
    idempotency_key: str


@strawberry.type
class CheckInPayload:
    day: date
    streak: int
    reward: Reward


def _month(value: str) -> date:
    match = _MONTH.match(value.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput("month must be YYYY-MM", field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


# Rendered live pages by (board, board version, offset, size): a hot top-100 is built once
# per board change, not once per request. Small and per process.
_rendered: dict[tuple[Any, ...], tuple[float, list[LeaderboardEntry]]] = {}
_RENDERED_SECONDS = 5.0


async def _entries(ctx: Any, view: BoardView) -> list[LeaderboardEntry]:
    if view.version is None:
        return await entries_with_users(ctx, view.entries)
    # Keyed by the entries themselves too: a board whose versions restarted (Redis lost and
    # rebuilt) can never be answered with another board state's page.
    key = (*view.version, view.offset, tuple((e.rank, e.member_id, e.score) for e in view.entries))
    cached = _rendered.get(key)
    # Members' names change without moving the board: a rendered page lives a few seconds.
    if cached is None or time.monotonic() - cached[0] > _RENDERED_SECONDS:
        cached = (time.monotonic(), await entries_with_users(ctx, view.entries))
        if len(_rendered) > 256:
            _rendered.clear()
        _rendered[key] = cached
    return cached[1]


async def _connection(ctx: Any, view: BoardView, has_next: bool) -> LeaderboardConnection:
    tz = ctx.settings.tz
    nodes = await _entries(ctx, view)
    edges = [LeaderboardEdge(cursor=encode_cursor(view.offset + i), node=node)
             for i, node in enumerate(nodes)]
    return LeaderboardConnection(
        kind=view.kind,
        challenge_id=strawberry.ID(to_global_id("Challenge", view.challenge_id))
        if view.challenge_id is not None else None,
        edges=edges, total_count=view.size,
        page_info=LeaderboardPageInfo(
            has_next_page=has_next, has_previous_page=view.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None),
        period_start=view.period.starts_at(tz), period_end=view.period.ends_at(tz),
        next_reset_at=view.period.ends_at(tz) if view.live else None, live=view.live)


@strawberry.type
class GamificationQueries:
    @strawberry.field(description="What each action pays.")
    async def point_rules(self, info: Info) -> list[PointRule]:
        return [PointRule.from_rule(r) for r in await info.context.services.gamification.point_rules()]

    @strawberry.field(permission_classes=[Authenticated],
                      description="The caller's ledger, newest first.")
    async def points_history(self, info: Info, first: int | None = None,
                             after: str | None = None) -> Connection[PointEntry]:
        ctx = info.context
        page = await ctx.services.gamification.history(ctx.require_member().member_id,
                                                      page_request(ctx, first, after))
        return Connection.from_page(page, PointEntry.from_row, lambda e: (e.id,))

    @strawberry.field(description=(
        "The badge catalogue; inactive badges too with includeInactive (MARKETER)."))
    async def badges(self, info: Info, include_inactive: bool = False) -> list[Badge]:
        if include_inactive:
            info.context.require_role(Role.MARKETER)
        rows = await info.context.services.gamification.badges(include_inactive)
        return [Badge.from_row(r) for r in rows]

    @strawberry.field(permission_classes=[Authenticated],
                      description="The caller's check-ins in a month (YYYY-MM, brand days).")
    async def check_in_calendar(self, info: Info, month: str) -> list[CheckInDay]:
        ctx = info.context
        days = await ctx.services.gamification.check_in_calendar(
            ctx.require_member().member_id, _month(month))
        return [CheckInDay(day=d.day, streak=d.streak, points=d.points) for d in days]

    @strawberry.field(description=(
        "A leaderboard page. `period`: any day of a past week/month reads that period's "
        "snapshot. `aroundMe`: the caller with the members just above and below him."))
    async def leaderboard(self, info: Info, kind: BoardKindEnum,  # type: ignore[valid-type]
                          challenge_id: strawberry.ID | None = None, period: date | None = None,
                          first: int | None = None, after: str | None = None,
                          around_me: bool = False) -> LeaderboardConnection:
        ctx = info.context
        page = page_request(ctx, first, after)
        offset = 0
        if page.after is not None:
            if len(page.after) != 1 or not isinstance(page.after[0], int) or page.after[0] < 0:
                raise InvalidInput("malformed cursor", cursor=after)
            offset = page.after[0] + 1
        challenge = decode_id(challenge_id, "Challenge") if challenge_id is not None else None
        me = ctx.require_member().member_id if around_me else None
        # One more than asked tells whether a next page exists.
        view = await ctx.services.leaderboards.read(
            rules.BoardKind(kind), challenge_id=challenge, period=period, offset=offset,
            count=page.first + 1, around_member=me)
        depends_on_board(ctx, view.version)
        has_next = len(view.entries) > page.first and me is None
        if me is None:
            view = BoardView(view.kind, view.challenge_id, view.period, view.live,
                             view.entries[:page.first], view.offset, view.size, view.version)
        else:
            has_next = view.offset + len(view.entries) < view.size
        return await _connection(ctx, view, has_next)


@strawberry.type
class GamificationMutations:
    @strawberry.mutation(permission_classes=[MARKETERS])
    async def set_point_rule(self, info: Info, input: SetPointRuleInput) -> PointRulePayload:
        ctx = info.context
        rule = await ctx.services.gamification.set_point_rule(
            ctx.require_member().member_id, rules.Action(input.action), input.points,
            input.daily_cap, input.once_per_target)
        return PointRulePayload(rule=PointRule.from_rule(rule))

    @strawberry.mutation(permission_classes=[MARKETERS])
    async def create_badge(self, info: Info, input: CreateBadgeInput) -> BadgePayload:
        ctx = info.context
        badge = await ctx.services.gamification.create_badge(
            ctx.require_member().member_id, BadgeDraft(
                name=input.name, description=input.description,
                criterion=rules.Criterion(input.criterion), bronze=input.bronze,
                silver=input.silver, gold=input.gold, icon_url=input.icon_url))
        return BadgePayload(badge=Badge.from_row(badge))

    @strawberry.mutation(permission_classes=[MARKETERS], description=(
        "Name, description, thresholds, icon, active; the criterion is fixed."))
    async def update_badge(self, info: Info, input: UpdateBadgeInput) -> BadgePayload:
        ctx = info.context
        changes = {field: getattr(input, field) for field in
                   ("name", "description", "bronze", "silver", "gold", "icon_url", "active")
                   if getattr(input, field) is not strawberry.UNSET}
        for required in ("name", "bronze", "description"):
            if required in changes and changes[required] is None:
                raise InvalidInput(f"{required} cannot be null", field=required)
        badge = await ctx.services.gamification.update_badge(
            ctx.require_member().member_id, decode_id(input.badge_id, "Badge"), changes)
        return BadgePayload(badge=Badge.from_row(badge))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Once per brand day; the same idempotencyKey answers the first result."))
    async def check_in(self, info: Info, input: CheckInInput) -> CheckInPayload:
        ctx = info.context
        result = await ctx.services.gamification.check_in(ctx.require_member().member_id,
                                                          input.idempotency_key)
        return CheckInPayload(day=result.day, streak=result.streak,
                              reward=Reward.from_domain(result.reward))
