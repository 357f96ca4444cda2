"""Batch loaders of the community: one query per batch on the read pool."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from api.loaders import batch_loader
from domain.community.queries import COMMENT_COLUMNS, POST_COLUMNS

if TYPE_CHECKING:
    from api.container import Container

_POSTS = f"SELECT {POST_COLUMNS} FROM posts p WHERE p.id = ANY($1::bigint[])"
_COMMENTS = f"SELECT {COMMENT_COLUMNS} FROM comments c WHERE c.id = ANY($1::bigint[])"
_MEDIA = ("SELECT id, post_id, kind, url, content_type, width, height, duration_ms FROM media "
          "WHERE post_id = ANY($1::bigint[]) ORDER BY post_id, position")
# Keys are (viewer, target type, target id); a request has one viewer, so one query.
_VIEWER_REACTIONS = ("SELECT member_id, target_type, target_id, kind FROM reactions "
                     "WHERE member_id = ANY($1::bigint[]) AND target_type = ANY($2::varchar[]) "
                     "AND target_id = ANY($3::bigint[])")


@batch_loader("posts_by_id")
async def posts_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(_POSTS, list(ids))
    by_id = {r["id"]: r for r in rows}
    return [by_id.get(i) for i in ids]


@batch_loader("comments_by_id")
async def comments_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(_COMMENTS, list(ids))
    by_id = {r["id"]: r for r in rows}
    return [by_id.get(i) for i in ids]


@batch_loader("media_by_post")
async def media_by_post(container: Container, post_ids: Sequence[int]) -> list[list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in await container.fetch(_MEDIA, list(post_ids)):
        grouped[row["post_id"]].append(row)
    return [grouped.get(i, []) for i in post_ids]


@batch_loader("viewer_reactions")
async def viewer_reactions(container: Container,
                           keys: Sequence[tuple[int, str, int]]) -> list[str | None]:
    rows = await container.fetch(_VIEWER_REACTIONS, list({k[0] for k in keys}),
                                 list({k[1] for k in keys}), list({k[2] for k in keys}))
    found = {(r["member_id"], r["target_type"], r["target_id"]): r["kind"] for r in rows}
    return [found.get(k) for k in keys]
