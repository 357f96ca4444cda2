"""Audience segments for marketers, compiled to ONE SQL query over `members m`.

Each rule kind has a small predicate builder in `PREDICATES`; a segment is the AND of its
rules' predicates. Areas that own the data behind a rule (gamification: levels, badges)
plug their builder in with `@predicate(kind)`. Challenges, coupon grants and experiments
target a segment with `members_in_segment` / `is_member_in_segment` inside their own unit
of work (pass `uow.settings`; without it the process settings apply).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit.service import record as audit
from domain.pagination import Page, PageRequest, keyset_page
from domain.personalization.models import Segment
from domain.personalization.rules import SegmentRule, SegmentRuleKind, check_segment
from domain.privacy.service import Purpose, default_for
from rally.clock import brand_day
from rally.errors import Conflict, InvalidInput, NotFound
from rally.settings import Settings, get_settings
from rally.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class Compiling:
    """What a predicate builder may use: settings, the brand day, a unique parameter prefix."""

    settings: Settings
    today: date
    prefix: str


PredicateBuilder = Callable[[Any, Compiling], tuple[str, dict[str, Any]]]
PREDICATES: dict[SegmentRuleKind, PredicateBuilder] = {}


def predicate(kind: SegmentRuleKind) -> Callable[[PredicateBuilder], PredicateBuilder]:
    def register(builder: PredicateBuilder) -> PredicateBuilder:
        PREDICATES[kind] = builder
        return builder

    return register


@predicate(SegmentRuleKind.INTEREST)
def _interest(tag: str, c: Compiling) -> tuple[str, dict[str, Any]]:
    p = c.prefix
    # Only members who allow personalization are targeted by what it inferred about them.
    sql = f"""(EXISTS (SELECT 1 FROM member_interests i WHERE i.member_id = m.id
                 AND i.tag = :{p}_tag AND (i.source = 'EXPLICIT' OR i.score * power(0.5,
                 extract(epoch FROM now() - i.scored_at) / :{p}_half_life) >= :{p}_min))
              AND NOT m.personalization_opt_out
              AND COALESCE((SELECT c.granted FROM member_consents c WHERE c.member_id = m.id
                            AND c.purpose = 'PERSONALIZATION'), :{p}_default))"""
    s = c.settings
    return sql, {f"{p}_tag": tag, f"{p}_half_life": s.interest_half_life_days * 86400,
                 f"{p}_min": s.segment_interest_min_weight,
                 f"{p}_default": default_for(s, Purpose.PERSONALIZATION)}


@predicate(SegmentRuleKind.ACTIVE_WITHIN_DAYS)
def _active(days: int, c: Compiling) -> tuple[str, dict[str, Any]]:
    # Activity days are recorded for members with analytics consent only (analytics rollups).
    return (f"EXISTS (SELECT 1 FROM member_activity_days a WHERE a.member_id = m.id"
            f" AND a.day >= :{c.prefix}_since)",
            {f"{c.prefix}_since": c.today - timedelta(days=days - 1)})


@predicate(SegmentRuleKind.JOINED_AFTER)
def _joined(moment: datetime, c: Compiling) -> tuple[str, dict[str, Any]]:
    return f"m.created_at > :{c.prefix}_at", {f"{c.prefix}_at": moment}


@predicate(SegmentRuleKind.REGION)
def _region(region: str, c: Compiling) -> tuple[str, dict[str, Any]]:
    return f"lower(m.region) = lower(:{c.prefix}_region)", {f"{c.prefix}_region": region}


def compile_rules(rules: list[SegmentRule], settings: Settings, now: datetime) -> tuple[str, dict[str, Any]]:
    """The WHERE clause over `members m` selecting the segment, and its parameters."""
    today = brand_day(now, settings.tz)
    clauses = ["m.status IN ('ACTIVE', 'SUSPENDED')"]
    params: dict[str, Any] = {}
    for index, rule in enumerate(rules):
        builder = PREDICATES.get(rule.kind)
        if builder is None:
            raise InvalidInput(f"rule {index}: {rule.kind.value} rules are not available",
                               field=f"rules.{index}")
        sql, values = builder(rule.value, Compiling(settings, today, f"r{index}"))
        clauses.append(sql)
        params.update(values)
    return " AND ".join(clauses), params


async def _compiled(session: AsyncSession, segment_id: int, settings: Settings | None
                    ) -> tuple[str, dict[str, Any]]:
    settings = settings or get_settings()
    stored = await session.scalar(select(Segment.rules).where(Segment.id == segment_id))
    if stored is None:
        raise NotFound("segment not found", id=segment_id)
    now = (await session.execute(text("SELECT now()"))).scalar_one()
    return compile_rules([SegmentRule.from_json(r) for r in stored], settings, now)


async def members_in_segment(session: AsyncSession, segment_id: int,
                             settings: Settings | None = None) -> list[int]:
    """Ids of the segment's members now, ascending."""
    where, params = await _compiled(session, segment_id, settings)
    rows = await session.execute(text(f"SELECT m.id FROM members m WHERE {where} ORDER BY m.id"),
                                 params)
    return list(rows.scalars())


async def is_member_in_segment(session: AsyncSession, segment_id: int, member_id: int,
                               settings: Settings | None = None) -> bool:
    where, params = await _compiled(session, segment_id, settings)
    found = await session.scalar(
        text(f"SELECT EXISTS (SELECT 1 FROM members m WHERE m.id = :member_id AND {where})"),
        {**params, "member_id": member_id})
    return bool(found)


async def segment_size(session: AsyncSession, segment_id: int,
                       settings: Settings | None = None) -> int:
    where, params = await _compiled(session, segment_id, settings)
    return int(await session.scalar(text(f"SELECT count(*) FROM members m WHERE {where}"), params)
               or 0)


RuleCheck = Callable[[AsyncSession, Any, int], Awaitable[None]]
RULE_CHECKS: dict[SegmentRuleKind, RuleCheck] = {}


def rule_check(kind: SegmentRuleKind) -> Callable[[RuleCheck], RuleCheck]:
    """Register a check of a rule's value against the data (an unknown tag, a missing badge)."""
    def register(check: RuleCheck) -> RuleCheck:
        RULE_CHECKS[kind] = check
        return check

    return register


# A tag is known when a post carries it, a member follows it, or a member holds it as an interest.
_KNOWN_TAG = text("""
SELECT EXISTS (SELECT 1 FROM member_interests i WHERE i.tag = :t)
    OR EXISTS (SELECT 1 FROM topic_follows f WHERE f.topic = :t)
    OR EXISTS (SELECT 1 FROM posts p WHERE p.topics @> ARRAY[CAST(:t AS varchar)])""")


@rule_check(SegmentRuleKind.INTEREST)
async def _known_tag(session: AsyncSession, tag: str, index: int) -> None:
    if not await session.scalar(_KNOWN_TAG, {"t": tag}):
        raise InvalidInput(f"rule {index}: no member or post uses the tag {tag!r}",
                           field=f"rules.{index}", tag=tag)


class SegmentService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow = uow_factory

    async def create(self, actor_id: int, name: str, rules: list[SegmentRule]) -> Segment:
        settings = self._uow.settings
        name, rules = check_segment(name, rules, settings)
        compile_rules(rules, settings, datetime.now().astimezone())  # refuses unavailable kinds
        async with self._uow() as uow:
            for index, rule in enumerate(rules):
                check = RULE_CHECKS.get(rule.kind)
                if check is not None:
                    await check(uow.session, rule.value, index)
            if await uow.session.scalar(select(Segment.id).where(Segment.name == name)):
                raise Conflict("a segment with this name exists", field="name")
            segment = Segment(name=name, rules=[r.to_json() for r in rules], created_by=actor_id)
            uow.session.add(segment)
            try:
                await uow.session.flush()
            except IntegrityError as exc:
                raise Conflict("a segment with this name exists", field="name") from exc
            await audit(uow, actor_id=actor_id, action="CREATE_SEGMENT", target_type="SEGMENT",
                        target_id=segment.id, after={"name": name, "rules": segment.rules})
            await uow.commit()
        return segment

    async def get(self, segment_id: int) -> Segment:
        async with self._uow() as uow:
            segment = await uow.session.get(Segment, segment_id)
        if segment is None:
            raise NotFound("segment not found", id=segment_id)
        return segment

    async def page(self, page: PageRequest) -> Page[Segment]:
        async with self._uow() as uow:
            return await keyset_page(uow.session, select(Segment), Segment.id, page)

    async def size(self, segment_id: int) -> int:
        async with self._uow() as uow:
            return await segment_size(uow.session, segment_id, uow.settings)

    async def members(self, segment_id: int) -> list[int]:
        async with self._uow() as uow:
            return await members_in_segment(uow.session, segment_id, uow.settings)

    async def contains(self, segment_id: int, member_id: int) -> bool:
        async with self._uow() as uow:
            return await is_member_in_segment(uow.session, segment_id, member_id, uow.settings)
