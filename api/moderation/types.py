"""Keyword rules and moderation cases as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from api.community.types import Comment, Post, load_comment, load_post
from api.members.types import User, user_by_id
from api.relay import Node, to_global_id
from domain.moderation.models import CaseStatus, ModerationAction, RuleAction

RuleActionEnum = strawberry.enum(RuleAction, name="KeywordRuleAction", description=(
    "BLOCK: refused. REVIEW: stored PENDING until approved. MASK: the words become *."))
CaseStatusEnum = strawberry.enum(CaseStatus, name="ModerationCaseStatus")
ModerationActionEnum = strawberry.enum(ModerationAction, name="ModerationAction")


@strawberry.type
class KeywordRule(Node):
    id: strawberry.ID
    keyword: str
    normalized: str = strawberry.field(description="What is matched (NFKC, case-folded, "
                                                   "letters and digits only).")
    action: RuleActionEnum  # type: ignore[valid-type]
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> KeywordRule:
        return cls(id=strawberry.ID(to_global_id("KeywordRule", row.id)), keyword=row.keyword,
                   normalized=row.normalized, action=RuleAction(row.action),
                   created_at=row.created_at)


@strawberry.type
class Report:
    reason: str
    note: str | None
    created_at: datetime
    reporter_id: strawberry.Private[int]

    @strawberry.field
    async def reporter(self, info: Info) -> User | None:
        return await user_by_id(info, self.reporter_id)


@strawberry.type(description="Reports and flags gathered on one post or comment.")
class ModerationCase(Node):
    id: strawberry.ID
    target_type: str
    target_id: strawberry.ID
    status: CaseStatusEnum  # type: ignore[valid-type]
    source: str = strawberry.field(description="REPORTS or KEYWORD.")
    reporter_count: int
    reasons: list[str]
    resolution: ModerationActionEnum | None  # type: ignore[valid-type]
    note: str | None
    created_at: datetime
    resolved_at: datetime | None
    reports: list[Report]
    target_pk: strawberry.Private[int]
    owner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any, reports: list[Any]) -> ModerationCase:
        name = "Post" if row.target_type == "POST" else "Comment"
        return cls(id=strawberry.ID(to_global_id("ModerationCase", row.id)),
                   target_type=row.target_type,
                   target_id=strawberry.ID(to_global_id(name, row.target_id)),
                   status=CaseStatus(row.status), source=row.source,
                   reporter_count=row.report_count, reasons=list(row.reasons),
                   resolution=ModerationAction(row.resolution) if row.resolution else None,
                   note=row.note, created_at=row.created_at, resolved_at=row.resolved_at,
                   reports=[Report(reason=r.reason, note=r.note, created_at=r.created_at,
                                   reporter_id=r.reporter_id) for r in reports],
                   target_pk=row.target_id, owner_id=row.owner_id)

    @strawberry.field(description="The reported post (null when the case is about a comment).")
    async def post(self, info: Info) -> Post | None:
        return await load_post(info.context, self.target_pk) if self.target_type == "POST" else None

    @strawberry.field
    async def comment(self, info: Info) -> Comment | None:
        if self.target_type != "COMMENT":
            return None
        return await load_comment(info.context, self.target_pk)

    @strawberry.field
    async def author(self, info: Info) -> User | None:
        return await user_by_id(info, self.owner_id)
