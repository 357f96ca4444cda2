"""Who an offer is for: a saved segment and/or inline rules, checked for one member in one
query with the same predicates as `segmentSize` (challenges, grants)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.personalization.rules import SegmentRule
from domain.personalization.segments import compile_rules, is_member_in_segment
from rally.settings import Settings


async def member_matches(session: AsyncSession, member_id: int, rules: list[SegmentRule],
                         segment_id: int | None, settings: Settings, now: datetime) -> bool:
    if segment_id is not None and not await is_member_in_segment(session, segment_id, member_id,
                                                                 settings):
        return False
    if not rules:
        return True
    where, params = compile_rules(rules, settings, now)
    found = await session.scalar(
        text(f"SELECT EXISTS (SELECT 1 FROM members m WHERE m.id = :member_id AND {where})"),
        {**params, "member_id": member_id})
    return bool(found)
