"""Segments over GraphQL (MARKETER): thin resolvers over SegmentService."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.permissions import requires
from api.personalization.types import Segment
from api.relay import Connection, decode_id, page_request
from domain.members.models import Role
from domain.personalization.rules import SegmentRule, SegmentRuleKind
from rally.errors import InvalidInput

MARKETERS = requires(Role.MARKETER)


@strawberry.input(description="Exactly one condition per rule; a segment matches all its rules.")
class SegmentRuleInput:
    level_at_least: int | None = None
    interest: str | None = strawberry.field(default=None, description="An interest tag.")
    active_within_days: int | None = None
    joined_after: datetime | None = None
    badge_id: strawberry.ID | None = None
    region: str | None = None

    def to_domain(self, index: int) -> SegmentRule:
        given = [(kind, value) for kind, value in (
            (SegmentRuleKind.LEVEL_AT_LEAST, self.level_at_least),
            (SegmentRuleKind.INTEREST, self.interest),
            (SegmentRuleKind.ACTIVE_WITHIN_DAYS, self.active_within_days),
            (SegmentRuleKind.JOINED_AFTER, self.joined_after),
            (SegmentRuleKind.HAS_BADGE, self.badge_id),
            (SegmentRuleKind.REGION, self.region),
        ) if value is not None]
        if len(given) != 1:
            raise InvalidInput(f"rule {index}: set exactly one condition", field=f"rules.{index}")
        kind, value = given[0]
        if kind is SegmentRuleKind.HAS_BADGE:
            value = decode_id(str(value), "Badge")
        return SegmentRule(kind, value)


@strawberry.input
class CreateSegmentInput:
    name: str
    rules: list[SegmentRuleInput]


@strawberry.type
class SegmentPayload:
    segment: Segment


@strawberry.type
class SegmentQueries:
    @strawberry.field(permission_classes=[MARKETERS])
    async def segments(self, info: Info, first: int | None = None,
                       after: str | None = None) -> Connection[Segment]:
        page = await info.context.services.segments.page(page_request(info.context, first, after))
        return Connection.from_page(page, Segment.from_row, lambda row: (row.id,))

    @strawberry.field(permission_classes=[MARKETERS])
    async def segment(self, info: Info, id: strawberry.ID) -> Segment:
        return Segment.from_row(await info.context.services.segments.get(decode_id(id, "Segment")))

    @strawberry.field(permission_classes=[MARKETERS],
                      description="How many members the segment holds now.")
    async def segment_size(self, info: Info, id: strawberry.ID) -> int:
        return await info.context.services.segments.size(decode_id(id, "Segment"))


@strawberry.type
class SegmentMutations:
    @strawberry.mutation(permission_classes=[MARKETERS])
    async def create_segment(self, info: Info, input: CreateSegmentInput) -> SegmentPayload:
        rules = [rule.to_domain(i) for i, rule in enumerate(input.rules)]
        segment = await info.context.services.segments.create(
            info.context.require_member().member_id, input.name, rules)
        return SegmentPayload(segment=Segment.from_row(segment))
