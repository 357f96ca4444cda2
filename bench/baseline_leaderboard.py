"""The thinnest leaderboard: raw Starlette doing the same Redis script and member lookup.

POST /graphql answers the top-100 (no token) or around-me (with a token) as Rally's JSON.
"""

from __future__ import annotations

import base64
import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
import jwt
import orjson
from redis.asyncio import from_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gamification.boards import RedisBoards

SECRET = os.environ["RALLY_SECRET"]
BOARD = "lb:ALL_TIME"
state: dict = {}


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    state["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=20)
    redis = from_url(os.environ["REDIS_URL"], decode_responses=True)
    state["boards"] = RedisBoards(redis, "COMPETITION")
    yield
    await state["pool"].close()
    await redis.aclose()


def gid(pk: int) -> str:
    return base64.urlsafe_b64encode(f"User:{pk}".encode()).decode().rstrip("=")


async def leaderboard(request: Request) -> Response:
    await request.body()
    header = request.headers.get("authorization")
    if header:
        member = int(jwt.decode(header.split(" ", 1)[1], SECRET, algorithms=["HS256"])["sub"])
        page = await state["boards"].range(BOARD, 0, 0, around_member=member, around=5)
    else:
        page = await state["boards"].range(BOARD, 0, 100)
    rows = await state["pool"].fetch("SELECT id, display_name FROM members WHERE id = ANY($1)",
                                     [e.member_id for e in page.entries])
    names = {r["id"]: r["display_name"] for r in rows}
    edges = [{"node": {"rank": e.rank, "score": e.score,
                       "user": {"id": gid(e.member_id), "displayName": names[e.member_id]}}}
             for e in page.entries]
    return Response(orjson.dumps({"data": {"leaderboard": {"edges": edges}}}),
                    media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/graphql", leaderboard, methods=["POST"]),
                        Route("/healthz", healthz)], lifespan=lifespan)
