"""Feedback: any member submits; moderators and marketers read it and move its status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.members.types import User, user_by_id
from api.permissions import Authenticated, requires
from api.relay import Connection, Node, decode_id, decode_typed_id, page_request, to_global_id
from domain.analytics.rules import TRACKABLE_TYPES
from domain.feedback.service import FeedbackKind, FeedbackStatus
from domain.members.models import Role

FeedbackKindEnum = strawberry.enum(FeedbackKind, name="FeedbackKind")
FeedbackStatusEnum = strawberry.enum(FeedbackStatus, name="FeedbackStatus")


@strawberry.type(description="A member's feedback; visible to moderators and marketers.")
class Feedback(Node):
    id: strawberry.ID
    kind: FeedbackKindEnum  # type: ignore[valid-type]
    score: int | None
    text: str | None
    target_id: strawberry.ID | None
    status: FeedbackStatusEnum  # type: ignore[valid-type]
    status_changed_at: datetime | None
    created_at: datetime
    member_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> Feedback:
        target = (strawberry.ID(to_global_id(row.target_type, row.target_id))
                  if row.target_type else None)
        return cls(id=strawberry.ID(to_global_id("Feedback", row.id)), kind=FeedbackKind(row.kind),
                   score=row.score, text=row.text, target_id=target,
                   status=FeedbackStatus(row.status), status_changed_at=row.status_changed_at,
                   created_at=row.created_at, member_id=row.member_id)

    @strawberry.field
    async def author(self, info: Info) -> User | None:
        return await user_by_id(info, self.member_id)


@strawberry.input
class SubmitFeedbackInput:
    kind: FeedbackKindEnum  # type: ignore[valid-type]
    score: int | None = strawberry.field(default=None, description="0–10, required for NPS only.")
    text: str | None = None
    target_id: strawberry.ID | None = None


@strawberry.type
class FeedbackPayload:
    feedback: Feedback


@strawberry.input
class SetFeedbackStatusInput:
    feedback_id: strawberry.ID
    status: FeedbackStatusEnum  # type: ignore[valid-type]


@strawberry.type
class FeedbackQueries:
    @strawberry.field(permission_classes=[requires(Role.MODERATOR, Role.MARKETER)],
                      description="Newest first, optionally of one status and kind.")
    async def feedback(self, info: Info, first: int | None = None, after: str | None = None,
                       status: FeedbackStatusEnum | None = None,  # type: ignore[valid-type]
                       kind: FeedbackKindEnum | None = None,  # type: ignore[valid-type]
                       ) -> Connection[Feedback]:
        page = await info.context.services.feedback.list(
            page_request(info.context, first, after),
            FeedbackStatus(status) if status else None, FeedbackKind(kind) if kind else None)
        return Connection.from_page(page, Feedback.from_row, lambda row: (row.id,))


@strawberry.type
class FeedbackMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def submit_feedback(self, info: Info, input: SubmitFeedbackInput) -> FeedbackPayload:
        target = decode_typed_id(input.target_id, *TRACKABLE_TYPES) if input.target_id else None
        row = await info.context.services.feedback.submit(
            info.context.require_member().member_id, FeedbackKind(input.kind), input.score,
            input.text, target)
        return FeedbackPayload(feedback=Feedback.from_row(row))

    @strawberry.mutation(permission_classes=[requires(Role.MODERATOR, Role.MARKETER)])
    async def set_feedback_status(self, info: Info, input: SetFeedbackStatusInput) -> FeedbackPayload:
        row = await info.context.services.feedback.set_status(
            info.context.require_member().member_id, decode_id(input.feedback_id, "Feedback"),
            FeedbackStatus(input.status))
        return FeedbackPayload(feedback=Feedback.from_row(row))
