"""Challenges over GraphQL: configuration (MARKETER), joining, progress, board, report."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.types import Info

from api.members.types import User, user_by_id
from api.permissions import Authenticated, requires
from api.relay import (
    Connection,
    Edge,
    Node,
    PageInfo,
    decode_id,
    encode_cursor,
    node_type,
    page_request,
    to_global_id,
)
from domain.members.models import Role
from domain.reports import report_csv
from gamification.campaigns.challenge_report import ChallengeReport as ReportValue
from gamification.campaigns.challenges import ChallengeDraft
from gamification.campaigns.models import ChallengeAction
from gamification.campaigns.rules import ChallengeStatus, challenge_status
from rally.db import utcnow
from rally.errors import InvalidInput, NotFound
from rally.reward import ChallengeAdvanced

MARKETERS = requires(Role.MARKETER)
ChallengeActionEnum = strawberry.enum(ChallengeAction, name="ChallengeAction")
ChallengeStatusEnum = strawberry.enum(ChallengeStatus, name="ChallengeStatus")


@strawberry.type
class ChallengeRewards:
    points: int | None = strawberry.field(description="Null: the CHALLENGE_COMPLETED rule.")
    badge_id: strawberry.ID | None
    coupon_campaign_id: strawberry.ID | None


@strawberry.type(description="A member's progress in a challenge (also pushed live).")
class ChallengeProgress:
    challenge_id: strawberry.ID
    progress: int
    target: int
    completed: bool
    joined_at: datetime | None = strawberry.field(description="Null inside a Reward.")
    completed_at: datetime | None = strawberry.field(description="Null inside a Reward.")
    member_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> ChallengeProgress:
        return cls(challenge_id=strawberry.ID(to_global_id("Challenge", row.challenge_id)),
                   progress=row.progress, target=row.target,
                   completed=row.completed_at is not None, joined_at=row.joined_at,
                   completed_at=row.completed_at, member_id=row.member_id)

    @classmethod
    def from_advance(cls, advance: ChallengeAdvanced) -> ChallengeProgress:
        return cls(challenge_id=strawberry.ID(to_global_id("Challenge", advance.challenge_id)),
                   progress=advance.progress, target=advance.target,
                   completed=advance.completed, joined_at=None, completed_at=None, member_id=0)


@strawberry.type
class ChallengeLeaderboardEntry:
    rank: int = strawberry.field(description="1..N: most progress first, then who got there "
                                             "first.")
    progress: int
    completed_at: datetime | None
    member_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        return await user_by_id(info, self.member_id)


@strawberry.type
class Challenge(Node):
    id: strawberry.ID
    title: str
    description: str
    cover_url: str | None
    action: ChallengeActionEnum  # type: ignore[valid-type]
    topic: str | None
    target: int
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    rewards: ChallengeRewards
    segment_min_level: int | None
    segment_interest: str | None
    participant_cap: int | None
    participant_count: int
    pk: strawberry.Private[int]

    @strawberry.field
    def status(self) -> ChallengeStatusEnum:  # type: ignore[valid-type]
        return challenge_status(self.starts_at, self.ends_at, self.ended_at, utcnow())

    @strawberry.field(description="The caller's progress; null when he has not joined.")
    async def my_progress(self, info: Info) -> ChallengeProgress | None:
        viewer = info.context.viewer_id
        if viewer is None:
            return None
        row = await info.context.loaders.load("my_challenge_progress", (self.pk, viewer))
        return ChallengeProgress.from_row(row) if row is not None else None

    @strawberry.field(description="Participants by progress, then who reached it first.")
    async def leaderboard(self, info: Info, first: int | None = None, after: str | None = None
                          ) -> Connection[ChallengeLeaderboardEntry]:
        request = page_request(info.context, first, after)
        offset = request.after[0] if request.after else 0
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput("malformed cursor", cursor=after)
        page = await info.context.services.campaigns.challenges.leaderboard(
            self.pk, request.first, offset)
        edges = [Edge(cursor=encode_cursor(e.rank), node=ChallengeLeaderboardEntry(
            rank=e.rank, progress=e.progress, completed_at=e.completed_at,
            member_id=e.member_id)) for e in page.items]
        return Connection(edges=edges, page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None))

    @classmethod
    def from_row(cls, row: Any) -> Challenge:
        def gid(kind: str, pk: int | None) -> strawberry.ID | None:
            return strawberry.ID(to_global_id(kind, pk)) if pk is not None else None

        return cls(
            id=strawberry.ID(to_global_id("Challenge", row.id)), pk=row.id, title=row.title,
            description=row.description, cover_url=row.cover_url,
            action=ChallengeAction(row.action), topic=row.topic, target=row.target,
            starts_at=row.starts_at, ends_at=row.ends_at, ended_at=row.ended_at,
            rewards=ChallengeRewards(points=row.reward_points,
                                     badge_id=gid("Badge", row.reward_badge_id),
                                     coupon_campaign_id=gid("CouponCampaign",
                                                            row.reward_coupon_campaign_id)),
            segment_min_level=row.segment_min_level, segment_interest=row.segment_interest,
            participant_cap=row.participant_cap, participant_count=row.participant_count)


@node_type("Challenge")
async def load_challenge(context: Any, pk: int) -> Challenge | None:
    try:
        return Challenge.from_row(await context.services.campaigns.challenges.challenge(pk))
    except NotFound:
        return None


@strawberry.type
class ChallengeFunnelDay:
    day: date = strawberry.field(description="Brand-local day.")
    joined: int | None = strawberry.field(description="Null when fewer than the report's "
                                                      "minimum group size.")
    active: int | None
    completed: int | None


@strawberry.type
class ChallengeReport:
    challenge: Challenge
    participants: int
    completions: int
    completion_rate: float
    qualifying_actions: int
    qualifying_posts: int
    points_paid: int
    coupons_issued: int
    daily: list[ChallengeFunnelDay]

    @classmethod
    def from_domain(cls, challenge: Challenge, report: ReportValue) -> ChallengeReport:
        return cls(challenge=challenge, participants=report.participants,
                   completions=report.completions, completion_rate=report.completion_rate,
                   qualifying_actions=report.qualifying_actions,
                   qualifying_posts=report.qualifying_posts, points_paid=report.points_paid,
                   coupons_issued=report.coupons_issued,
                   daily=[ChallengeFunnelDay(day=d.day, joined=d.joined, active=d.active,
                                             completed=d.completed) for d in report.daily])


@strawberry.input
class ChallengeRewardsInput:
    points: int | None = strawberry.field(default=None, description=(
        "Points on completion; null pays the CHALLENGE_COMPLETED point rule, 0 pays none."))
    badge_id: strawberry.ID | None = None
    coupon_campaign_id: strawberry.ID | None = None


@strawberry.input
class ChallengeSegmentInput:
    min_level: int | None = None
    interest: str | None = strawberry.field(default=None, description=(
        "An interest tag the member holds (declared, or inferred and still strong enough)."))


@strawberry.input
class CreateChallengeInput:
    title: str
    action: ChallengeActionEnum  # type: ignore[valid-type]
    target: int
    starts_at: datetime
    ends_at: datetime
    description: str | None = None
    cover_url: str | None = None
    topic: str | None = strawberry.field(default=None, description="For POST_WITH_TOPIC.")
    rewards: ChallengeRewardsInput | None = None
    segment: ChallengeSegmentInput | None = None
    segment_id: strawberry.ID | None = strawberry.field(default=None, description=(
        "A saved segment (createSegment); joining needs membership at that moment. Combines "
        "with `segment` (both must hold)."))
    participant_cap: int | None = None


@strawberry.input
class UpdateChallengeInput:
    challenge_id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    cover_url: str | None = strawberry.UNSET
    target: int | None = strawberry.UNSET
    starts_at: datetime | None = strawberry.UNSET
    ends_at: datetime | None = strawberry.UNSET
    rewards: ChallengeRewardsInput | None = strawberry.UNSET
    participant_cap: int | None = strawberry.UNSET


@strawberry.input
class JoinChallengeInput:
    challenge_id: strawberry.ID


@strawberry.type
class ChallengePayload:
    challenge: Challenge


@strawberry.type
class JoinChallengePayload:
    challenge: Challenge
    progress: ChallengeProgress


def _reward_ids(rewards: ChallengeRewardsInput) -> dict[str, Any]:
    return {
        "reward_points": rewards.points,
        "reward_badge_id": decode_id(rewards.badge_id, "Badge") if rewards.badge_id else None,
        "reward_coupon_campaign_id": decode_id(rewards.coupon_campaign_id, "CouponCampaign")
        if rewards.coupon_campaign_id else None}


def _draft(input: CreateChallengeInput) -> ChallengeDraft:
    segment = input.segment or ChallengeSegmentInput()
    return ChallengeDraft(
        title=input.title, action=ChallengeAction(input.action), target=input.target,
        starts_at=input.starts_at, ends_at=input.ends_at, description=input.description or "",
        cover_url=input.cover_url, topic=input.topic, participant_cap=input.participant_cap,
        segment_min_level=segment.min_level, segment_interest=segment.interest,
        segment_id=decode_id(input.segment_id, "Segment") if input.segment_id else None,
        **_reward_ids(input.rewards or ChallengeRewardsInput()))


def _changes(input: UpdateChallengeInput) -> dict[str, Any]:
    changes = {name: value for name, value in vars(input).items()
               if name not in ("challenge_id", "rewards") and value is not strawberry.UNSET}
    if input.rewards is not strawberry.UNSET:
        if input.rewards is None:
            raise InvalidInput("omit rewards to keep them", field="rewards")
        changes.update(_reward_ids(input.rewards))
    if any(v is None for k, v in changes.items() if k not in (
            "cover_url", "participant_cap", "reward_points", "reward_badge_id",
            "reward_coupon_campaign_id")):
        raise InvalidInput("omit a field to keep it; null is not a value here")
    return changes


@strawberry.type
class ChallengeQueries:
    @strawberry.field(description="Newest first; all of them when status is null.")
    async def challenges(self, info: Info, status: ChallengeStatusEnum | None = None,  # type: ignore[valid-type]
                         first: int | None = None, after: str | None = None
                         ) -> Connection[Challenge]:
        page = await info.context.services.campaigns.challenges.challenges(
            ChallengeStatus(status) if status else None,
            page_request(info.context, first, after))
        return Connection.from_page(page, Challenge.from_row, lambda c: (c.id,))

    @strawberry.field
    async def challenge(self, info: Info, id: strawberry.ID) -> Challenge:
        return Challenge.from_row(await info.context.services.campaigns.challenges.challenge(
            decode_id(id, "Challenge")))

    @strawberry.field(permission_classes=[MARKETERS])
    async def challenge_report(self, info: Info, challenge_id: strawberry.ID) -> ChallengeReport:
        service = info.context.services.campaigns.challenges
        pk = decode_id(challenge_id, "Challenge")
        challenge = Challenge.from_row(await service.challenge(pk))
        return ChallengeReport.from_domain(challenge, await service.report(pk))

    @strawberry.field(permission_classes=[MARKETERS],
                      description="The same report as CSV text for spreadsheets.")
    async def challenge_report_csv(self, info: Info, challenge_id: strawberry.ID) -> str:
        return report_csv(await info.context.services.campaigns.challenges.report(
            decode_id(challenge_id, "Challenge")))


@strawberry.type
class ChallengeMutations:
    @strawberry.mutation(permission_classes=[MARKETERS])
    async def create_challenge(self, info: Info, input: CreateChallengeInput) -> ChallengePayload:
        ctx = info.context
        challenge = await ctx.services.campaigns.challenges.create(
            ctx.require_member().member_id, _draft(input))
        return ChallengePayload(challenge=Challenge.from_row(challenge))

    @strawberry.mutation(permission_classes=[MARKETERS], description=(
        "Target, rewards and window are frozen once the challenge has started (CONFLICT)."))
    async def update_challenge(self, info: Info, input: UpdateChallengeInput) -> ChallengePayload:
        ctx = info.context
        challenge = await ctx.services.campaigns.challenges.update(
            ctx.require_member().member_id, decode_id(input.challenge_id, "Challenge"),
            _changes(input))
        return ChallengePayload(challenge=Challenge.from_row(challenge))

    @strawberry.mutation(permission_classes=[MARKETERS], description="End it early.")
    async def end_challenge(self, info: Info, challenge_id: strawberry.ID) -> ChallengePayload:
        ctx = info.context
        challenge = await ctx.services.campaigns.challenges.end(
            ctx.require_member().member_id, decode_id(challenge_id, "Challenge"))
        return ChallengePayload(challenge=Challenge.from_row(challenge))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Only while it runs, inside its segment and below its participant cap."))
    async def join_challenge(self, info: Info, input: JoinChallengeInput
                             ) -> JoinChallengePayload:
        ctx = info.context
        service = ctx.services.campaigns.challenges
        pk = decode_id(input.challenge_id, "Challenge")
        joined = await service.join(ctx.require_member().member_id, pk)
        challenge = await service.challenge(pk)
        progress = SimpleNamespace(**{c: getattr(joined, c) for c in (
            "challenge_id", "member_id", "progress", "joined_at", "completed_at")},
            target=challenge.target)
        return JoinChallengePayload(challenge=Challenge.from_row(challenge),
                                    progress=ChallengeProgress.from_row(progress))

