"""The thinnest possible `me`: raw Starlette + asyncpg, same JWT check, same row, same JSON."""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

SECRET = os.environ["RALLY_SECRET"]
pool: asyncpg.Pool | None = None


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global pool
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=20)
    yield
    await pool.close()


async def me(request: Request) -> Response:
    await request.body()
    token = request.headers["authorization"].split(" ", 1)[1]
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert pool is not None
    row = await pool.fetchrow("SELECT id, display_name, roles FROM members WHERE id = $1",
                              int(claims["sub"]))
    gid = base64.urlsafe_b64encode(f"User:{row['id']}".encode()).decode().rstrip("=")
    body = {"data": {"me": {"id": gid, "displayName": row["display_name"], "roles": list(row["roles"])}}}
    return Response(orjson.dumps(body), media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/graphql", me, methods=["POST"]), Route("/healthz", healthz)],
                lifespan=lifespan)
