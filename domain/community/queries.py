"""Hot reads of the community on the asyncpg read pool: one statement per page or batch.

Lists never show hidden, removed, others' pending, or blocked (either way) content.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.pagination import Page, PageRequest
from rally.errors import InvalidInput

Fetch = Callable[..., Awaitable[Sequence[Any]]]

POST_COLUMNS = ("p.id, p.author_id, p.body, p.status, p.topics, p.reaction_count, "
                "p.reaction_counts::text AS reaction_counts, p.comment_count, p.share_count, "
                "p.hot_score, p.created_at, p.edited_at")
COMMENT_COLUMNS = ("c.id, c.post_id, c.author_id, c.parent_id, c.body, c.status, "
                   "c.reaction_count, c.reaction_counts::text AS reaction_counts, c.reply_count, "
                   "c.created_at")
# $1 is the viewer (0 for a visitor).
_NOT_BLOCKED = ("NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = {a})"
                " OR (b.blocker_id = {a} AND b.blocked_id = $1))")
_VISIBLE_POST = "(p.status = 'PUBLISHED' AND " + _NOT_BLOCKED.format(a="p.author_id") + ")"
_VISIBLE_COMMENT = ("(c.status = 'PUBLISHED' OR (c.status = 'PENDING' AND c.author_id = $1)) AND "
                    + _NOT_BLOCKED.format(a="c.author_id"))


# What a page of posts may carry beside each post, in the page's own statement (one round
# trip for the page instead of one per relation), each in a column named after it: the
# author's members row, the media rows in order, and the viewer's reaction kind ($1).
POST_RELATIONS = {
    "author": "(SELECT m FROM members m WHERE m.id = p.author_id)",
    "media": "(SELECT array_agg(x ORDER BY x.position) FROM media x WHERE x.post_id = p.id)",
    "viewer_reaction": ("(SELECT r.kind FROM reactions r WHERE r.member_id = $1"
                        " AND r.target_type = 'POST' AND r.target_id = p.id)"),
}


class PostOrder(StrEnum):
    LATEST = "LATEST"
    HOT = "HOT"


@dataclass(frozen=True)
class PostRow:
    """Sort keys travel with each row so the API can build cursors."""

    record: Any
    cursor: tuple[Any, ...]


def _cursor_values(page: PageRequest, size: int) -> tuple[Any, ...] | None:
    if page.after is None:
        return None
    if len(page.after) != size:
        raise InvalidInput("malformed cursor")
    return page.after


class CommunityReader:
    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch

    async def posts(self, viewer_id: int | None, page: PageRequest, topic: str | None = None,
                    order: PostOrder = PostOrder.LATEST, author_id: int | None = None,
                    relations: frozenset[str] = frozenset()) -> Page[PostRow]:
        """A page of visible posts, each row with the `POST_RELATIONS` asked for."""
        args: list[Any] = [viewer_id or 0]
        where = []
        if author_id is not None:
            args.append(author_id)
            where.append(f"p.author_id = ${len(args)} AND (p.status = 'PUBLISHED' OR "
                         f"(p.status = 'PENDING' AND p.author_id = $1)) AND "
                         + _NOT_BLOCKED.format(a="p.author_id"))
        else:
            where.append(_VISIBLE_POST)
        if topic is not None:
            args.append(topic)
            where.append(f"p.topics @> ARRAY[${len(args)}]::varchar[]")
        if order is PostOrder.HOT:
            key, sort = "(p.hot_score, p.id)", "p.hot_score DESC, p.id DESC"
            after = _cursor_values(page, 2)
        else:
            key, sort = "p.id", "p.id DESC"
            after = _cursor_values(page, 1)
        if after is not None:
            start = len(args)
            args.extend(after)
            marks = ", ".join(f"${start + i + 1}" for i in range(len(after)))
            where.append(f"{key} < ({marks})" if len(after) > 1 else f"{key} < {marks}")
        args.append(page.first + 1)
        columns = ", ".join([POST_COLUMNS, *(f"{POST_RELATIONS[r]} AS {r}" for r in sorted(relations))])
        sql = (f"SELECT {columns} FROM posts p WHERE {' AND '.join(where)} "
               f"ORDER BY {sort} LIMIT ${len(args)}")
        rows = await self._fetch(sql, *args)
        keyed = [PostRow(r, (r["hot_score"], r["id"]) if order is PostOrder.HOT else (r["id"],))
                 for r in rows]
        return Page(keyed[: page.first], len(keyed) > page.first)

    async def comments(self, viewer_id: int | None, page: PageRequest, post_id: int | None = None,
                       parent_id: int | None = None) -> Page[Any]:
        """Oldest first: top-level comments of a post, or the replies of a comment."""
        args: list[Any] = [viewer_id or 0]
        if parent_id is not None:
            args.append(parent_id)
            where = [f"c.parent_id = ${len(args)}"]
        else:
            args.append(post_id)
            where = [f"c.post_id = ${len(args)}", "c.parent_id IS NULL"]
        where.append(_VISIBLE_COMMENT)
        after = _cursor_values(page, 1)
        if after is not None:
            args.append(after[0])
            where.append(f"c.id > ${len(args)}")
        args.append(page.first + 1)
        rows = await self._fetch(
            f"SELECT {COMMENT_COLUMNS} FROM comments c WHERE {' AND '.join(where)} "
            f"ORDER BY c.id LIMIT ${len(args)}", *args)
        return Page(list(rows[: page.first]), len(rows) > page.first)

    async def follows(self, member_id: int, page: PageRequest, followers: bool) -> Page[int]:
        """Ids of the members following `member_id` (or that he follows), newest first."""
        mine, other = ("followee_id", "follower_id") if followers else ("follower_id", "followee_id")
        args: list[Any] = [member_id]
        where = f"{mine} = $1"
        after = _cursor_values(page, 1)
        if after is not None:
            args.append(after[0])
            where += f" AND {other} < $2"
        args.append(page.first + 1)
        rows = await self._fetch(
            f"SELECT {other} AS id FROM member_follows WHERE {where} ORDER BY {other} DESC "
            f"LIMIT ${len(args)}", *args)
        ids = [r["id"] for r in rows]
        return Page(ids[: page.first], len(ids) > page.first)
