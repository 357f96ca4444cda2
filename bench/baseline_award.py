"""The thinnest check-in award: raw Starlette + asyncpg running the same statements as Rally's
checkIn (idempotency key, member row lock, check-in row, ledger entry with its sums, outbox)."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gamification.ledger import _APPEND

SECRET = os.environ["RALLY_SECRET"]
state: dict = {}
_NAMES = ["m", "delta", "earned", "reason", "stype", "sid", "note", "key", "reverses", "now",
          "week", "month"]
APPEND = re.sub(r"(?<!:):(\w+)", lambda m: f"${_NAMES.index(m.group(1)) + 1}", str(_APPEND))


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    state["pool"] = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=5, max_size=20)
    yield
    await state["pool"].close()


async def check_in(request: Request) -> Response:
    body = orjson.loads(await request.body())
    key = body["variables"]["key"]
    member = int(jwt.decode(request.headers["authorization"].split(" ", 1)[1], SECRET,
                            algorithms=["HS256"])["sub"])
    async with state["pool"].acquire() as conn, conn.transaction():
        now = await conn.fetchval("SELECT now()")
        today = now.date()
        await conn.execute("INSERT INTO idempotency_keys (member_id, operation, key, request_hash)"
                           " VALUES ($1, 'checkIn', $2, 'x')", member, key)
        await conn.execute("INSERT INTO member_points (member_id) VALUES ($1) "
                           "ON CONFLICT DO NOTHING", member)
        row = await conn.fetchrow("SELECT streak, last_check_in FROM member_points "
                                  "WHERE member_id = $1 FOR UPDATE", member)
        if row["last_check_in"] == today:
            return Response(orjson.dumps({"errors": [{"message": "already"}]}))
        points = await conn.fetchval("SELECT points FROM point_rules WHERE action = 'CHECK_IN'")
        await conn.execute("INSERT INTO check_ins (member_id, day, streak, points) "
                           "VALUES ($1, $2, 1, $3)", member, today, points)
        await conn.execute("UPDATE member_points SET streak = 1, last_check_in = $2 "
                           "WHERE member_id = $1", member, today)
        week = today.fromordinal(today.toordinal() - today.weekday())
        await conn.fetchrow(APPEND, member, points, points, "CHECK_IN", "CHECK_IN", None, "",
                            f"CHECK_IN:{member}:{today}", None, now, week, today.replace(day=1))
        await conn.execute("INSERT INTO outbox (topic, payload) VALUES ('points.changed', $1)",
                           orjson.dumps({"member_id": member, "at": datetime.now(UTC)}).decode())
    reward = {"points": points}
    return Response(orjson.dumps({"data": {"checkIn": {"streak": 1, "reward": reward}}}),
                    media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/graphql", check_in, methods=["POST"]),
                        Route("/healthz", healthz)], lifespan=lifespan)
