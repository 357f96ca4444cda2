"""Leaderboards: the outbox projector that writes Redis, reads, rebuilds, finished periods.

PostgreSQL holds every board's truth (`member_points.lifetime`, `period_points`,
`challenge_scores`); Redis holds the current boards for O(log N) ranks. Past periods are read
from `period_points`, whose rows stop changing at the period's reset.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import text

from gamification.boards import BoardEntry, BoardSlice, RedisBoards, board_name
from gamification.events import ChallengeScoreChanged, PointsChanged
from gamification.ledger import Source, award, bump_counter
from gamification.rules import PERIODIC, BoardKind, EntryReason, Period, period_of
from rally.clock import brand_day
from rally.errors import InvalidInput, NotFound
from rally.outbox import OutboxMessage
from rally.settings import Settings
from rally.uow import UnitOfWork, UnitOfWorkFactory


def board_of(kind: BoardKind, period: Period | None = None, challenge_id: int | None = None) -> str:
    if kind is BoardKind.CHALLENGE:
        return board_name(kind.value, challenge_id)
    if kind in PERIODIC:
        assert period is not None
        return board_name(kind.value, period.label)
    return board_name(kind.value)


def _period_ttl(settings: Settings) -> int:
    return settings.leaderboard_period_keep_days * 86400


class LeaderboardProjector:
    """Outbox projector: absolute scores from the events' payloads (replays are harmless)."""

    def __init__(self, redis: Redis, boards: RedisBoards, settings: Settings) -> None:
        self._redis = redis
        self._boards = boards
        self._ttl = _period_ttl(settings)

    async def __call__(self, messages: Sequence[OutboxMessage]) -> None:
        wanted = [m for m in messages
                  if (m.topic == PointsChanged.topic and m.payload.get("earned"))
                  or m.topic == ChallengeScoreChanged.topic]
        if not wanted:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for m in wanted:
                await self._queue(pipe, m.topic, m.payload)
            await pipe.execute()

    async def _queue(self, pipe: object, topic: str, p: dict) -> None:
        member, version = p["member_id"], p["version"]
        if topic == ChallengeScoreChanged.topic:
            await self._boards.queue_set(pipe, board_name("CHALLENGE", p["challenge_id"]), member,
                                   p["score"], datetime.fromisoformat(p["reached_at"]), version)
            return
        await self._boards.queue_set(pipe, board_name("ALL_TIME"), member, p["lifetime"],
                               datetime.fromisoformat(p["reached_at"]), version)
        for kind in ("WEEKLY", "MONTHLY"):
            if p.get(kind.lower()):
                start, score, reached = p[kind.lower()]
                await self._boards.queue_set(pipe, board_name(kind, start), member, score,
                                       datetime.fromisoformat(reached), version, self._ttl)


def touched_boards(topic: str, payload: dict) -> list[tuple[str, int | None]]:
    """The (kind, challengeId) boards an event changes (realtime routing)."""
    if topic == ChallengeScoreChanged.topic:
        return [("CHALLENGE", payload["challenge_id"])]
    if topic == PointsChanged.topic and payload.get("earned"):
        return [("ALL_TIME", None), ("WEEKLY", None), ("MONTHLY", None)]
    return []


@dataclass(frozen=True)
class BoardView:
    kind: BoardKind
    challenge_id: int | None
    period: Period
    live: bool  # the current period (Redis); False: a past period (PostgreSQL)
    entries: list[BoardEntry]
    offset: int
    size: int
    # (board, board version) of a live page: equal keys mean equal entries (render caches).
    version: tuple[str, str] | None = None


async def set_challenge_score(uow: UnitOfWork, challenge_id: int, member_id: int,
                              score: int) -> None:
    """Campaigns' entry point: a member's absolute score on a challenge board, relayed to
    Redis through the outbox with the caller's transaction."""
    now = await uow.now()
    row = (await uow.session.execute(text(
        "INSERT INTO challenge_scores (challenge_id, member_id, score, version, reached_at) "
        "VALUES (:c, :m, :s, 1, :now) ON CONFLICT (challenge_id, member_id) DO UPDATE SET "
        "score = excluded.score, version = challenge_scores.version + 1, reached_at = CASE "
        "WHEN excluded.score > challenge_scores.score THEN excluded.reached_at "
        "ELSE challenge_scores.reached_at END RETURNING version, reached_at"),
        {"c": challenge_id, "m": member_id, "s": score, "now": now})).one()
    await uow.publish(ChallengeScoreChanged(challenge_id=challenge_id, member_id=member_id,
                                            score=score, version=row.version,
                                            reached_at=row.reached_at.isoformat()))


def _row(r: Any) -> tuple[int, int, datetime, int]:
    """(member, points, reached at, version) of a board row read from PostgreSQL."""
    return int(r[0]), int(r[1]), r[2], int(r[3])


class LeaderboardService:
    def __init__(self, uow_factory: UnitOfWorkFactory, redis: Redis) -> None:
        self._uow_factory = uow_factory
        self.settings = uow_factory.settings
        self.boards = RedisBoards(redis, self.settings.leaderboard_ranks)
        self.projector = LeaderboardProjector(redis, self.boards, self.settings)
        # (board, offset, count) -> the last slice read (with its board version)
        self._top_cache: dict[tuple[str, int, int], BoardSlice] = {}

    def today(self) -> date:
        return brand_day(datetime.now(tz=self.settings.tz), self.settings.tz)

    def resolve_period(self, kind: BoardKind, period: date | None) -> tuple[Period, bool]:
        today = self.today()
        current = period_of(kind, today)
        if period is None or kind not in PERIODIC:
            return current, True
        if period > today:
            raise InvalidInput("period is in the future", field="period")
        wanted = period_of(kind, period)
        return wanted, wanted == current

    async def _check_challenge(self, challenge_id: int | None) -> int:
        if challenge_id is None:
            raise InvalidInput("a CHALLENGE board needs challengeId", field="challengeId")
        async with self._uow_factory() as uow:
            known = await uow.session.scalar(text(
                "SELECT 1 FROM challenge_scores WHERE challenge_id = :c LIMIT 1"),
                {"c": challenge_id})
        if not known:
            raise NotFound("no such challenge board", field="challengeId")
        return challenge_id

    async def read(self, kind: BoardKind, *, challenge_id: int | None, period: date | None,
                   offset: int, count: int, around_member: int | None) -> BoardView:
        if kind is BoardKind.CHALLENGE:
            challenge_id = await self._check_challenge(challenge_id)
        elif challenge_id is not None:
            raise InvalidInput("challengeId is only for CHALLENGE boards", field="challengeId")
        resolved, live = self.resolve_period(kind, period)
        if not live:
            return await self._past(kind, resolved, offset, count, around_member)
        name = board_of(kind, resolved, challenge_id)
        if around_member is not None:
            page = await self.boards.range(name, 0, 0, around_member=around_member,
                                           around=self.settings.leaderboard_around_me)
        else:
            page = await self._cached_range(name, offset, count)
        return BoardView(kind, challenge_id, resolved, True, page.entries, page.offset, page.size,
                         (name, page.version))

    async def _cached_range(self, name: str, offset: int, count: int) -> BoardSlice:
        """One round trip; the entries travel only when the board's version moved."""
        slot = (name, offset, count)
        cached = self._top_cache.get(slot)
        page = await self.boards.range(name, offset, count,
                                       cached_version=cached.version if cached else "")
        if not page.current and cached:
            return cached
        if len(self._top_cache) > 1000:
            self._top_cache.clear()
        self._top_cache[slot] = page
        return page

    def forget_cached_pages(self) -> None:
        self._top_cache.clear()

    async def _past(self, kind: BoardKind, period: Period, offset: int, count: int,
                    around_member: int | None) -> BoardView:
        assert period.start is not None
        params = {"k": kind.value, "s": period.start}
        ranked = ("SELECT member_id, score, reached_at, {rank} AS rank, row_number() OVER "
                  "(ORDER BY score DESC, reached_at, member_id) AS position FROM period_points "
                  "WHERE kind = :k AND period_start = :s").format(
            rank="rank() OVER (ORDER BY score DESC)"
            if self.settings.leaderboard_ranks == "COMPETITION"
            else "row_number() OVER (ORDER BY score DESC, reached_at, member_id)")
        async with self._uow_factory() as uow:
            size = int(await uow.session.scalar(text(
                "SELECT count(*) FROM period_points WHERE kind = :k AND period_start = :s"),
                params) or 0)
            if around_member is not None:
                mine = await uow.session.scalar(text(
                    f"SELECT position FROM ({ranked}) r WHERE member_id = :m"),
                    {**params, "m": around_member})
                if mine is None:
                    return BoardView(kind, None, period, False, [], -1, size)
                k = self.settings.leaderboard_around_me
                offset, count = max(int(mine) - 1 - k, 0), 2 * k + 1
            rows = (await uow.session.execute(text(
                f"SELECT member_id, score, rank FROM ({ranked}) r ORDER BY position "
                "OFFSET :o LIMIT :n"), {**params, "o": offset, "n": count})).all()
        entries = [BoardEntry(int(r.rank), int(r.member_id), int(r.score)) for r in rows]
        return BoardView(kind, None, period, False, entries, offset, size)

    async def rank_of(self, kind: BoardKind, member_id: int,
                      challenge_id: int | None = None) -> int | None:
        period = period_of(kind, self.today())
        return await self.boards.rank_of(board_of(kind, period, challenge_id), member_id)

    # --- rebuild ------------------------------------------------------------------------

    async def rebuild(self) -> dict[str, int]:
        """Every current board recomputed from PostgreSQL (`rally rebuild-leaderboards`)."""
        today = self.today()
        built: dict[str, int] = {}
        async with self._uow_factory() as uow:
            all_time = (await uow.session.execute(text(
                "SELECT member_id, lifetime, reached_at, version FROM member_points "
                "WHERE version > 0"))).all()
            periods = {}
            for kind in PERIODIC:
                period = period_of(kind, today)
                periods[kind] = (period, (await uow.session.execute(text(
                    "SELECT p.member_id, p.score, p.reached_at, m.version FROM period_points p "
                    "JOIN member_points m USING (member_id) WHERE p.kind = :k AND "
                    "p.period_start = :s"), {"k": kind.value, "s": period.start})).all())
            challenges = (await uow.session.execute(text(
                "SELECT challenge_id, member_id, score, reached_at, version "
                "FROM challenge_scores ORDER BY challenge_id"))).all()
        await self.boards.replace(board_of(BoardKind.ALL_TIME), [_row(r) for r in all_time])
        built["ALL_TIME"] = len(all_time)
        for kind, (period, rows) in periods.items():
            await self.boards.replace(board_of(kind, period), [_row(r) for r in rows],
                                      _period_ttl(self.settings))
            built[kind.value] = len(rows)
        by_challenge: dict[int, list[tuple[int, int, datetime, int]]] = {}
        for r in challenges:
            by_challenge.setdefault(r.challenge_id, []).append(
                (r.member_id, r.score, r.reached_at, r.version))
        for challenge_id, scores in by_challenge.items():
            await self.boards.replace(board_of(BoardKind.CHALLENGE, None, challenge_id), scores)
        built["CHALLENGE"] = len(by_challenge)
        self.forget_cached_pages()
        return built

    # --- finished weekly boards -----------------------------------------------------------

    async def close_finished_weeks(self, weeks_back: int = 2) -> list[date]:
        """Reward the top N of each finished week not rewarded yet (idempotent)."""
        this_week = period_of(BoardKind.WEEKLY, self.today()).start
        assert this_week is not None
        closed = []
        for back in range(weeks_back, 0, -1):
            start = this_week - timedelta(days=7 * back)
            if await self.close_week(start):
                closed.append(start)
        return closed

    async def close_week(self, start: date) -> bool:
        points = self.settings.weekly_top_points
        top_n = self.settings.weekly_top_rewarded
        async with self._uow_factory() as uow:
            claimed = (await uow.session.execute(text(
                "INSERT INTO leaderboard_closings (kind, period_start, rewarded) "
                "VALUES ('WEEKLY', :s, 0) ON CONFLICT DO NOTHING RETURNING period_start"),
                {"s": start})).first()
            if claimed is None:
                return False
            rows = (await uow.session.execute(text(
                "SELECT member_id, rank FROM (SELECT member_id, score, rank() OVER "
                "(ORDER BY score DESC) AS rank FROM period_points WHERE kind = 'WEEKLY' AND "
                "period_start = :s AND score > 0) r WHERE rank <= :n ORDER BY rank"),
                {"s": start, "n": top_n})).all()
            for r in rows:
                amount = points[min(r.rank, len(points)) - 1] if points else 0
                await award(uow, r.member_id, amount, EntryReason.WEEKLY_TOP.value,
                            Source("WEEKLY_BOARD", None), f"WEEKLY_TOP:{start}:{r.member_id}",
                            note=f"rank {r.rank} of the week of {start}", to_reward=False)
                await bump_counter(uow, r.member_id, "weekly_top10", to_reward=False)
            await uow.session.execute(text(
                "UPDATE leaderboard_closings SET rewarded = :n WHERE kind = 'WEEKLY' AND "
                "period_start = :s"), {"n": len(rows), "s": start})
            await uow.commit()
        return True
