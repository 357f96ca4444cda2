"""Moderators' tools: keyword rules, reports, the queue, actions on content and members.

Every action writes the audit log in its own transaction and tells the member concerned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as upsert

from domain.audit.service import record as audit
from domain.community.counters import move_comments
from domain.community.models import ContentStatus, TargetType
from domain.community.targets import Target, get_target
from domain.events import (
    CommentCreated,
    ContentRemoved,
    ContentRestored,
    ModerationQueueChanged,
    PostApproved,
)
from domain.members.models import Member, MemberStatus
from domain.members.service import MemberService
from domain.moderation import rules
from domain.moderation.cases import open_case
from domain.moderation.models import (
    CaseStatus,
    KeywordRule,
    ModerationAction,
    ModerationCase,
    Report,
    RuleAction,
)
from domain.moderation.screening import rules_changed
from domain.notifications.service import NotificationKind, notify
from domain.pagination import Page, PageRequest, keyset_page
from rally.errors import Conflict, Forbidden, InvalidInput, NotFound
from rally.ratelimit import Limit, RateLimiter
from rally.uow import UnitOfWork, UnitOfWorkFactory

REPORT_REASONS = ("SPAM", "HARASSMENT", "HATE", "VIOLENCE", "NUDITY", "MISINFORMATION", "OTHER")

# What each action makes of each status (absent: the action does not apply).
_TRANSITIONS: dict[ModerationAction, dict[ContentStatus, ContentStatus]] = {
    ModerationAction.APPROVE: {ContentStatus.PENDING: ContentStatus.PUBLISHED,
                               ContentStatus.PUBLISHED: ContentStatus.PUBLISHED,
                               ContentStatus.HIDDEN: ContentStatus.PUBLISHED},
    ModerationAction.HIDE: {s: ContentStatus.HIDDEN for s in ContentStatus
                            if s is not ContentStatus.REMOVED},
    ModerationAction.REMOVE: {s: ContentStatus.REMOVED for s in ContentStatus},
    ModerationAction.RESTORE: {ContentStatus.HIDDEN: ContentStatus.PUBLISHED,
                               ContentStatus.REMOVED: ContentStatus.PUBLISHED},
}


@dataclass(frozen=True)
class ReportResult:
    case_id: int
    hidden: bool


@dataclass(frozen=True)
class ModerationResult:
    target: Target
    status: ContentStatus
    case_id: int | None


class ModerationService:
    def __init__(self, uow_factory: UnitOfWorkFactory, limiter: RateLimiter,
                 members: MemberService, redis: Redis) -> None:
        self._uow_factory = uow_factory
        self._redis = redis
        self._limiter = limiter
        self._members = members
        s = uow_factory.settings
        self._reports_to_hide = s.reports_to_hide
        self._reports_per_day = Limit("reports-day", s.reports_per_day, 86400)

    # --- keyword rules -----------------------------------------------------------------

    async def rules(self) -> list[KeywordRule]:
        async with self._uow_factory() as uow:
            return list((await uow.session.scalars(select(KeywordRule).order_by(KeywordRule.id))).all())

    async def set_rule(self, actor_id: int, keyword: str, action: RuleAction) -> KeywordRule:
        keyword, normalized = rules.check_keyword(keyword)
        async with self._uow_factory() as uow:
            before = await uow.session.scalar(
                select(KeywordRule).where(KeywordRule.normalized == normalized))
            statement = upsert(KeywordRule).values(keyword=keyword, normalized=normalized,
                                                   action=action.value, created_by=actor_id)
            rule = (await uow.session.execute(statement.on_conflict_do_update(
                index_elements=["normalized"],
                set_={"keyword": keyword, "action": action.value}).returning(KeywordRule))
            ).scalar_one()
            await audit(uow, actor_id=actor_id, action="SET_KEYWORD_RULE", target_type="KEYWORD_RULE",
                        target_id=rule.id,
                        before={"keyword": before.keyword, "action": before.action} if before else None,
                        after={"keyword": keyword, "action": action.value})
            await uow.commit()
        await rules_changed(self._redis)  # caches of the rules read them again
        return rule

    async def delete_rule(self, actor_id: int, rule_id: int) -> None:
        async with self._uow_factory() as uow:
            rule = await uow.session.get(KeywordRule, rule_id)
            if rule is None:
                raise NotFound("keyword rule not found")
            await uow.session.execute(delete(KeywordRule).where(KeywordRule.id == rule_id))
            await audit(uow, actor_id=actor_id, action="DELETE_KEYWORD_RULE",
                        target_type="KEYWORD_RULE", target_id=rule_id,
                        before={"keyword": rule.keyword, "action": rule.action})
            await uow.commit()
        await rules_changed(self._redis)

    # --- reports -----------------------------------------------------------------------

    async def report(self, reporter_id: int, target_type: TargetType, target_id: int,
                     reason: str, note: str | None) -> ReportResult:
        reason = reason.strip().upper()
        if reason not in REPORT_REASONS:
            raise InvalidInput(f"reason is one of {', '.join(REPORT_REASONS)}", field="reason")
        if note is not None and len(note) > 500:
            raise InvalidInput("the note has at most 500 characters", field="note")
        async with self._uow_factory() as uow:
            target = await get_target(uow, target_type, target_id, lock=True)
            if target.owner_id == reporter_id:
                raise InvalidInput("you cannot report your own content", reason="OWN_CONTENT")
            if target.status is ContentStatus.REMOVED or (
                    target.status is ContentStatus.PENDING):
                raise NotFound(f"{target_type.value.lower()} not found")
            await self._limiter.hit(self._reports_per_day, str(reporter_id),
                                    "daily report limit reached")
            case_id = await open_case(uow, target_type, target_id, target.owner_id,
                                      source="REPORTS", reason=reason)
            inserted = (await uow.session.execute(
                upsert(Report).values(target_type=target_type.value, target_id=target_id,
                                      reporter_id=reporter_id, case_id=case_id, reason=reason,
                                      note=note).on_conflict_do_nothing().returning(Report.id))).first()
            if inserted is None:
                raise Conflict("you already reported this", reason="ALREADY_REPORTED")
            count = (await uow.session.execute(
                update(ModerationCase).where(ModerationCase.id == case_id)
                .values(report_count=ModerationCase.report_count + 1)
                .returning(ModerationCase.report_count))).scalar_one()
            hidden = count >= self._reports_to_hide and target.status is ContentStatus.PUBLISHED
            if hidden:
                await _set_status(uow, target, ContentStatus.HIDDEN)
                await uow.publish(ContentRemoved(target_type=target_type.value,
                                                 target_id=target_id, owner_id=target.owner_id,
                                                 case_id=case_id, reason="REPORTS"))
            await uow.commit()
        return ReportResult(case_id, hidden)

    # --- the queue ---------------------------------------------------------------------

    async def cases(self, status: CaseStatus, page: PageRequest) -> Page[ModerationCase]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, select(ModerationCase).where(
                ModerationCase.status == status.value), ModerationCase.id, page)

    async def reports_of(self, case_ids: list[int]) -> dict[int, list[Report]]:
        async with self._uow_factory() as uow:
            rows = (await uow.session.scalars(select(Report).where(Report.case_id.in_(case_ids))
                                              .order_by(Report.id))).all()
        grouped: dict[int, list[Report]] = {i: [] for i in case_ids}
        for row in rows:
            grouped[row.case_id].append(row)
        return grouped

    async def open_count(self) -> int:
        async with self._uow_factory() as uow:
            return int(await uow.session.scalar(select(func.count()).select_from(ModerationCase)
                                                .where(ModerationCase.status == "OPEN")) or 0)

    # --- actions on content ------------------------------------------------------------

    async def moderate(self, actor_id: int, target_type: TargetType, target_id: int,
                       action: ModerationAction, note: str | None) -> ModerationResult:
        async with self._uow_factory() as uow:
            target = await get_target(uow, target_type, target_id, lock=True)
            after = _TRANSITIONS[action].get(target.status)
            if target.deleted_by_author and after is not ContentStatus.REMOVED:
                raise InvalidInput("its author deleted this; it cannot be brought back",
                                   reason="DELETED_BY_AUTHOR")
            if after is None:
                raise InvalidInput(f"cannot {action.value} content that is {target.status.value}",
                                   reason="INVALID_TRANSITION", status=target.status.value)
            await _set_status(uow, target, after)
            await self._announce(uow, target, after)
            case_id = await uow.session.scalar(
                update(ModerationCase)
                .where(ModerationCase.target_type == target_type.value,
                       ModerationCase.target_id == target_id, ModerationCase.status == "OPEN")
                .values(status=CaseStatus.RESOLVED.value, resolution=action.value,
                        resolved_by=actor_id, note=note, resolved_at=func.now())
                .returning(ModerationCase.id))
            if case_id is not None:
                await uow.publish(ModerationQueueChanged(case_id=case_id, status="RESOLVED"))
            await audit(uow, actor_id=actor_id, action=f"MODERATE_{action.value}",
                        target_type=target_type.value, target_id=target_id,
                        before={"status": target.status.value}, after={"status": after.value},
                        note=note)
            await notify(uow, member_id=target.owner_id, kind=NotificationKind.MODERATION,
                         actor_id=None, subject_type=_type_name(target_type), subject_id=target_id,
                         data={"action": action.value, "status": after.value, "note": note})
            await uow.commit()
        return ModerationResult(target, after, case_id)

    async def _announce(self, uow: UnitOfWork, target: Target, after: ContentStatus) -> None:
        before = target.status
        if after is ContentStatus.PUBLISHED and not target.ever_published:
            if target.type is TargetType.POST:
                topics = await uow.session.scalar(text("SELECT topics FROM posts WHERE id = :id"),
                                                  {"id": target.id})
                await uow.publish(PostApproved(post_id=target.id, author_id=target.owner_id,
                                               topics=list(topics or [])))
            else:
                post_author = await uow.session.scalar(
                    text("SELECT author_id FROM posts WHERE id = :id"), {"id": target.post_id})
                await uow.publish(CommentCreated(comment_id=target.id, post_id=target.post_id,
                                                 author_id=target.owner_id,
                                                 post_author_id=post_author,
                                                 parent_id=target.parent_id))
        elif before is ContentStatus.PUBLISHED and after is not ContentStatus.PUBLISHED:
            await uow.publish(ContentRemoved(target_type=target.type.value, target_id=target.id,
                                             owner_id=target.owner_id, reason="MODERATION"))
        elif before in (ContentStatus.HIDDEN, ContentStatus.REMOVED) and after is ContentStatus.PUBLISHED:
            await uow.publish(ContentRestored(target_type=target.type.value, target_id=target.id,
                                              owner_id=target.owner_id))

    # --- actions on members ------------------------------------------------------------

    async def suspend(self, actor_id: int, member_id: int, until: datetime, reason: str) -> Member:
        reason = _reason(reason)
        async with self._uow_factory() as uow:
            if until <= await uow.now():
                raise InvalidInput("until must be in the future", field="until")
            member = await self._target_member(uow, actor_id, member_id)
            before = _member_state(member)
            member.status, member.suspended_until = MemberStatus.SUSPENDED.value, until
            member.status_reason = reason
            await self._member_changed(uow, actor_id, member, "SUSPEND_MEMBER", before, reason)
            await uow.commit()
        return member

    async def unsuspend(self, actor_id: int, member_id: int) -> Member:
        async with self._uow_factory() as uow:
            member = await self._target_member(uow, actor_id, member_id)
            if member.status != MemberStatus.SUSPENDED:
                raise InvalidInput("this member is not suspended")
            before = _member_state(member)
            member.status, member.suspended_until = MemberStatus.ACTIVE.value, None
            member.status_reason = None
            await self._member_changed(uow, actor_id, member, "UNSUSPEND_MEMBER", before, None)
            await uow.commit()
        return member

    async def ban(self, actor_id: int, member_id: int, reason: str) -> Member:
        reason = _reason(reason)
        async with self._uow_factory() as uow:
            member = await self._target_member(uow, actor_id, member_id)
            before = _member_state(member)
            member.status, member.suspended_until = MemberStatus.BANNED.value, None
            member.status_reason = reason
            await self._members.revoke_all_sessions(uow, member_id)
            await audit(uow, actor_id=actor_id, action="BAN_MEMBER", target_type="MEMBER",
                        target_id=member_id, before=before, after=_member_state(member), note=reason)
            await uow.commit()
        return member

    async def _target_member(self, uow: UnitOfWork, actor_id: int, member_id: int) -> Member:
        if actor_id == member_id:
            raise InvalidInput("you cannot moderate yourself", field="userId")
        member = await uow.session.get(Member, member_id, with_for_update=True)
        if member is None or member.status == MemberStatus.DELETED:
            raise NotFound("member not found")
        if member.status == MemberStatus.BANNED:
            raise Conflict("this member is banned")
        if "ADMIN" in member.roles:
            raise Forbidden("admins cannot be suspended or banned")
        return member

    async def _member_changed(self, uow: UnitOfWork, actor_id: int, member: Member, action: str,
                              before: dict[str, object], reason: str | None) -> None:
        await audit(uow, actor_id=actor_id, action=action, target_type="MEMBER",
                    target_id=member.id, before=before, after=_member_state(member), note=reason)
        await notify(uow, member_id=member.id, kind=NotificationKind.MODERATION, data={
            "action": action, "reason": reason,
            "until": member.suspended_until.isoformat() if member.suspended_until else None})


async def _set_status(uow: UnitOfWork, target: Target, after: ContentStatus) -> None:
    table = "posts" if target.type is TargetType.POST else "comments"
    await uow.session.execute(text(
        f"UPDATE {table} SET status = :s, published_at = CASE WHEN :published "
        "THEN coalesce(published_at, now()) ELSE published_at END WHERE id = :id"),
        {"s": after.value, "published": after is ContentStatus.PUBLISHED, "id": target.id})
    if target.type is TargetType.COMMENT:
        was = target.status is ContentStatus.PUBLISHED
        now = after is ContentStatus.PUBLISHED
        await move_comments(uow, target.post_id, int(now) - int(was), target.parent_id)


def _type_name(target_type: TargetType) -> str:
    return "Post" if target_type is TargetType.POST else "Comment"


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput("give a reason of 1 to 500 characters", field="reason")
    return reason


def _member_state(member: Member) -> dict[str, object]:
    return {"status": member.status,
            "until": member.suspended_until.isoformat() if member.suspended_until else None}


def write_refusal(status: str, suspended_until: datetime | None, reason: str | None,
                  now: datetime) -> Forbidden | None:
    """Why a member may not write now (suspended, banned), or None."""
    if status == MemberStatus.SUSPENDED and suspended_until is not None and suspended_until > now:
        return Forbidden("your account is suspended", reason=reason or "",
                         until=suspended_until.isoformat())
    if status in (MemberStatus.BANNED, MemberStatus.DELETED):
        return Forbidden("this account is banned", reason=reason or "")
    return None



