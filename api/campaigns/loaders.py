"""Batch loaders of campaigns: one query per batch on the read pool."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from api.loaders import batch_loader

if TYPE_CHECKING:
    from api.container import Container


@batch_loader("prizes_by_game")
async def prizes_by_game(container: Container, game_ids: Sequence[int]) -> list[list[Any]]:
    rows = await container.fetch(
        "SELECT id, game_id, position, name, weight, min_score, points, coupon_campaign_id,"
        " stock, CASE WHEN stock IS NOT NULL THEN (SELECT coalesce(sum(remaining), 0)"
        "  FROM mini_game_prize_stock s WHERE s.prize_id = p.id) END AS remaining"
        " FROM mini_game_prizes p WHERE game_id = ANY($1::bigint[])"
        " ORDER BY game_id, position", list(game_ids))
    by_game: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_game[row["game_id"]].append(SimpleNamespace(**row))
    return [by_game.get(g, []) for g in game_ids]


@batch_loader("my_challenge_progress")
async def my_challenge_progress(container: Container, keys: Sequence[tuple[int, int]]
                                ) -> list[Any]:
    """(challenge id, member id) → the participant row or None."""
    rows = await container.fetch(
        "SELECT p.challenge_id, p.member_id, p.progress, p.joined_at, p.reached_at,"
        " p.completed_at, c.target FROM challenge_participants p"
        " JOIN challenges c ON c.id = p.challenge_id"
        " WHERE (p.challenge_id, p.member_id) IN"
        " (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
        [k[0] for k in keys], [k[1] for k in keys])
    found = {(r["challenge_id"], r["member_id"]): SimpleNamespace(**r) for r in rows}
    return [found.get(tuple(k)) for k in keys]  # type: ignore[arg-type]


@batch_loader("poll_options_by_poll")
async def poll_options_by_poll(container: Container, poll_ids: Sequence[int]) -> list[list[Any]]:
    rows = await container.fetch(
        "SELECT id, poll_id, position, label, votes FROM poll_options"
        " WHERE poll_id = ANY($1::bigint[]) ORDER BY poll_id, position", list(poll_ids))
    by_poll: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_poll[row["poll_id"]].append(SimpleNamespace(**row))
    return [by_poll.get(p, []) for p in poll_ids]


@batch_loader("my_poll_vote")
async def my_poll_vote(container: Container, keys: Sequence[tuple[int, int]]) -> list[Any]:
    """(poll id, member id) → the chosen option id or None."""
    rows = await container.fetch(
        "SELECT poll_id, member_id, option_id FROM poll_votes WHERE (poll_id, member_id) IN"
        " (SELECT * FROM unnest($1::bigint[], $2::bigint[]))",
        [k[0] for k in keys], [k[1] for k in keys])
    found = {(r["poll_id"], r["member_id"]): r["option_id"] for r in rows}
    return [found.get(tuple(k)) for k in keys]  # type: ignore[arg-type]
