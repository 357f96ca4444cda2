"""Mini-games over GraphQL: prize tables with their odds, plays, quizzes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.permissions import Authenticated, requires
from api.relay import Connection, Node, decode_id, node_type, page_request, to_global_id
from api.rewards import Reward
from domain.members.models import Role
from gamification.campaigns import rules
from gamification.campaigns.minigames import GameDraft, PlayOutcome
from gamification.campaigns.models import GameKind
from rally.db import utcnow

MARKETERS = requires(Role.MARKETER)
GameKindEnum = strawberry.enum(GameKind, name="MiniGameKind")


@strawberry.type(description="A slot of a prize table; `isNoPrize` slots pay nothing.")
class MiniGamePrize:
    id: strawberry.ID
    name: str
    points: int
    coupon_campaign_id: strawberry.ID | None
    probability: float | None = strawberry.field(
        description="Chance of drawing this slot on one play (null for quiz tiers).")
    min_score: int | None = strawberry.field(description="QUIZ: the score this tier needs.")
    stock: int | None = strawberry.field(description="Null: unlimited.")
    remaining_stock: int | None

    @strawberry.field
    def is_no_prize(self) -> bool:
        return self.points == 0 and self.coupon_campaign_id is None

    @classmethod
    def from_row(cls, row: Any, probability: float | None) -> MiniGamePrize:
        campaign = row.coupon_campaign_id
        return cls(id=strawberry.ID(to_global_id("MiniGamePrize", row.id)), name=row.name,
                   points=row.points, probability=probability, min_score=row.min_score,
                   coupon_campaign_id=strawberry.ID(to_global_id("CouponCampaign", campaign))
                   if campaign is not None else None,
                   stock=row.stock, remaining_stock=row.remaining)


@strawberry.type(description="A quiz question; the correct options never leave the server.")
class QuizQuestion:
    prompt: str
    options: list[str]


@strawberry.type
class MiniGame(Node):
    id: strawberry.ID
    kind: GameKindEnum  # type: ignore[valid-type]
    title: str
    cost_points: int
    free_plays_per_day: int = strawberry.field(description="Per brand day.")
    starts_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    questions: list[QuizQuestion]
    pk: strawberry.Private[int]

    @strawberry.field(description="Open for plays now.")
    def active(self) -> bool:
        return self.ended_at is None and self.starts_at <= utcnow() < self.ends_at

    @strawberry.field(description="The prize table with each slot's odds and remaining stock.")
    async def prizes(self, info: Info) -> list[MiniGamePrize]:
        rows = await info.context.loaders.load("prizes_by_game", self.pk)
        if self.kind == GameKind.QUIZ:
            return [MiniGamePrize.from_row(r, None) for r in rows]
        odds = rules.probabilities([r.weight for r in rows])
        return [MiniGamePrize.from_row(r, p) for r, p in zip(rows, odds, strict=True)]

    @classmethod
    def from_row(cls, row: Any) -> MiniGame:
        return cls(id=strawberry.ID(to_global_id("MiniGame", row.id)), pk=row.id,
                   kind=GameKind(row.kind), title=row.title, cost_points=row.cost_points,
                   free_plays_per_day=row.free_plays_per_day, starts_at=row.starts_at,
                   ends_at=row.ends_at, ended_at=row.ended_at,
                   questions=[QuizQuestion(prompt=q["prompt"], options=q["options"])
                              for q in row.questions])


@node_type("MiniGame")
async def load_game(context: Any, pk: int) -> MiniGame | None:
    from rally.errors import NotFound

    try:
        return MiniGame.from_row(await context.services.campaigns.minigames.game(pk))
    except NotFound:
        return None


@strawberry.input
class PrizeInput:
    name: str | None = strawberry.field(default=None, description=(
        "Shown to members; by default what it pays (\"50 points\", \"Coupon\", \"No prize\")."))
    weight: int = 0
    points: int = 0
    coupon_campaign_id: strawberry.ID | None = None
    stock: int | None = strawberry.field(default=None, description="Null: unlimited.")
    min_score: int | None = strawberry.field(default=None, description="QUIZ tiers only.")


@strawberry.input
class QuizQuestionInput:
    prompt: str
    options: list[str]
    correct: list[int] = strawberry.field(description="Indexes of the right options.")


@strawberry.input
class CreateMiniGameInput:
    kind: GameKindEnum  # type: ignore[valid-type]
    title: str
    prizes: list[PrizeInput]
    starts_at: datetime
    ends_at: datetime
    cost_points: int = 0
    free_plays_per_day: int = 0
    questions: list[QuizQuestionInput] | None = None


@strawberry.type
class MiniGamePayload:
    game: MiniGame


@strawberry.input
class PlayMiniGameInput:
    game_id: strawberry.ID
    idempotency_key: str


@strawberry.input
class AnswerQuizInput:
    game_id: strawberry.ID
    answers: list[list[int]] = strawberry.field(
        description="For each question in order, the indexes of the options chosen.")
    idempotency_key: str


@strawberry.type
class MiniGameOutcome:
    prize: MiniGamePrize | None = strawberry.field(description="Null: no prize this time.")
    reward: Reward
    score: int | None = strawberry.field(description="QUIZ: questions answered right.")

    @classmethod
    def from_domain(cls, outcome: PlayOutcome) -> MiniGameOutcome:
        prize = outcome.prize
        row = None if prize is None else MiniGamePrize(
            id=strawberry.ID(to_global_id("MiniGamePrize", prize.id)), name=prize.name,
            points=prize.points, probability=None, min_score=None, stock=None,
            remaining_stock=None,
            coupon_campaign_id=strawberry.ID(to_global_id("CouponCampaign",
                                                          prize.coupon_campaign_id))
            if prize.coupon_campaign_id is not None else None)
        return cls(prize=row, reward=Reward.from_domain(outcome.reward), score=outcome.score)


@strawberry.type
class PlayMiniGamePayload:
    outcome: MiniGameOutcome


def _draft(input: CreateMiniGameInput) -> GameDraft:
    return GameDraft(
        kind=GameKind(input.kind), title=input.title, starts_at=input.starts_at,
        ends_at=input.ends_at, cost_points=input.cost_points,
        free_plays_per_day=input.free_plays_per_day,
        prizes=[rules.PrizeDraft(
            name=p.name or "", weight=p.weight, points=p.points, stock=p.stock, min_score=p.min_score,
            coupon_campaign_id=decode_id(p.coupon_campaign_id, "CouponCampaign")
            if p.coupon_campaign_id is not None else None) for p in input.prizes],
        questions=[rules.QuestionDraft(q.prompt, q.options, q.correct)
                   for q in input.questions or []])


@strawberry.type
class MiniGameQueries:
    @strawberry.field(description="Newest first.")
    async def mini_games(self, info: Info, first: int | None = None, after: str | None = None
                         ) -> Connection[MiniGame]:
        page = await info.context.services.campaigns.minigames.games(
            page_request(info.context, first, after))
        return Connection.from_page(page, MiniGame.from_row, lambda g: (g.id,))

    @strawberry.field
    async def mini_game(self, info: Info, id: strawberry.ID) -> MiniGame:
        game = await info.context.services.campaigns.minigames.game(decode_id(id, "MiniGame"))
        return MiniGame.from_row(game)


@strawberry.type
class MiniGameMutations:
    @strawberry.mutation(permission_classes=[MARKETERS], description=(
        "WHEEL / SCRATCH: prizes drawn by weight (a slot without points or coupon is a "
        "no-prize slot). QUIZ: prizes are score tiers (minScore)."))
    async def create_mini_game(self, info: Info, input: CreateMiniGameInput) -> MiniGamePayload:
        ctx = info.context
        game = await ctx.services.campaigns.minigames.create_game(
            ctx.require_member().member_id, _draft(input))
        return MiniGamePayload(game=MiniGame.from_row(game))

    @strawberry.mutation(permission_classes=[MARKETERS], description="Stop a game early.")
    async def end_mini_game(self, info: Info, game_id: strawberry.ID) -> MiniGamePayload:
        ctx = info.context
        game = await ctx.services.campaigns.minigames.end_game(
            ctx.require_member().member_id, decode_id(game_id, "MiniGame"))
        return MiniGamePayload(game=MiniGame.from_row(game))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "The server draws; one transaction spends the free play or the points, takes the "
        "prize's stock and issues its coupon (or falls back to no prize). The same "
        "idempotencyKey returns the same outcome and pays nothing again."))
    async def play_mini_game(self, info: Info, input: PlayMiniGameInput) -> PlayMiniGamePayload:
        ctx = info.context
        outcome = await ctx.services.campaigns.minigames.play(
            ctx.require_member().member_id, decode_id(input.game_id, "MiniGame"),
            input.idempotency_key)
        return PlayMiniGamePayload(outcome=MiniGameOutcome.from_domain(outcome))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Scored on the server; pays the best tier reached. Once per member (CONFLICT)."))
    async def answer_quiz(self, info: Info, input: AnswerQuizInput) -> PlayMiniGamePayload:
        ctx = info.context
        outcome = await ctx.services.campaigns.minigames.answer_quiz(
            ctx.require_member().member_id, decode_id(input.game_id, "MiniGame"),
            input.answers, input.idempotency_key)
        return PlayMiniGamePayload(outcome=MiniGameOutcome.from_domain(outcome))
