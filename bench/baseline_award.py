"""The thinnest check-in award: raw Starlette + asyncpg running Rally's own checkIn statements
(claim the key and lock the member, the ledger entry with its sums, the day's counter, the
running-challenge lookup, the check-in row, the outbox), imported from Rally's code."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bench.common import run_sql
from domain.analytics.rollups import _ADD_COUNTS
from gamification.campaigns.progress import _RUNNING
from gamification.ledger import _APPEND
from gamification.service import _CLAIM_AND_LOCK, _RECORD_CHECK_IN
from rally.uow import _OUTBOX_INSERT

SECRET = os.environ["RALLY_SECRET"]
state: dict = {}


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
        figures = await run_sql(conn, "fetchrow", _CLAIM_AND_LOCK, m=member, key=key, hash="x")
        now = figures["now"]
        today = now.date()
        if not figures["claimed"] or figures["last_check_in"] == today:
            return Response(orjson.dumps({"errors": [{"message": "already"}]}))
        points = figures["points"] or 10
        week = today.fromordinal(today.toordinal() - today.weekday())
        await run_sql(conn, "fetchrow", _APPEND, m=member, delta=points, earned=points,
                  reason="CHECK_IN", stype="CHECK_IN", sid=None, note="day 1",
                  key=f"CHECK_IN:{member}:{today}", reverses=None, now=now, week=week,
                  month=today.replace(day=1))
        await run_sql(conn, "execute", _ADD_COUNTS, shard=member % 16, days=[today],
                  metrics=["check_ins"], values=[1])
        await run_sql(conn, "fetch", _RUNNING, member_id=member, action="CHECK_IN")
        await run_sql(conn, "execute", _RECORD_CHECK_IN, m=member, d=today, s=1, p=points, key=key,
                  response=orjson.dumps({"day": today.isoformat(), "streak": 1}).decode())
        event = orjson.dumps({"member_id": member, "at": datetime.now(UTC)}).decode()
        await run_sql(conn, "execute", _OUTBOX_INSERT, topics=["points.changed", "checked_in"],
                  payloads=[event, event])
    reward = {"points": points}
    return Response(orjson.dumps({"data": {"checkIn": {"streak": 1, "reward": reward}}}),
                    media_type="application/json")


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/graphql", check_in, methods=["POST"]),
                        Route("/healthz", healthz)], lifespan=lifespan)
