"""Mini-games (WHEEL, SCRATCH, QUIZ): the prize table, plays and quiz answers.

A play is ONE transaction: the idempotency key, the free play of the day or the points,
the draw (cryptographic RNG), the play row, the PLAY_GAME challenge progress, then the
prize (see `payout.py`: the hot stock and quota rows are locked last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, text

from domain.audit.service import record as audit
from domain.coupons.models import CouponCampaign
from domain.pagination import Page, PageRequest, keyset_page
from gamification.campaigns import rules
from gamification.campaigns.events import MiniGamePlayed
from gamification.campaigns.models import (
    GameKind,
    MiniGame,
    MiniGamePlay,
    MiniGamePrize,
    MiniGamePrizeStock,
)
from gamification.campaigns.payout import PrizeSlot, pay_prize
from gamification.campaigns.points import spend_points
from rally.clock import brand_day
from rally.errors import Conflict, InvalidInput, NotFound
from rally.idempotency import check_key, claim, fingerprint, stored_response
from rally.retry import retry_on_deadlock
from rally.reward import CouponIssued, Reward
from rally.sql import Sql
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class GameDraft:
    kind: GameKind
    title: str
    prizes: list[rules.PrizeDraft]
    starts_at: datetime
    ends_at: datetime
    cost_points: int = 0
    free_plays_per_day: int = 0
    questions: list[rules.QuestionDraft] = field(default_factory=list)


@dataclass
class PlayOutcome:
    play_id: int
    game_id: int
    prize: PrizeSlot | None
    reward: Reward
    score: int | None = None
    question_count: int | None = None


_CLAIM_QUIZ = Sql(
    "INSERT INTO quiz_submissions (game_id, member_id, play_id, score)"
    " VALUES (:game_id, :member_id, :play_id, :score) ON CONFLICT DO NOTHING RETURNING play_id")
_GAME_COLUMNS = (
    " g.id, g.kind, g.cost_points, g.free_plays_per_day, g.questions, g.starts_at, g.ends_at,"
    " g.ended_at IS NULL AND g.starts_at <= now() AND now() < g.ends_at AS open,"
    " now() AS now, p.id AS prize_id, p.name, p.points, p.coupon_campaign_id,"
    " p.stock IS NOT NULL AS limited, p.weight, p.min_score")
_GAME_WITH_PRIZES = Sql(
    f"SELECT {_GAME_COLUMNS} FROM mini_games g JOIN mini_game_prizes p ON p.game_id = g.id"
    " WHERE g.id = :id ORDER BY p.position")
# The start of a play in ONE round trip (it runs on every spin, 64 members at once): claim
# the idempotency key, read the game and its prize table, and take a free play of the brand
# day if the key is new, the game open and the member has one left. Whatever this statement
# did is rolled back with the unit of work when the play is then refused (a closed game, a
# QUIZ), and a used key takes nothing (`claimed` false: the caller answers the stored play).
# At least one row comes back (NULL game columns: no such game). The brand day is the
# PostgreSQL zone's date of the transaction's now(), as `brand_day` computes it.
_START_PLAY = Sql(
    "WITH claimed AS ("
    " INSERT INTO idempotency_keys (member_id, operation, key, request_hash)"
    " VALUES (:member_id, 'playMiniGame', :key, :hash) ON CONFLICT DO NOTHING RETURNING 1),"
    " game AS (SELECT id, free_plays_per_day FROM mini_games WHERE id = :id"
    "  AND ended_at IS NULL AND starts_at <= now() AND now() < ends_at),"
    " free AS ("
    " INSERT INTO mini_game_days AS d (game_id, member_id, day, free_plays)"
    " SELECT id, :member_id, (now() AT TIME ZONE :tz)::date, 1 FROM game"
    "  WHERE free_plays_per_day > 0 AND EXISTS (SELECT FROM claimed)"
    " ON CONFLICT (game_id, member_id, day) DO UPDATE SET free_plays = d.free_plays + 1"
    "  WHERE d.free_plays < (SELECT free_plays_per_day FROM game) RETURNING 1)"
    " SELECT EXISTS (SELECT FROM claimed) AS claimed, EXISTS (SELECT FROM free) AS free,"
    f" {_GAME_COLUMNS} FROM (SELECT) AS one LEFT JOIN (mini_games g JOIN mini_game_prizes p"
    " ON p.game_id = g.id AND g.id = :id) ON true ORDER BY p.position")
# The play row and the idempotency key's answer in one statement.
_RECORD_PLAY = Sql(
    "WITH play AS ("
    " INSERT INTO mini_game_plays (game_id, member_id, day, free, score, prize_id, points_won,"
    " cost_points) VALUES (:game_id, :member_id, :day, :free, :score, :prize_id, :points_won,"
    " :cost_points) RETURNING id)"
    " UPDATE idempotency_keys k SET response = jsonb_build_object('playId', play.id) FROM play"
    " WHERE k.member_id = :member_id AND k.operation = :operation AND k.key = :key"
    " RETURNING play.id")


@dataclass(frozen=True)
class OpenPrize:
    slot: PrizeSlot
    weight: int
    min_score: int | None


@dataclass(frozen=True)
class OpenGame:
    """What a play needs of a game that is open now (read in one round trip)."""

    id: int
    kind: GameKind
    cost_points: int
    free_plays_per_day: int
    questions: list[dict[str, Any]]
    now: datetime
    day: date
    prizes: list[OpenPrize]


_PRIZE_COLUMNS = (MiniGamePrize.id, MiniGamePrize.name, MiniGamePrize.points,
                  MiniGamePrize.coupon_campaign_id, MiniGamePrize.stock.is_not(None))


class MiniGameService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory
        s = uow_factory.settings
        self._tz = s.tz
        self._stock_shards = s.minigame_stock_shards
        self._limits = rules.Limits(max_prizes=s.minigame_max_prizes,
                                    max_questions=s.quiz_max_questions,
                                    max_options=s.quiz_max_options,
                                    max_weight=s.minigame_max_weight,
                                    max_points=s.campaign_max_points)

    # --- configuration (MARKETER) --------------------------------------------------------

    async def create_game(self, actor_id: int, draft: GameDraft) -> MiniGame:
        questions = rules.questions(draft.kind, draft.questions, self._limits)
        prizes = rules.prize_table(draft.kind, draft.prizes, len(questions), self._limits)
        rules.window(draft.starts_at, draft.ends_at)
        game = MiniGame(
            kind=draft.kind.value, title=rules.title(draft.title), ended_at=None,
            cost_points=rules.not_negative(draft.cost_points, "costPoints",
                                           self._limits.max_points),
            free_plays_per_day=rules.not_negative(draft.free_plays_per_day, "freePlaysPerDay"),
            starts_at=draft.starts_at, ends_at=draft.ends_at, created_by=actor_id,
            questions=[{"prompt": q.prompt, "options": q.options, "correct": q.correct}
                       for q in questions])
        async with self._uow_factory() as uow:
            await require_campaigns(uow, [p.coupon_campaign_id for p in prizes], "prizes")
            uow.session.add(game)
            await uow.session.flush()
            await uow.session.execute(insert(MiniGamePrize), [
                {"game_id": game.id, "position": i, "name": p.name, "weight": p.weight,
                 "min_score": p.min_score, "points": p.points,
                 "coupon_campaign_id": p.coupon_campaign_id, "stock": p.stock}
                for i, p in enumerate(prizes)])
            await self._shard_stock(uow, game.id)
            await audit(uow, actor_id=actor_id, action="CREATE_MINI_GAME",
                        target_type="MINI_GAME", target_id=game.id,
                        after={"kind": game.kind, "title": game.title, "prizes": len(prizes)})
            await uow.commit()
        return game

    async def _shard_stock(self, uow: UnitOfWork, game_id: int) -> None:
        prizes = (await uow.session.execute(select(MiniGamePrize.id, MiniGamePrize.stock).where(
            MiniGamePrize.game_id == game_id, MiniGamePrize.stock > 0))).all()
        rows = [{"prize_id": p.id, "shard": shard, "remaining": units}
                for p in prizes for shard, units in enumerate(
                    rules.split_stock(p.stock, self._stock_shards))]
        if rows:
            await uow.session.execute(insert(MiniGamePrizeStock), rows)

    async def end_game(self, actor_id: int, game_id: int) -> MiniGame:
        async with self._uow_factory() as uow:
            game = await uow.session.get(MiniGame, game_id, with_for_update=True)
            if game is None:
                raise NotFound("no such mini-game", field="gameId")
            if game.ended_at is None:
                game.ended_at = await uow.now()
                await audit(uow, actor_id=actor_id, action="END_MINI_GAME",
                            target_type="MINI_GAME", target_id=game.id)
            await uow.commit()
        return game

    async def games(self, page: PageRequest) -> Page[MiniGame]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, select(MiniGame), MiniGame.id, page)

    async def game(self, game_id: int) -> MiniGame:
        async with self._uow_factory() as uow:
            game = await uow.session.get(MiniGame, game_id)
        if game is None:
            raise NotFound("no such mini-game", field="gameId")
        return game

    # --- playing (members) ---------------------------------------------------------------

    async def play(self, member_id: int, game_id: int, key: str) -> PlayOutcome:
        return await retry_on_deadlock(lambda: self._play(member_id, game_id, key))

    async def _play(self, member_id: int, game_id: int, key: str) -> PlayOutcome:
        check_key(key)
        request_hash = fingerprint({"gameId": game_id})
        async with self._uow_factory() as uow:
            rows = await uow.fetch(_START_PLAY, {
                "member_id": member_id, "key": key, "hash": request_hash, "id": game_id,
                "tz": self._tz.key})
            if not rows[0].claimed:
                return await _replayed(uow, await stored_response(
                    uow, member_id, "playMiniGame", key, request_hash))
            game = self._game_from(rows)
            if game.kind == GameKind.QUIZ:
                raise InvalidInput("a quiz is answered with answerQuiz", field="gameId")
            free = rows[0].free or await self._pay_for_play(uow, game, member_id, key)
            drawn = game.prizes[rules.draw([p.weight for p in game.prizes])].slot
            outcome = await self._record_play(uow, game, member_id, game.day, drawn, free=free,
                                              key=("playMiniGame", key))
            await uow.commit()
        return outcome

    async def answer_quiz(self, member_id: int, game_id: int, answers: list[list[int]],
                          key: str) -> PlayOutcome:
        return await retry_on_deadlock(
            lambda: self._answer_quiz(member_id, game_id, answers, key))

    async def _answer_quiz(self, member_id: int, game_id: int, answers: list[list[int]],
                           key: str) -> PlayOutcome:
        async with self._uow_factory() as uow:
            stored = await claim(uow, member_id, "answerQuiz", key,
                                 {"gameId": game_id, "answers": answers})
            if stored is not None:
                return await _replayed(uow, stored)
            game = await self._open_game(uow, game_id)
            if game.kind != GameKind.QUIZ:
                raise InvalidInput("only a QUIZ is answered", field="gameId")
            score = rules.quiz_score(game.questions, answers)
            tier = rules.quiz_tier([t.min_score for t in game.prizes], score)
            prize = game.prizes[tier].slot if tier is not None else None
            outcome = await self._record_play(uow, game, member_id, game.day, prize, free=True,
                                              key=("answerQuiz", key), score=score)
            outcome.question_count = len(game.questions)
            await uow.commit()
        return outcome

    async def _open_game(self, uow: UnitOfWork, game_id: int) -> OpenGame:
        """The game and its prize table in one round trip; CONFLICT when it is not open."""
        return self._game_from(await uow.fetch(_GAME_WITH_PRIZES, {"id": game_id}))

    def _game_from(self, rows: Sequence[Any]) -> OpenGame:
        if not rows or rows[0].id is None:
            raise NotFound("no such mini-game", field="gameId")
        g = rows[0]
        if not g.open:
            raise Conflict("this game is not open now", reason="GAME_NOT_ACTIVE",
                           startsAt=g.starts_at.isoformat(), endsAt=g.ends_at.isoformat())
        return OpenGame(
            id=g.id, kind=GameKind(g.kind), cost_points=g.cost_points,
            free_plays_per_day=g.free_plays_per_day, questions=g.questions, now=g.now,
            day=brand_day(g.now, self._tz),
            prizes=[OpenPrize(PrizeSlot(r.prize_id, r.name, r.points, r.coupon_campaign_id,
                                        r.limited), r.weight, r.min_score) for r in rows])

    async def _pay_for_play(self, uow: UnitOfWork, game: OpenGame, member_id: int,
                            key: str) -> bool:
        """No free play was left (`_START_PLAY` tried): the points are spent (CONFLICT if
        short); False, the play was not free."""
        if game.cost_points <= 0:
            raise Conflict("no free plays left today", reason="NO_PLAYS_LEFT",
                           freePlaysPerDay=game.free_plays_per_day)
        await spend_points(uow, member_id, game.cost_points, "MINI_GAME_PLAY",
                           ("MINI_GAME", game.id), f"minigame:{game.id}:{member_id}:{key}")
        return False

    async def _record_play(self, uow: UnitOfWork, game: OpenGame, member_id: int, day: date,
                           prize: PrizeSlot | None, *, free: bool, key: tuple[str, str],
                           score: int | None = None) -> PlayOutcome:
        paying = prize if prize is not None and prize.pays else None
        uow.know_now(game.now)  # the prize's ledger entry and coupon need no `SELECT now()`
        play_id = await uow.fetchval(_RECORD_PLAY, {
            "game_id": game.id, "member_id": member_id, "day": day, "free": free,
            "score": score, "prize_id": paying.id if paying else None,
            "points_won": paying.points if paying else 0,
            "cost_points": 0 if free else game.cost_points, "operation": key[0],
            "key": key[1]})
        if score is not None and await uow.fetchrow(_CLAIM_QUIZ, {
                "game_id": game.id, "member_id": member_id, "play_id": play_id,
                "score": score}) is None:
            raise Conflict("you already answered this quiz", reason="ALREADY_ANSWERED")
        await uow.publish(MiniGamePlayed(play_id=play_id, game_id=game.id, member_id=member_id))
        if paying is not None and not await pay_prize(uow, member_id, game.id, play_id, paying):
            paying = None
        return PlayOutcome(play_id, game.id, paying, uow.reward, score=score)


async def _replayed(uow: UnitOfWork, stored: dict[str, Any]) -> PlayOutcome:
    """The first call's outcome, read back: the same prize, points and coupon."""
    play = (await uow.session.execute(
        select(MiniGamePlay.game_id, MiniGamePlay.prize_id, MiniGamePlay.points_won,
               MiniGamePlay.score, MiniGamePlay.id).where(
            MiniGamePlay.id == stored["playId"]))).one()
    prize = None
    if play.prize_id is not None:
        row = (await uow.session.execute(
            select(*_PRIZE_COLUMNS).where(MiniGamePrize.id == play.prize_id))).one()
        prize = PrizeSlot(*row)
    coupon_ids = (await uow.session.scalars(text(
        "SELECT id FROM coupons WHERE source = 'MINI_GAME' AND source_id = :id ORDER BY id"),
        {"id": play.id})).all()
    reward = Reward(points=play.points_won, coupons=[CouponIssued(c) for c in coupon_ids])
    return PlayOutcome(play.id, play.game_id, prize, reward, score=play.score)


async def require_campaigns(uow: UnitOfWork, campaign_ids: list[int | None], field: str
                             ) -> None:
    wanted = {c for c in campaign_ids if c is not None}
    if not wanted:
        return
    found = set((await uow.session.scalars(
        select(CouponCampaign.id).where(CouponCampaign.id.in_(wanted)))).all())
    if missing := wanted - found:
        raise NotFound("no such coupon campaign", field=field, campaignId=min(missing))
