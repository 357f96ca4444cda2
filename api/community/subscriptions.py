"""Live community streams: new posts, new comments, reaction counts, the moderation queue.

Each event is loaded once (one query) and filtered per subscriber; blocks are checked with
one query per event for all local subscribers (`hidden_from`).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import strawberry
from sqlalchemy import select
from strawberry.types import Info

from api.community.types import Comment, Post, ReactionCount, _counts, _reaction_counts
from api.moderation.types import ModerationCase
from api.realtime.streams import Stream, register
from api.relay import decode_id, decode_typed_id, to_global_id
from domain.community import rules
from domain.community.models import ContentStatus
from domain.community.queries import COMMENT_COLUMNS, POST_COLUMNS
from domain.events import (
    CommentCreated,
    ModerationQueueChanged,
    PostApproved,
    PostCreated,
    ReactionAdded,
    ReactionRemoved,
)
from domain.members.credentials import AccessClaims
from domain.members.models import Role
from domain.moderation.models import ModerationCase as CaseRow
from rally.errors import InvalidInput

if TYPE_CHECKING:
    from api.container import Container

_POST = f"SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1"
_COMMENT = f"SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.id = $1"
_BLOCKED_WITH = ("SELECT blocker_id AS id FROM blocks WHERE blocked_id = $1 AND blocker_id = ANY($2) "
                 "UNION SELECT blocked_id FROM blocks WHERE blocker_id = $1 AND blocked_id = ANY($2)")
_COUNTS = {"Post": "SELECT id, status, reaction_count, reaction_counts::text AS reaction_counts "
                   "FROM posts WHERE id = $1",
           "Comment": "SELECT id, status, reaction_count, reaction_counts::text AS reaction_counts "
                      "FROM comments WHERE id = $1"}
_NOT_OVER_WEBSOCKET = "subscribe over WebSocket on /graphql"


async def _one(container: Container, sql: str, *args: Any) -> Any:
    rows = await container.fetch(sql, *args)
    return rows[0] if rows else None


class _AuthoredContent(Stream):
    public = True

    def visible(self, viewer: AccessClaims | None, obj: Any) -> bool:
        return obj.status == ContentStatus.PUBLISHED

    async def hidden_from(self, container: Container, obj: Any, member_ids: set[int]) -> set[int]:
        rows = await container.fetch(_BLOCKED_WITH, obj.author_id, list(member_ids))
        return {r["id"] for r in rows}


@register
class PostCreatedStream(_AuthoredContent):
    field = "postCreated"
    topics = (PostCreated.topic, PostApproved.topic)

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        topic = args.get("topic")
        return rules.normalize_topic(topic, 64) if topic else "*"

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        return ("*", *payload.get("topics", ()))

    async def load(self, container: Container, payload: dict[str, Any]) -> Post | None:
        row = await _one(container, _POST, payload["post_id"])
        return Post.from_row(row) if row is not None else None

    def dedupe_key(self, obj: Post) -> Hashable:
        return obj.pk


@register
class CommentAddedStream(_AuthoredContent):
    field = "commentAdded"
    topics = (CommentCreated.topic,)

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        return decode_id(args["postId"], "Post")

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        return (payload["post_id"],)

    async def load(self, container: Container, payload: dict[str, Any]) -> Comment | None:
        row = await _one(container, _COMMENT, payload["comment_id"])
        return Comment.from_row(row) if row is not None else None

    def dedupe_key(self, obj: Comment) -> Hashable:
        return obj.pk


@strawberry.type(description="A post's or comment's reaction counts as they are now.")
class ReactionSummary:
    target_id: strawberry.ID
    reaction_count: int
    reaction_counts: list[ReactionCount]
    status: strawberry.Private[str]


@register
class ReactionChangedStream(Stream):
    field = "reactionChanged"
    topics = (ReactionAdded.topic, ReactionRemoved.topic)
    public = True
    # At most 4 pushes a second per target; the window's last event loads the latest counts.
    throttle_seconds = 0.25

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        return decode_typed_id(args["targetId"], "Post", "Comment")

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        name = "Post" if payload["target_type"] == "POST" else "Comment"
        return ((name, payload["target_id"]),)

    async def load(self, container: Container, payload: dict[str, Any]) -> ReactionSummary | None:
        name = "Post" if payload["target_type"] == "POST" else "Comment"
        row = await _one(container, _COUNTS[name], payload["target_id"])
        if row is None:
            return None
        return ReactionSummary(target_id=strawberry.ID(to_global_id(name, row["id"])),
                               reaction_count=row["reaction_count"],
                               reaction_counts=_reaction_counts(_counts(row["reaction_counts"])),
                               status=row["status"])

    def visible(self, viewer: AccessClaims | None, obj: ReactionSummary) -> bool:
        return obj.status == ContentStatus.PUBLISHED


@strawberry.type
class ModerationQueueUpdate:
    case: ModerationCase
    open_count: int


@register
class ModerationQueueStream(Stream):
    field = "moderationQueueChanged"
    topics = (ModerationQueueChanged.topic,)
    roles = (Role.MODERATOR,)
    throttle_seconds = 1.0

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        return "queue"

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        return ("queue",)

    async def load(self, container: Container, payload: dict[str, Any]) -> ModerationQueueUpdate | None:
        async with container.uow() as uow:
            case = await uow.session.scalar(select(CaseRow).where(CaseRow.id == payload["case_id"]))
        if case is None:
            return None
        reports = await container.moderation.reports_of([case.id])
        return ModerationQueueUpdate(case=ModerationCase.from_row(case, reports[case.id]),
                                     open_count=await container.moderation.open_count())


@strawberry.type
class CommunitySubscriptions:
    @strawberry.subscription(description="New published posts, of one topic or all.")
    async def post_created(self, info: Info, topic: str | None = None) -> AsyncGenerator[Post, None]:
        raise InvalidInput(_NOT_OVER_WEBSOCKET)
        yield  # pragma: no cover

    @strawberry.subscription(description="New published comments and replies on a post.")
    async def comment_added(self, info: Info, post_id: strawberry.ID) -> AsyncGenerator[Comment, None]:
        raise InvalidInput(_NOT_OVER_WEBSOCKET)
        yield  # pragma: no cover

    @strawberry.subscription(description="A post's or comment's reaction counts, throttled.")
    async def reaction_changed(self, info: Info, target_id: strawberry.ID
                               ) -> AsyncGenerator[ReactionSummary, None]:
        raise InvalidInput(_NOT_OVER_WEBSOCKET)
        yield  # pragma: no cover

    @strawberry.subscription(description="Cases opened or resolved. MODERATOR only.")
    async def moderation_queue_changed(self, info: Info
                                       ) -> AsyncGenerator[ModerationQueueUpdate, None]:
        raise InvalidInput(_NOT_OVER_WEBSOCKET)
        yield  # pragma: no cover
