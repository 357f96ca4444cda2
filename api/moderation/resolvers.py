"""Moderation over GraphQL: MODERATOR (or ADMIN) only, except reporting."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.community.resolvers import decode_target
from api.community.types import Comment, Post, load_comment, load_post
from api.members.types import User
from api.moderation.types import (
    CaseStatusEnum,
    KeywordRule,
    ModerationActionEnum,
    ModerationCase,
    RuleActionEnum,
)
from api.permissions import Authenticated, requires
from api.relay import Connection, decode_id, page_request, to_global_id
from domain.community.models import TargetType
from domain.members.models import Role
from domain.moderation.models import CaseStatus, ModerationAction, RuleAction

MODERATORS = requires(Role.MODERATOR)


@strawberry.input
class SetKeywordRuleInput:
    keyword: str
    action: RuleActionEnum  # type: ignore[valid-type]


@strawberry.type
class KeywordRulePayload:
    rule: KeywordRule


@strawberry.input
class DeleteKeywordRuleInput:
    rule_id: strawberry.ID


@strawberry.type
class DeleteKeywordRulePayload:
    deleted_rule_id: strawberry.ID


@strawberry.input
class ReportContentInput:
    target_id: strawberry.ID = strawberry.field(description="A Post or Comment id.")
    reason: str = strawberry.field(description="SPAM, HARASSMENT, HATE, VIOLENCE, NUDITY, "
                                               "MISINFORMATION or OTHER.")
    note: str | None = None


@strawberry.type
class ReportContentPayload:
    reported: bool


@strawberry.input
class ModerateInput:
    target_id: strawberry.ID
    action: ModerationActionEnum  # type: ignore[valid-type]
    note: str | None = None


@strawberry.type
class ModeratePayload:
    post: Post | None
    comment: Comment | None
    case_id: strawberry.ID | None


@strawberry.input
class SuspendUserInput:
    user_id: strawberry.ID
    until: datetime
    reason: str


@strawberry.input
class UserIdInput:
    user_id: strawberry.ID


@strawberry.input
class BanUserInput:
    user_id: strawberry.ID
    reason: str


@strawberry.type
class ModeratedUserPayload:
    user: User


@strawberry.type
class ModerationQueries:
    @strawberry.field(permission_classes=[MODERATORS])
    async def keyword_rules(self, info: Info) -> list[KeywordRule]:
        return [KeywordRule.from_row(r) for r in await info.context.services.moderation.rules()]

    @strawberry.field(permission_classes=[MODERATORS], description="Newest cases first.")
    async def moderation_queue(self, info: Info, first: int | None = None, after: str | None = None,
                               status: CaseStatusEnum = CaseStatus.OPEN  # type: ignore[valid-type,assignment]
                               ) -> Connection[ModerationCase]:
        service = info.context.services.moderation
        page = await service.cases(CaseStatus(status), page_request(info.context, first, after))
        reports = await service.reports_of([c.id for c in page.items])
        return Connection.from_page(page, lambda c: ModerationCase.from_row(c, reports[c.id]),
                                    lambda c: (c.id,))


@strawberry.type
class ModerationMutations:
    @strawberry.mutation(permission_classes=[MODERATORS], description=(
        "Create the rule for a keyword, or change its action."))
    async def set_keyword_rule(self, info: Info, input: SetKeywordRuleInput) -> KeywordRulePayload:
        ctx = info.context
        rule = await ctx.services.moderation.set_rule(ctx.require_member().member_id,
                                                      input.keyword, RuleAction(input.action))
        return KeywordRulePayload(rule=KeywordRule.from_row(rule))

    @strawberry.mutation(permission_classes=[MODERATORS])
    async def delete_keyword_rule(self, info: Info,
                                  input: DeleteKeywordRuleInput) -> DeleteKeywordRulePayload:
        ctx = info.context
        await ctx.services.moderation.delete_rule(ctx.require_member().member_id,
                                                  decode_id(input.rule_id, "KeywordRule"))
        return DeleteKeywordRulePayload(deleted_rule_id=input.rule_id)

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Report a post or comment (once per target); enough reporters hide it for review."))
    async def report_content(self, info: Info, input: ReportContentInput) -> ReportContentPayload:
        ctx = info.context
        target_type, pk = decode_target(input.target_id)
        await ctx.services.moderation.report(ctx.require_member().member_id, target_type, pk,
                                             input.reason, input.note)
        return ReportContentPayload(reported=True)

    @strawberry.mutation(permission_classes=[MODERATORS])
    async def moderate(self, info: Info, input: ModerateInput) -> ModeratePayload:
        ctx = info.context
        target_type, pk = decode_target(input.target_id)
        result = await ctx.services.moderation.moderate(
            ctx.require_member().member_id, target_type, pk, ModerationAction(input.action),
            input.note)


        return ModeratePayload(
            post=await load_post(ctx, pk) if target_type is TargetType.POST else None,
            comment=await load_comment(ctx, pk) if target_type is TargetType.COMMENT else None,
            case_id=strawberry.ID(to_global_id("ModerationCase", result.case_id))
            if result.case_id else None)

    @strawberry.mutation(permission_classes=[MODERATORS], description=(
        "Until then he can read but every write is refused (FORBIDDEN, with reason and until)."))
    async def suspend_user(self, info: Info, input: SuspendUserInput) -> ModeratedUserPayload:
        ctx = info.context
        member = await ctx.services.moderation.suspend(
            ctx.require_member().member_id, decode_id(input.user_id, "User"), input.until,
            input.reason)
        return ModeratedUserPayload(user=User.from_row(member))

    @strawberry.mutation(permission_classes=[MODERATORS])
    async def unsuspend_user(self, info: Info, input: UserIdInput) -> ModeratedUserPayload:
        ctx = info.context
        member = await ctx.services.moderation.unsuspend(ctx.require_member().member_id,
                                                         decode_id(input.user_id, "User"))
        return ModeratedUserPayload(user=User.from_row(member))

    @strawberry.mutation(permission_classes=[MODERATORS], description=(
        "He can no longer log in; his refresh tokens are revoked."))
    async def ban_user(self, info: Info, input: BanUserInput) -> ModeratedUserPayload:
        ctx = info.context
        member = await ctx.services.moderation.ban(ctx.require_member().member_id,
                                                   decode_id(input.user_id, "User"), input.reason)
        return ModeratedUserPayload(user=User.from_row(member))
