"""Counter moves on posts and comments: one atomic UPDATE each, never read-modify-write."""

from __future__ import annotations

from sqlalchemy import text

from domain.community.models import ReactionKind, TargetType
from domain.community.ranking import hot_score_sql
from rally.uow import UnitOfWork

_TABLES = {TargetType.POST: "posts", TargetType.COMMENT: "comments"}


def _kinds_sql(deltas: dict[ReactionKind, int]) -> str:
    pairs = ", ".join(
        f"'{kind.value}', coalesce((reaction_counts->>'{kind.value}')::int, 0) + ({delta})"
        for kind, delta in deltas.items())
    return f"reaction_counts || jsonb_build_object({pairs})"


async def move_reactions(uow: UnitOfWork, target_type: TargetType, target_id: int,
                         deltas: dict[ReactionKind, int]) -> None:
    """Apply per-kind deltas (and their sum to the total) to one target's counters."""
    total = sum(deltas.values())
    sets = [f"reaction_count = reaction_count + ({total})", f"reaction_counts = {_kinds_sql(deltas)}"]
    if target_type is TargetType.POST and total:
        sets.append("hot_score = " + hot_score_sql(reactions=f"reaction_count + ({total})"))
    await uow.session.execute(
        text(f"UPDATE {_TABLES[target_type]} SET {', '.join(sets)} WHERE id = :id"),
        {"id": target_id})


async def move_comments(uow: UnitOfWork, post_id: int, delta: int,
                        parent_id: int | None = None) -> None:
    if not delta:
        return
    await uow.session.execute(text(
        "UPDATE posts SET comment_count = comment_count + (:d), hot_score = "
        + hot_score_sql(comments="comment_count + (:d)") + " WHERE id = :id"),
        {"d": delta, "id": post_id})
    if parent_id is not None:
        await uow.session.execute(
            text("UPDATE comments SET reply_count = reply_count + (:d) WHERE id = :id"),
            {"d": delta, "id": parent_id})


async def add_share(uow: UnitOfWork, post_id: int) -> None:
    await uow.session.execute(text(
        "UPDATE posts SET share_count = share_count + 1, hot_score = "
        + hot_score_sql(shares="share_count + 1") + " WHERE id = :id"), {"id": post_id})
