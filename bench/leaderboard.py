"""`leaderboard(kind: ALL_TIME, first: 100)` and `leaderboard(aroundMe: true)` with a board of
1,000,000 members, through `rally serve --workers 1` beside raw Starlette doing the same Redis
script and member lookup (bench/baseline_leaderboard.py).

    .venv/bin/python -m bench.leaderboard [--members 1000000] [--seconds 8] [--connections 32]

Members and their points are seeded straight into PostgreSQL with COPY and into Redis with
pipelined ZADD (RedisBoards.replace), then wrk drives each server in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from redis.asyncio import from_url

from bench.common import (
    BENCH_SECRET,
    compare,
    free_port,
    rally_server,
    servers,
    uvicorn_app,
    wrk,
)

TOP = {"query": "{ leaderboard(kind: ALL_TIME, first: 100) { edges { node { rank score "
                "user { id displayName } } } } }"}
AROUND = {"query": "{ leaderboard(kind: ALL_TIME, aroundMe: true) { edges { node { rank score "
                   "user { id displayName } } } } }"}


async def seed(env: dict[str, str], members: int) -> int:
    """`members` members with points; returns the id of one in the middle of the board."""
    from gamification.boards import RedisBoards

    began = time.monotonic()
    conn = await asyncpg.connect(env["DATABASE_URL"])
    await conn.copy_records_to_table(
        "members", columns=["display_name", "referral_code"],
        records=((f"Player {i}", f"B{i:07d}") for i in range(members)))
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM members ORDER BY id")]
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [(member_id, rng.randint(0, 50_000), base + timedelta(seconds=rng.randint(0, 10**7)), 1)
            for member_id in ids]
    await conn.copy_records_to_table(
        "member_points", columns=["member_id", "lifetime", "reached_at", "version"],
        records=((m, p, at, v) for m, p, at, v in rows))
    await conn.close()
    redis = from_url(env["REDIS_URL"], decode_responses=True)
    await RedisBoards(redis, "COMPETITION").replace("lb:ALL_TIME", rows)
    await redis.aclose()
    print(f"seeded {members} members in PostgreSQL (COPY) and Redis (pipelined ZADD) "
          f"in {time.monotonic() - began:.1f} s")
    return ids[len(ids) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with servers() as env:
        middle = asyncio.run(seed(env, args.members))
        from domain.members.credentials import Tokens
        from rally.settings import Settings

        token, _ = Tokens(Settings(secret=BENCH_SECRET, env="prod")).issue_access(middle, ["MEMBER"])
        results = {}
        rally_port, baseline_port = free_port(), free_port()
        with rally_server(env, rally_port) as rally:
            expected_top = httpx.post(rally + "/graphql", json=TOP).json()
            expected_around = httpx.post(rally + "/graphql", json=AROUND,
                                         headers={"authorization": f"Bearer {token}"}).json()
            assert len(expected_top["data"]["leaderboard"]["edges"]) == 100, expected_top
            wrk("warm-up", rally + "/graphql", TOP, None, args.connections, 2)
            results["rally top"] = wrk("rally  top-100", rally + "/graphql", TOP, None,
                                       args.connections, args.seconds)
            results["rally around"] = wrk("rally  aroundMe", rally + "/graphql", AROUND, token,
                                          args.connections, args.seconds)
        with uvicorn_app("bench.baseline_leaderboard:app", env, baseline_port, "baseline") as base:
            assert httpx.post(base + "/graphql", json=TOP).json() == expected_top
            got = httpx.post(base + "/graphql", json=AROUND,
                             headers={"authorization": f"Bearer {token}"}).json()
            assert got == expected_around, (got, expected_around)
            wrk("warm-up", base + "/graphql", TOP, None, args.connections, 2)
            results["base top"] = wrk("baseline top-100 (starlette)", base + "/graphql", TOP,
                                      None, args.connections, args.seconds)
            results["base around"] = wrk("baseline aroundMe (starlette)", base + "/graphql",
                                         AROUND, token, args.connections, args.seconds)
    print(f"{args.members} members on the board, {args.connections} connections, "
          f"{args.seconds} s each, 1 worker")
    print(compare(results["rally top"], results["base top"]))
    print(compare(results["rally around"], results["base around"]))


if __name__ == "__main__":
    main()
