"""Posts: create (with media, topics, mentions), edit with history, delete (soft)."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy import insert, select, update

from domain.community import rules
from domain.community.media import MediaService
from domain.community.models import ContentStatus, Media, MediaKind, Post, PostEdit, TargetType
from domain.community.ranking import HOT_DECAY_SECONDS
from domain.events import ContentRemoved, PostCreated
from domain.members.models import MemberStatus
from domain.moderation.cases import open_case
from domain.moderation.models import RuleAction
from domain.moderation.screening import KeywordRuleCache, screen_text
from rally.errors import Conflict, Forbidden, InvalidInput, NotFound
from rally.ratelimit import Limit, RateLimiter
from rally.redis import key
from rally.reward import Reward
from rally.sql import Sql
from rally.uow import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class MediaRef:
    kind: MediaKind
    url: str
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None


@dataclass(frozen=True)
class PostDraft:
    body: str
    topics: list[str] = field(default_factory=list)
    media: list[MediaRef] = field(default_factory=list)


@dataclass(frozen=True)
class PostResult:
    post: Post
    reward: Reward


class PostService:
    def __init__(self, uow_factory: UnitOfWorkFactory, limiter: RateLimiter, redis: Redis,
                 media: MediaService, rules: KeywordRuleCache) -> None:
        self._uow_factory = uow_factory
        self._rules = rules
        self._media = media
        self._limiter = limiter
        self._redis = redis
        s = uow_factory.settings
        self._settings = s
        self._per_minute = Limit("posts-min", s.posts_per_minute, 60)
        self._per_day = Limit("posts-day", s.posts_per_day, 86400)

    def _check_draft(self, draft: PostDraft) -> tuple[str, list[str]]:
        s = self._settings
        body = rules.check_body(draft.body, s.post_max_chars)
        topics = rules.normalize_topics(draft.topics, s.post_max_topics, s.topic_max_chars)
        if len(draft.media) > s.post_max_media:
            raise InvalidInput(f"a post has at most {s.post_max_media} media items", field="media",
                               maximum=s.post_max_media)
        for m in draft.media:
            rules.check_media_dimensions(m.kind, m.width, m.height, m.duration_ms)
        return body, topics

    async def create(self, author_id: int, draft: PostDraft) -> PostResult:
        body, topics = self._check_draft(draft)
        subject = str(author_id)
        # Both rate windows and the duplicate-body claim in one Redis round trip.
        duplicate = key("dup-post", "{" + subject + "}", rules.body_fingerprint(body))
        if not await self._limiter.hit_all_and_claim(
                [(self._per_minute, "too many posts; wait a minute"),
                 (self._per_day, "daily post limit reached")], subject,
                duplicate, self._settings.duplicate_body_window_seconds):
            raise Conflict("you posted this text a moment ago", reason="DUPLICATE_POST")
        try:
            await self._media.confirm_uploads(author_id, [m.url for m in draft.media])
            return await self._create(author_id, body, topics, draft.media)
        except BaseException:
            await self._redis.delete(duplicate)
            raise

    async def _create(self, author_id: int, body: str, topics: list[str],
                      media: list[MediaRef]) -> PostResult:
        async with self._uow_factory() as uow:
            screening = await screen_text(uow, body, self._rules)
            status = (ContentStatus.PENDING if screening.action is RuleAction.REVIEW
                      else ContentStatus.PUBLISHED)
            row = await uow.fetchrow(_INSERT_POST, {
                "author": author_id, "body": screening.text, "status": status.value,
                "topics": topics, "mention_names": rules.mention_names(screening.text),
                "deleted": MemberStatus.DELETED.value,
                "published": status is ContentStatus.PUBLISHED})
            post = Post(**dict(row))  # type: ignore[arg-type]
            uow.know_now(post.created_at)  # the column's default is the transaction's now()
            mentions = list(post.mention_ids)
            await _attach_media(uow, post.id, author_id, media)
            await uow.publish(PostCreated(post_id=post.id, author_id=author_id, topics=topics,
                                          status=status.value, mention_ids=mentions))
            if status is ContentStatus.PENDING:
                await open_case(uow, TargetType.POST, post.id, author_id, source="KEYWORD",
                                reason="KEYWORD")
            await uow.commit()
        return PostResult(post, uow.reward)

    async def update(self, member_id: int, post_id: int, body: str | None,
                     topics: list[str] | None) -> Post:
        s = self._settings
        new_body = rules.check_body(body, s.post_max_chars) if body is not None else None
        new_topics = (rules.normalize_topics(topics, s.post_max_topics, s.topic_max_chars)
                      if topics is not None else None)
        async with self._uow_factory() as uow:
            post = await uow.session.get(Post, post_id, with_for_update=True)
            if post is None or post.status == ContentStatus.REMOVED:
                raise NotFound("post not found")
            if post.author_id != member_id:
                raise Forbidden("only its author can edit a post")
            if post.status == ContentStatus.HIDDEN:
                raise InvalidInput("a hidden post cannot be edited", reason="POST_HIDDEN")
            await uow.session.execute(insert(PostEdit).values(
                post_id=post.id, previous_body=post.body, previous_topics=post.topics))
            if new_body is not None:
                screening = await screen_text(uow, new_body, self._rules)
                post.body = screening.text
                if screening.action is RuleAction.REVIEW and post.status == ContentStatus.PUBLISHED:
                    post.status = ContentStatus.PENDING.value
                    await uow.publish(ContentRemoved(target_type=TargetType.POST.value,
                                                     target_id=post.id, owner_id=post.author_id,
                                                     reason="KEYWORD"))
                    await open_case(uow, TargetType.POST, post.id, post.author_id,
                                    source="KEYWORD", reason="KEYWORD")
            if new_topics is not None:
                post.topics = new_topics
            post.edited_at = await uow.now()
            await uow.commit()
        return post

    async def delete(self, member_id: int, post_id: int) -> Post:
        async with self._uow_factory() as uow:
            post = await uow.session.get(Post, post_id, with_for_update=True)
            if post is None or post.deleted_at is not None:
                raise NotFound("post not found")
            if post.author_id != member_id:
                raise Forbidden("only its author can delete a post")
            was_published = post.status == ContentStatus.PUBLISHED
            post.status, post.deleted_at = ContentStatus.REMOVED.value, await uow.now()
            if was_published:
                await uow.publish(ContentRemoved(target_type=TargetType.POST.value,
                                                 target_id=post.id, owner_id=member_id,
                                                 reason="DELETED_BY_AUTHOR"))
            await uow.commit()
        return post

    async def edits(self, post_id: int) -> list[PostEdit]:
        async with self._uow_factory() as uow:
            rows = await uow.session.execute(
                select(PostEdit).where(PostEdit.post_id == post_id).order_by(PostEdit.id))
            return list(rows.scalars())


# Mentioned members (by display name, case-folded; not deleted, not the author) resolve
# inside the post's INSERT, with no round trip of their own; the hot score starts at the
# post's own time (see HOT_DECAY_SECONDS).
_INSERT_POST = Sql(f"""
INSERT INTO posts (author_id, body, status, topics, mention_ids, hot_score, published_at)
VALUES (:author, :body, :status, CAST(:topics AS varchar[]),
  (SELECT coalesce(array_agg(m.id ORDER BY n.ord), '{{}}'::bigint[])
   FROM unnest(CAST(:mention_names AS text[])) WITH ORDINALITY AS n(name, ord)
   CROSS JOIN LATERAL (SELECT min(id) AS id FROM members WHERE lower(display_name) = n.name
                       AND status != :deleted AND id != :author) AS m
   WHERE m.id IS NOT NULL),
  extract(epoch from now()) / {HOT_DECAY_SECONDS},
  CASE WHEN CAST(:published AS boolean) THEN now() END)
RETURNING *""")


async def _attach_media(uow: UnitOfWork, post_id: int, author_id: int,
                        media: list[MediaRef]) -> None:


    for position, ref in enumerate(media):
        attached = await uow.session.scalar(
            update(Media)
            .where(Media.url == ref.url, Media.owner_id == author_id, Media.kind == ref.kind.value,
                   Media.uploaded_at.is_not(None), Media.post_id.is_(None))
            .values(post_id=post_id, position=position, width=ref.width, height=ref.height,
                    duration_ms=ref.duration_ms)
            .returning(Media.id))
        if attached is None:
            raise InvalidInput("media must be your own finished upload, used once, of that kind",
                               field="media", url=ref.url, reason="UNKNOWN_MEDIA")
