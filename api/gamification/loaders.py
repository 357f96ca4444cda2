"""Batch loaders of gamification: one query per batch."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from api.loaders import batch_loader
from gamification.models import Badge, MemberPoints

if TYPE_CHECKING:
    from api.container import Container

_POINTS_COLUMNS = ", ".join(c.name for c in MemberPoints.__table__.columns)
_BADGE_COLUMNS = ", ".join(c.name for c in Badge.__table__.columns)


@batch_loader("member_points_by_id")
async def member_points_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(
        f"SELECT {_POINTS_COLUMNS} FROM member_points WHERE member_id = ANY($1::bigint[])",
        list(ids))
    by_id = {row["member_id"]: SimpleNamespace(**row) for row in rows}
    return [by_id.get(i) for i in ids]


@batch_loader("badges_by_id")
async def badges_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(
        f"SELECT {_BADGE_COLUMNS} FROM badges WHERE id = ANY($1::bigint[])", list(ids))
    by_id = {row["id"]: SimpleNamespace(**row) for row in rows}
    return [by_id.get(i) for i in ids]


@batch_loader("badge_holder_counts")
async def badge_holder_counts(container: Container, ids: Sequence[int]) -> list[int]:
    rows = await container.fetch(
        "SELECT badge_id, count(DISTINCT member_id) AS n FROM member_badges "
        "WHERE badge_id = ANY($1::bigint[]) GROUP BY badge_id", list(ids))
    by_id = {row["badge_id"]: row["n"] for row in rows}
    return [int(by_id.get(i, 0)) for i in ids]


@batch_loader("member_badges_by_member")
async def member_badges_by_member(container: Container, ids: Sequence[int]) -> list[list[Any]]:
    rows = await container.fetch(
        "SELECT member_id, badge_id, tier, awarded_at FROM member_badges "
        "WHERE member_id = ANY($1::bigint[]) ORDER BY awarded_at, badge_id, tier", list(ids))
    held: dict[int, list[Any]] = {i: [] for i in ids}
    for row in rows:
        held[row["member_id"]].append(SimpleNamespace(**row))
    return [held[i] for i in ids]
