"""GraphQL types of personalization: interests and segments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.relay import Node, node_type, to_global_id
from domain.members.models import Role
from domain.personalization.interests import Interest as InterestValue
from domain.personalization.models import InterestSource
from domain.personalization.rules import SegmentRule as SegmentRuleValue
from domain.personalization.rules import SegmentRuleKind
from rally.errors import NotFound

InterestSourceEnum = strawberry.enum(
    InterestSource, name="InterestSource",
    description="EXPLICIT: declared in updateProfile; INFERRED: learnt from behaviour.")
SegmentRuleKindEnum = strawberry.enum(SegmentRuleKind, name="SegmentRuleKind")


@strawberry.type(description="A topic the member cares about. Inferred weights decay over time "
                             "(they halve every `interestHalfLifeDays`, 14 by default).")
class Interest:
    tag: str
    weight: float
    source: InterestSourceEnum  # type: ignore[valid-type]

    @classmethod
    def from_domain(cls, value: InterestValue) -> Interest:
        return cls(tag=value.tag, weight=value.weight, source=value.source)


@strawberry.type(description="One condition of a segment.")
class SegmentRule:
    kind: SegmentRuleKindEnum  # type: ignore[valid-type]
    level_at_least: int | None = None
    interest: str | None = None
    active_within_days: int | None = None
    joined_after: datetime | None = None
    badge_id: strawberry.ID | None = None
    region: str | None = None

    @classmethod
    def from_domain(cls, rule: SegmentRuleValue) -> SegmentRule:
        kind, value = rule.kind, rule.value
        fields: dict[str, Any] = {
            SegmentRuleKind.LEVEL_AT_LEAST: {"level_at_least": value},
            SegmentRuleKind.INTEREST: {"interest": value},
            SegmentRuleKind.ACTIVE_WITHIN_DAYS: {"active_within_days": value},
            SegmentRuleKind.JOINED_AFTER: {"joined_after": value},
            SegmentRuleKind.HAS_BADGE: {"badge_id": strawberry.ID(to_global_id("Badge", value))},
            SegmentRuleKind.REGION: {"region": value},
        }[kind]
        return cls(kind=kind, **fields)


@strawberry.type(description="An audience: the members matching every rule, evaluated when asked.")
class Segment(Node):
    id: strawberry.ID
    name: str
    rules: list[SegmentRule]
    created_at: datetime
    segment_id: strawberry.Private[int]

    @strawberry.field(description="How many members match now (MARKETER).")
    async def size(self, info: Info) -> int:
        info.context.require_role(Role.MARKETER)
        return await info.context.services.segments.size(self.segment_id)

    @classmethod
    def from_row(cls, row: Any) -> Segment:
        return cls(id=strawberry.ID(to_global_id("Segment", row.id)), name=row.name,
                   rules=[SegmentRule.from_domain(SegmentRuleValue.from_json(r)) for r in row.rules],
                   created_at=row.created_at, segment_id=row.id)


@node_type("Segment")
async def load_segment(context: Any, pk: int) -> Segment | None:
    if not context.has_role(Role.MARKETER):
        return None
    try:
        return Segment.from_row(await context.services.segments.get(pk))
    except NotFound:
        return None
