"""Level and badge rules of marketers' segments, over gamification's tables.

Plugged into personalization's predicate registry (imported by the composition root).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.personalization.rules import SegmentRuleKind
from domain.personalization.segments import Compiling, predicate, rule_check
from rally.errors import InvalidInput


@predicate(SegmentRuleKind.LEVEL_AT_LEAST)
def level_at_least(level: int, c: Compiling) -> tuple[str, dict[str, Any]]:
    # A member who never earned a point has no member_points row: he is level 1.
    return (f"COALESCE((SELECT mp.level FROM member_points mp WHERE mp.member_id = m.id), 1)"
            f" >= :{c.prefix}_level", {f"{c.prefix}_level": level})


@predicate(SegmentRuleKind.HAS_BADGE)
def has_badge(badge_id: int, c: Compiling) -> tuple[str, dict[str, Any]]:
    return (f"EXISTS (SELECT 1 FROM member_badges mb WHERE mb.member_id = m.id"
            f" AND mb.badge_id = :{c.prefix}_badge)", {f"{c.prefix}_badge": badge_id})


@rule_check(SegmentRuleKind.HAS_BADGE)
async def known_badge(session: AsyncSession, badge_id: int, index: int) -> None:
    if not await session.scalar(text("SELECT EXISTS (SELECT 1 FROM badges WHERE id = :id)"),
                                {"id": badge_id}):
        raise InvalidInput(f"rule {index}: no such badge", field=f"rules.{index}")
