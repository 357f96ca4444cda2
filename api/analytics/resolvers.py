"""Behaviour tracking (members) and engagement reports (MARKETER, ADMIN)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from api.analytics.types import EngagementMetrics, EventKindEnum, GranularityEnum
from api.permissions import Authenticated, requires
from api.relay import decode_typed_id
from domain.analytics.metrics import Granularity, report_csv
from domain.analytics.rules import TRACKABLE_TYPES, EventKind, TrackedEvent, check_batch_size
from domain.members.models import Role
from rally.errors import InvalidInput


@strawberry.input
class TrackedEventInput:
    client_event_id: str = strawberry.field(
        description="Unique per member; a repeat is ignored, so batches can be retried.")
    kind: EventKindEnum  # type: ignore[valid-type]
    occurred_at: datetime
    target_id: strawberry.ID | None = None
    duration_ms: int | None = None
    context: JSON | None = strawberry.field(default=None, description="A small JSON object.")


@strawberry.input
class TrackEventsInput:
    events: list[TrackedEventInput]
    idempotency_key: str | None = None


@strawberry.type
class TrackEventsPayload:
    accepted: int = strawberry.field(description="Events stored by this call.")
    duplicates: int = strawberry.field(description="Events already stored (same clientEventId).")
    consent_withheld: bool = strawberry.field(
        description="True when nothing was stored because analytics consent is withdrawn.")


def _to_domain(index: int, e: TrackedEventInput) -> TrackedEvent:
    target_type, target_id = None, None
    if e.target_id is not None:
        try:
            target_type, target_id = decode_typed_id(e.target_id, *TRACKABLE_TYPES)
        except InvalidInput as error:
            raise InvalidInput(f"event {index}: {error.message}", field=f"events.{index}.targetId",
                               index=index) from error
    if e.context is not None and not isinstance(e.context, dict):
        raise InvalidInput(f"event {index}: context must be an object",
                           field=f"events.{index}.context", index=index)
    return TrackedEvent(client_event_id=e.client_event_id, kind=EventKind(e.kind),
                        target_type=target_type, target_id=target_id, duration_ms=e.duration_ms,
                        occurred_at=e.occurred_at, context=e.context)


@strawberry.type
class AnalyticsMutations:
    @strawberry.mutation(permission_classes=[Authenticated],
                         description="Up to 100 behaviour events. Stored only with analytics consent.")
    async def track_events(self, info: Info, input: TrackEventsInput) -> TrackEventsPayload:
        ctx = info.context
        check_batch_size(len(input.events), ctx.settings)  # before decoding a huge list
        events = [_to_domain(i, e) for i, e in enumerate(input.events)]
        result = await ctx.services.tracking.track(
            ctx.require_member().member_id, events, input.idempotency_key)
        return TrackEventsPayload(accepted=result.accepted, duplicates=result.duplicates,
                                  consent_withheld=result.consent_withheld)


@strawberry.type
class AnalyticsQueries:
    @strawberry.field(permission_classes=[requires(Role.MARKETER)],
                      description="From maintained rollups; at most one year. MARKETER and ADMIN.")
    async def engagement_metrics(self, info: Info, from_: Annotated[date, strawberry.argument(name="from")],
                                 to: date,
                                 granularity: GranularityEnum = Granularity.DAY,  # type: ignore[valid-type]
                                 ) -> EngagementMetrics:
        report = await info.context.services.engagement.report(from_, to, Granularity(granularity))
        return EngagementMetrics.from_domain(report)

    @strawberry.field(permission_classes=[requires(Role.MARKETER)],
                      description="The same report as CSV text (series rows, then cohort rows).")
    async def engagement_metrics_csv(self, info: Info,
                                     from_: Annotated[date, strawberry.argument(name="from")],
                                     to: date,
                                     granularity: GranularityEnum = Granularity.DAY,  # type: ignore[valid-type]
                                     ) -> str:
        report = await info.context.services.engagement.report(from_, to, Granularity(granularity))
        return report_csv(report)
