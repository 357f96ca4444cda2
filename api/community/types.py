"""Posts, comments, media and reactions as GraphQL types (from read-pool records or rows)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import asyncpg
import orjson
import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode
from strawberry.types import Info

from api.members.types import User, user_by_id
from api.relay import Connection, Node, node_type, page_request, to_global_id
from domain.community.models import ContentStatus, MediaKind, ReactionKind
from domain.members.models import Role

PostStatusEnum = strawberry.enum(ContentStatus, name="PostStatus",
                                 description="Where a post or comment stands with moderation.")
ReactionKindEnum = strawberry.enum(ReactionKind, name="ReactionKind")
MediaKindEnum = strawberry.enum(MediaKind, name="MediaKind")


def _counts(value: Any) -> dict[str, int]:
    if isinstance(value, str | bytes):
        value = orjson.loads(value)
    return {k: int(v) for k, v in (value or {}).items()}


@strawberry.type
class ReactionCount:
    kind: ReactionKindEnum  # type: ignore[valid-type]
    count: int


_KINDS = tuple(ReactionKind)


def _reaction_counts(counts: dict[str, int]) -> list[ReactionCount]:
    return [ReactionCount(kind=k, count=n) for k in _KINDS if (n := counts.get(k, 0)) > 0]


@strawberry.type(description="An image, video or audio attached to a post.")
class Media:
    id: strawberry.ID
    kind: MediaKindEnum  # type: ignore[valid-type]
    url: str
    content_type: str
    width: int | None
    height: int | None
    duration_ms: int | None

    @classmethod
    def from_row(cls, row: Any) -> Media:
        return cls(id=strawberry.ID(to_global_id("Media", row["id"])), kind=MediaKind(row["kind"]),
                   url=row["url"], content_type=row["content_type"], width=row["width"],
                   height=row["height"], duration_ms=row["duration_ms"])


def _value(row: Any, name: str) -> Any:
    return row[name] if not hasattr(row, name) else getattr(row, name)


def _reader(row: Any) -> Any:
    """`_value` for one row, deciding once (a read-pool record, or an ORM row/object)."""
    if isinstance(row, asyncpg.Record):
        return row.__getitem__
    return lambda name: _value(row, name)


async def _viewer_reaction(info: Info, target_type: str, target_id: int) -> ReactionKind | None:
    viewer = info.context.viewer_id
    if viewer is None:
        return None
    kind = await info.context.loaders.load("viewer_reactions", (viewer, target_type, target_id))
    return ReactionKind(kind) if kind else None


@strawberry.type(description="A member's post.")
class Post(Node):
    id: strawberry.ID
    body: str
    topics: list[str]
    status: PostStatusEnum  # type: ignore[valid-type]
    reaction_count: int
    comment_count: int
    share_count: int
    created_at: datetime
    edited_at: datetime | None
    pk: strawberry.Private[int]
    author_id: strawberry.Private[int]
    counts: strawberry.Private[dict[str, int]]
    # Filled by `prefetch` for a whole page: the fields then resolve without awaiting.
    prefetched: strawberry.Private[dict[str, Any] | None] = None
    feed_reason: str | None = strawberry.field(
        default=None, description="Why the feed shows this post, in a few words; null elsewhere.")

    @classmethod
    def in_feed(cls, ranked: Any) -> Post:
        post = cls.from_row(ranked.record)
        post.feed_reason = ranked.reason
        return post

    @classmethod
    def from_row(cls, row: Any) -> Post:
        v = _reader(row)
        pk = v("id")
        return cls(id=strawberry.ID(to_global_id("Post", pk)),
                   body=v("body"), topics=list(v("topics") or []),
                   status=ContentStatus(v("status")),
                   reaction_count=v("reaction_count"),
                   comment_count=v("comment_count"),
                   share_count=v("share_count"), created_at=v("created_at"),
                   edited_at=v("edited_at"), pk=pk,
                   author_id=v("author_id"),
                   counts=_counts(v("reaction_counts")))

    # These resolvers return the prefetched value, or an awaitable graphql-core awaits: a
    # page of posts then costs no coroutine per field.
    @strawberry.field
    def author(self, info: Info) -> User | None:
        if self.prefetched is not None and "author" in self.prefetched:
            return self.prefetched["author"]  # type: ignore[no-any-return]
        return user_by_id(info, self.author_id)  # type: ignore[return-value]

    @strawberry.field(description="Attached media, in the author's order.")
    def media(self, info: Info) -> list[Media]:
        if self.prefetched is not None and "media" in self.prefetched:
            return self.prefetched["media"]  # type: ignore[no-any-return]
        return _media(info, self.pk)  # type: ignore[return-value]

    @strawberry.field(description="Reactions per kind (kinds with none are left out).")
    def reaction_counts(self) -> list[ReactionCount]:
        return _reaction_counts(self.counts)

    @strawberry.field(description="The caller's reaction, if any.")
    def viewer_reaction(self, info: Info) -> ReactionKindEnum | None:  # type: ignore[valid-type]
        if self.prefetched is not None and "viewer_reaction" in self.prefetched:
            return self.prefetched["viewer_reaction"]
        return _viewer_reaction(info, "POST", self.pk)

    @strawberry.field(description="Top-level comments, oldest first.")
    async def comments(self, info: Info, first: int | None = None,
                       after: str | None = None) -> Connection[Comment]:
        ctx = info.context
        page = await ctx.services.community.comments(ctx.viewer_id, page_request(ctx, first, after),
                                                     post_id=self.pk)
        return Connection.from_page(page, Comment.from_row, lambda r: (r["id"],))

    @strawberry.field(description="Earlier versions of the body. MODERATOR only; null otherwise.")
    async def edit_history(self, info: Info) -> list[PostEdit] | None:
        if not info.context.has_role(Role.MODERATOR):
            return None
        edits = await info.context.services.posts.edits(self.pk)
        return [PostEdit(body=e.previous_body, topics=list(e.previous_topics),
                         replaced_at=e.edited_at) for e in edits]


async def _media(info: Info, post_id: int) -> list[Media]:
    rows = await info.context.loaders.load("media_by_post", post_id)
    return [Media.from_row(r) for r in rows]


def _node_fields(info: Info) -> set[str]:
    """Names selected on the connection's nodes (`edges { node { … } }` or `nodes { … }`).

    Walks graphql-core's syntax tree (Strawberry's `selected_fields` converts the whole
    selection into its own objects first: a cost on every page)."""
    raw = info._raw_info
    fragments = raw.fragments
    names: set[str] = set()

    def walk(selection_set: Any, depth: int) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if depth == 0 and name in ("edges", "nodes"):
                    walk(selection.selection_set, 1 if name == "edges" else 2)
                elif depth == 1 and name == "node":
                    walk(selection.selection_set, 2)
                elif depth == 2:
                    names.add(name)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, depth)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                walk(fragment.selection_set if fragment else None, depth)

    for node in raw.field_nodes:
        walk(node.selection_set, 0)
    return names


def page_relations(info: Info) -> frozenset[str]:
    """The `POST_RELATIONS` the page's nodes select, for its query to carry them."""
    wanted = _node_fields(info)
    return frozenset(relation for relation, (field, _) in _CARRIED.items() if field in wanted)


# Each relation a page's query may carry (`POST_RELATIONS`): the node field that selects it,
# and its value shaped as its batch loader answers.
_CARRIED: dict[str, tuple[str, Any]] = {
    "author": ("author", lambda row: SimpleNamespace(**row) if row is not None else None),
    "media": ("media", lambda rows: rows or ()),
    "viewer_reaction": ("viewerReaction", lambda kind: kind),
}


async def prefetch(info: Info, posts: list[Post], records: list[Any] | None = None
                   ) -> list[Post]:
    """Loads what the page selected for all its posts at once: from `records` when the page's
    query carried it (`page_relations`), else one query per kind."""
    if not posts:
        return posts
    wanted = _node_fields(info)
    rows = records or []
    carried = set(rows[0].keys()) & _CARRIED.keys() if rows else set()
    loaders = info.context.loaders
    ids = [p.pk for p in posts]
    viewer = info.context.viewer_id
    jobs: dict[str, Any] = {}
    if "author" in wanted and "author" not in carried:
        jobs["author"] = loaders.batch("members_by_id", [p.author_id for p in posts])
    if "media" in wanted and "media" not in carried:
        jobs["media"] = loaders.batch("media_by_post", ids)
    if "viewerReaction" in wanted and viewer is not None and "viewer_reaction" not in carried:
        jobs["viewer_reaction"] = loaders.batch("viewer_reactions",
                                                    [(viewer, "POST", i) for i in ids])
    results = dict(zip(jobs, await asyncio.gather(*jobs.values()), strict=True)) if jobs else {}
    for relation in carried:
        _, shape = _CARRIED[relation]
        results[relation] = [shape(r[relation]) for r in rows]
    for index, post in enumerate(posts):
        post.prefetched = {}
        if "author" in results:
            row = results["author"][index]
            post.prefetched["author"] = User.from_row(row) if row is not None else None
        if "media" in results:
            post.prefetched["media"] = [Media.from_row(r) for r in results["media"][index]]
        if "viewer_reaction" in results:
            kind = results["viewer_reaction"][index]
            post.prefetched["viewer_reaction"] = ReactionKind(kind) if kind else None
        elif viewer is None:
            post.prefetched["viewer_reaction"] = None
    return posts


async def post_connection(info: Info, page: Any) -> PostConnection:
    records = [r.record for r in page.items]
    posts = await prefetch(info, [Post.from_row(r) for r in records], records)
    return PostConnection.of(  # type: ignore[return-value]  # `of` builds the subclass
        zip(posts, page.items, strict=True), page.has_next, lambda x: x[0], lambda x: x[1].cursor)


@strawberry.type
class PostEdit:
    body: str
    topics: list[str]
    replaced_at: datetime


@strawberry.type(description="Posts with cursors.")
class PostConnection(Connection[Post]):
    pass


@strawberry.type(description="A comment on a post, or a reply to a comment (one level).")
class Comment(Node):
    id: strawberry.ID
    body: str
    status: PostStatusEnum  # type: ignore[valid-type]
    reaction_count: int
    reply_count: int
    created_at: datetime
    pk: strawberry.Private[int]
    post_pk: strawberry.Private[int]
    parent_pk: strawberry.Private[int | None]
    author_id: strawberry.Private[int]
    counts: strawberry.Private[dict[str, int]]

    @classmethod
    def from_row(cls, row: Any) -> Comment:
        return cls(id=strawberry.ID(to_global_id("Comment", _value(row, "id"))),
                   body=_value(row, "body"), status=ContentStatus(_value(row, "status")),
                   reaction_count=_value(row, "reaction_count"),
                   reply_count=_value(row, "reply_count"), created_at=_value(row, "created_at"),
                   pk=_value(row, "id"), post_pk=_value(row, "post_id"),
                   parent_pk=_value(row, "parent_id"), author_id=_value(row, "author_id"),
                   counts=_counts(_value(row, "reaction_counts")))

    @strawberry.field
    async def author(self, info: Info) -> User | None:
        return await user_by_id(info, self.author_id)

    @strawberry.field
    async def post(self, info: Info) -> Post | None:
        return await load_post(info.context, self.post_pk)

    @strawberry.field
    async def parent(self, info: Info) -> Comment | None:
        return await load_comment(info.context, self.parent_pk) if self.parent_pk else None

    @strawberry.field
    def reaction_counts(self) -> list[ReactionCount]:
        return _reaction_counts(self.counts)

    @strawberry.field
    async def viewer_reaction(self, info: Info) -> ReactionKindEnum | None:  # type: ignore[valid-type]
        return await _viewer_reaction(info, "COMMENT", self.pk)

    @strawberry.field(description="Replies, oldest first.")
    async def replies(self, info: Info, first: int | None = None,
                      after: str | None = None) -> Connection[Comment]:
        ctx = info.context
        page = await ctx.services.community.comments(ctx.viewer_id, page_request(ctx, first, after),
                                                     parent_id=self.pk)
        return Connection.from_page(page, Comment.from_row, lambda r: (r["id"],))


def _may_see(context: Any, status: str, author_id: int) -> bool:
    if status == ContentStatus.PUBLISHED:
        return True
    if status == ContentStatus.PENDING and context.viewer_id == author_id:
        return True
    return context.has_role(Role.MODERATOR)


@node_type("Post")
async def load_post(context: Any, pk: int) -> Post | None:
    row = await context.loaders.load("posts_by_id", pk)
    if row is None or not _may_see(context, row["status"], row["author_id"]):
        return None
    return Post.from_row(row)


@node_type("Comment")
async def load_comment(context: Any, pk: int) -> Comment | None:
    row = await context.loaders.load("comments_by_id", pk)
    if row is None or not _may_see(context, row["status"], row["author_id"]):
        return None
    return Comment.from_row(row)
