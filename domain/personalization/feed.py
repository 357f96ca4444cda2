"""The personalized feed: pages ranked at request time, remembered per feed session.

A feed session lives in Redis while the member keeps reading (`feed_session_ttl_seconds` of
idleness ends it): the set of posts already served, and each page served. A page is ranked
when first asked for, so what the member did since the previous page (a reaction, a follow)
changes it at once; asking again with the same cursor replays the stored page, so paging is
stable and never shows a post twice in a session. A fresh request (no cursor) ranks again,
still without what the session already served, and starts a new session once everything
was served.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis

from domain.community.queries import POST_COLUMNS
from domain.personalization.ranking import CANDIDATES_SQL, Ranked, diversify
from domain.privacy.service import Purpose, default_for
from rally.errors import InvalidInput
from rally.redis import key
from rally.settings import Settings

Fetch = Callable[..., Awaitable[Sequence[Any]]]

_REPLAY_SQL = f"""
SELECT {POST_COLUMNS} FROM posts p WHERE p.id = ANY($2::bigint[]) AND p.status = 'PUBLISHED'
  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id)
                  OR (b.blocker_id = p.author_id AND b.blocked_id = $1))"""


@dataclass(frozen=True)
class FeedPage:
    items: list[Ranked]
    has_next: bool
    session: str
    number: int


def feed_cursor(page: FeedPage, index: int) -> tuple[Any, ...]:
    """Every edge of a page leads to the next page of the same session."""
    return (page.session, page.number, index)


class PersonalFeed:
    def __init__(self, fetch: Fetch, redis: Redis, settings: Settings) -> None:
        self._fetch = fetch
        self._redis = redis
        self._settings = settings
        self._ttl = settings.feed_session_ttl_seconds

    async def page(self, viewer_id: int, size: int, after: tuple[Any, ...] | None) -> FeedPage:
        if after is None:
            session = await self._current_session(viewer_id)
            page = await self._rank(viewer_id, session, 1, size)
            if not page.items and await self._redis.scard(self._seen(viewer_id, session)):
                # Everything was served: start over with a new session.
                page = await self._rank(viewer_id, await self._new_session(viewer_id), 1, size)
            return page
        session, number = _parse_cursor(after)
        stored = await self._redis.get(self._page(viewer_id, session, number + 1))
        if stored is not None:
            return await self._replay(viewer_id, session, number + 1, str(stored))
        return await self._rank(viewer_id, session, number + 1, size)

    async def _rank(self, viewer_id: int, session: str, number: int, size: int) -> FeedPage:
        s = self._settings
        seen = [int(v) for v in await self._redis.smembers(self._seen(viewer_id, session))]
        rows = await self._fetch(
            CANDIDATES_SQL, viewer_id, default_for(s, Purpose.PERSONALIZATION),
            s.interest_half_life_days * 86400, s.feed_interest_tags, s.feed_candidates_per_source,
            seen, size * 4 + 10, s.feed_fresh_half_life_hours)
        items, has_next = diversify(rows, size, s.feed_max_posts_per_author)
        page = FeedPage(items, has_next, session, number)
        await self._remember(viewer_id, page)
        return page

    async def _remember(self, viewer_id: int, page: FeedPage) -> None:
        seen = self._seen(viewer_id, page.session)
        stored = orjson.dumps({"next": page.has_next,
                               "items": [[r.record["id"], r.reason] for r in page.items]})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._page(viewer_id, page.session, page.number), stored, ex=self._ttl)
            if page.items:
                pipe.sadd(seen, *[r.record["id"] for r in page.items])
            pipe.expire(seen, self._ttl)
            pipe.expire(self._session_key(viewer_id), self._ttl)
            await pipe.execute()

    async def _replay(self, viewer_id: int, session: str, number: int, stored: str) -> FeedPage:
        data = orjson.loads(stored)
        ids = [post_id for post_id, _ in data["items"]]
        rows = {r["id"]: r for r in await self._fetch(_REPLAY_SQL, viewer_id, ids)}
        # Posts hidden or blocked since the page was ranked drop out of the replay.
        items = [Ranked(rows[post_id], reason) for post_id, reason in data["items"]
                 if post_id in rows]
        return FeedPage(items, data["next"], session, number)

    async def _current_session(self, viewer_id: int) -> str:
        session = await self._redis.get(self._session_key(viewer_id))
        return str(session) if session is not None else await self._new_session(viewer_id)

    async def _new_session(self, viewer_id: int) -> str:
        session = secrets.token_hex(6)
        await self._redis.set(self._session_key(viewer_id), session, ex=self._ttl)
        return session

    @staticmethod
    def _session_key(viewer_id: int) -> str:
        return key("feed", viewer_id, "session")

    @staticmethod
    def _seen(viewer_id: int, session: str) -> str:
        return key("feed", viewer_id, session, "seen")

    @staticmethod
    def _page(viewer_id: int, session: str, number: int) -> str:
        return key("feed", viewer_id, session, "page", number)


def _parse_cursor(after: tuple[Any, ...]) -> tuple[str, int]:
    if (len(after) != 3 or not isinstance(after[0], str) or not after[0].isalnum()
            or not isinstance(after[1], int) or not 1 <= after[1] <= 10_000):
        raise InvalidInput("malformed cursor")
    return after[0], after[1]
