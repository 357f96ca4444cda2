"""Comments and one level of replies; `commentCount` counts the published ones exactly."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert

from domain.community import rules
from domain.community.counters import move_comments
from domain.community.models import Comment, ContentStatus, TargetType
from domain.community.targets import blocked_either_way, get_target, is_live
from domain.events import CommentCreated, ContentRemoved
from domain.moderation.cases import open_case
from domain.moderation.models import RuleAction
from domain.moderation.screening import KeywordRuleCache, screen_text
from rally.errors import Forbidden, InvalidInput, NotFound
from rally.ratelimit import Limit, RateLimiter
from rally.reward import Reward
from rally.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class CommentResult:
    comment: Comment
    reward: Reward


class CommentService:
    def __init__(self, uow_factory: UnitOfWorkFactory, limiter: RateLimiter,
                 rules: KeywordRuleCache) -> None:
        self._uow_factory = uow_factory
        self._limiter = limiter
        self._rules = rules
        s = uow_factory.settings
        self._max_chars = s.comment_max_chars
        self._per_minute = Limit("comments-min", s.comments_per_minute, 60)

    async def create(self, author_id: int, post_id: int, body: str,
                     parent_id: int | None = None) -> CommentResult:
        text = rules.check_body(body, self._max_chars, "comment")
        await self._limiter.hit(self._per_minute, str(author_id), "too many comments; wait a minute")
        async with self._uow_factory() as uow:
            post = await get_target(uow, TargetType.POST, post_id)
            if not is_live(post):
                if post.status is ContentStatus.PENDING and post.owner_id != author_id:
                    raise NotFound("post not found")
                raise InvalidInput("this post is not open for comments",
                                   reason=f"POST_{post.status.value}")
            if await blocked_either_way(uow, post.owner_id, author_id):
                raise Forbidden("you cannot comment on this member's posts", reason="BLOCKED")
            if parent_id is not None:
                parent = await get_target(uow, TargetType.COMMENT, parent_id)
                if parent.post_id != post_id:
                    raise InvalidInput("the parent comment belongs to another post",
                                       field="parentId")
                if parent.parent_id is not None:
                    raise InvalidInput("replies are one level deep: reply to the comment instead",
                                       field="parentId", reason="REPLY_TO_REPLY")
                if parent.status is not ContentStatus.PUBLISHED:
                    raise InvalidInput("this comment is not open for replies", field="parentId")
            screening = await screen_text(uow, text, self._rules)
            status = (ContentStatus.PENDING if screening.action is RuleAction.REVIEW
                      else ContentStatus.PUBLISHED)
            comment = (await uow.session.execute(insert(Comment).values(
                post_id=post_id, author_id=author_id, parent_id=parent_id, body=screening.text,
                status=status.value,
                published_at=func.now() if status is ContentStatus.PUBLISHED else None)
                .returning(Comment))).scalar_one()
            uow.know_now(comment.created_at)  # the column's default is the transaction's now()
            if status is ContentStatus.PUBLISHED:
                await move_comments(uow, post_id, 1, parent_id)
            else:
                await open_case(uow, TargetType.COMMENT, comment.id, author_id, source="KEYWORD",
                                reason="KEYWORD")
            await uow.publish(CommentCreated(comment_id=comment.id, post_id=post_id,
                                             author_id=author_id, post_author_id=post.owner_id,
                                             parent_id=parent_id, status=status.value))
            await uow.commit()
        return CommentResult(comment, uow.reward)

    async def delete(self, member_id: int, comment_id: int) -> Comment:
        async with self._uow_factory() as uow:
            comment = await uow.session.get(Comment, comment_id, with_for_update=True)
            if comment is None or comment.deleted_at is not None:
                raise NotFound("comment not found")
            if comment.author_id != member_id:
                raise Forbidden("only its author can delete a comment")
            if comment.status == ContentStatus.PUBLISHED:
                await move_comments(uow, comment.post_id, -1, comment.parent_id)
                await uow.publish(ContentRemoved(target_type=TargetType.COMMENT.value,
                                                 target_id=comment.id, owner_id=member_id,
                                                 reason="DELETED_BY_AUTHOR"))
            comment.status, comment.deleted_at = ContentStatus.REMOVED.value, await uow.now()
            await uow.commit()
        return comment
