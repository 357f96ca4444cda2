"""The thinnest `posts(first: 20)` and `createPost`: raw Starlette + asyncpg, same JWT check,
same data, same JSON as Rally (the feed page is checked equal before the run)."""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

SECRET = os.environ["RALLY_SECRET"]
KINDS = ("LIKE", "LOVE", "HAHA", "WOW", "SAD", "ANGRY")
pool: asyncpg.Pool | None = None

PAGE_SQL = """
SELECT p.id, p.body, p.topics, p.created_at, p.status, p.reaction_count,
       p.reaction_counts::text AS counts, p.comment_count, m.id AS author_id, m.display_name,
       m.avatar_url, r.kind AS viewer_kind,
       (SELECT coalesce(json_agg(json_build_object('kind', x.kind, 'url', x.url,
                 'width', x.width, 'height', x.height) ORDER BY x.position), '[]')
          FROM media x WHERE x.post_id = p.id)::text AS media
FROM (SELECT * FROM posts p WHERE p.status = 'PUBLISHED' AND NOT EXISTS (
        SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id)
        OR (b.blocker_id = p.author_id AND b.blocked_id = $1))
      ORDER BY p.id DESC LIMIT 21) p
JOIN members m ON m.id = p.author_id
LEFT JOIN reactions r ON r.target_type = 'POST' AND r.target_id = p.id AND r.member_id = $1
ORDER BY p.id DESC
"""


def gid(kind: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{pk}".encode()).decode().rstrip("=")


def cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([pk])).decode().rstrip("=")


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=20)
    yield
    await pool.close()


def _viewer(request: Request) -> int:
    token = request.headers["authorization"].split(" ", 1)[1]
    return int(jwt.decode(token, SECRET, algorithms=["HS256"])["sub"])


def _node(row: Any) -> dict[str, Any]:
    counts = orjson.loads(row["counts"])
    return {"id": gid("Post", row["id"]), "body": row["body"], "topics": list(row["topics"]),
            "createdAt": row["created_at"].isoformat(), "status": row["status"],
            "author": {"id": gid("User", row["author_id"]), "displayName": row["display_name"],
                       "avatarUrl": row["avatar_url"]},
            "media": orjson.loads(row["media"]), "reactionCount": row["reaction_count"],
            "reactionCounts": [{"kind": k, "count": counts[k]} for k in KINDS if counts.get(k)],
            "commentCount": row["comment_count"], "viewerReaction": row["viewer_kind"]}


async def graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    viewer = _viewer(request)
    assert pool is not None
    if "createPost" in body["query"]:
        async with pool.acquire() as conn, conn.transaction():
            pk = await conn.fetchval(
                "INSERT INTO posts (author_id, body, status, topics, hot_score) VALUES "
                "($1, $2, 'PUBLISHED', $3, extract(epoch from now()) / 45000) RETURNING id",
                viewer, body["variables"]["b"], ["run", "tea", "gear"])
            await conn.execute("INSERT INTO outbox (topic, payload) VALUES ('post.created', '{}')")
        data = {"createPost": {"post": {"id": gid("Post", pk)}}}
    else:
        rows = await pool.fetch(PAGE_SQL, viewer)
        edges = [{"cursor": cursor(r["id"]), "node": _node(r)} for r in rows[:20]]
        data = {"posts": {"edges": edges, "pageInfo": {
            "hasNextPage": len(rows) > 20, "endCursor": edges[-1]["cursor"] if edges else None}}}
    return Response(orjson.dumps({"data": data}), media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)],
                lifespan=lifespan)
