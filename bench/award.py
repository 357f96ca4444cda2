"""Check-in point awards through GraphQL (ledger entry + level/badge check + outbox) on one
worker, beside raw Starlette + asyncpg running the same statements (bench/baseline_award.py),
then how long the Redis board takes to reflect a commit.

    .venv/bin/python -m bench.award [--members 20000] [--seconds 8] [--connections 32]

Every request is a different member's first check-in of the day (wrk rotates the tokens), so
each one pays: a ledger row, the member's sums, the period sums, the check-in row, the
idempotency key and the outbox row, in one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import statistics
import time

import asyncpg
import httpx
from redis.asyncio import from_url

from bench.common import (
    BENCH_SECRET,
    LoadResult,
    compare,
    free_port,
    rally_server,
    run_wrk,
    servers,
    uvicorn_app,
)

CHECK_IN = ("mutation($key: String!) { checkIn(input: {idempotencyKey: $key}) "
            "{ streak reward { points } } }")

_LUA = """
wrk.method = "POST"
wrk.body = '{"query": "%s", "variables": {"key": "bench"}}'
wrk.headers["Content-Type"] = "application/json"
tokens = {%s}
i = 0
request = function()
  i = i + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[((i - 1) %% #tokens) + 1]
  return wrk.format()
end
"""


def wrk_rotating(name: str, url: str, tokens: list[str], connections: int, seconds: int) -> LoadResult:
    lua = _LUA % (CHECK_IN.replace('"', '\\"'), ",".join(f'"{t}"' for t in tokens))
    return run_wrk(name, url, lua, connections, seconds)


async def seed(env: dict[str, str], members: int) -> list[int]:
    conn = await asyncpg.connect(env["DATABASE_URL"])
    start = await conn.fetchval("SELECT coalesce(max(id), 0) FROM members")
    await conn.copy_records_to_table(
        "members", columns=["display_name", "referral_code"],
        records=((f"Player {start + i}", f"A{start + i:07d}") for i in range(members)))
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM members WHERE id > $1 ORDER BY id",
                                             start)]
    await conn.close()
    return ids


async def paid(env: dict[str, str], ids: list[int]) -> int:
    conn = await asyncpg.connect(env["DATABASE_URL"])
    count = await conn.fetchval("SELECT count(*) FROM check_ins WHERE member_id = ANY($1)", ids)
    await conn.close()
    return int(count)


async def board_lag(env: dict[str, str], url: str, tokens: list[tuple[int, str]]) -> list[float]:
    """Milliseconds from a checkIn's response to the member being on the weekly board."""
    from gamification.boards import RedisBoards
    from gamification.rules import BoardKind, period_of

    redis = from_url(env["REDIS_URL"], decode_responses=True)
    boards = RedisBoards(redis, "COMPETITION")
    lags = []
    async with httpx.AsyncClient() as http:
        for member_id, token in tokens:
            response = await http.post(url, json={"query": CHECK_IN, "variables": {"key": "lag"}},
                                       headers={"authorization": f"Bearer {token}"})
            assert "errors" not in response.json(), response.json()
            answered = time.perf_counter()
            week = period_of(BoardKind.WEEKLY, datetime.date.today())
            # Polling is the measurement: how soon a reader sees the commit on the board.
            while await boards.rank_of(f"lb:WEEKLY:{week.label}", member_id) is None:  # noqa: ASYNC110
                await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - answered) * 1000)
    await redis.aclose()
    return lags


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    from domain.members.credentials import Tokens
    from rally.settings import Settings

    tokens = Tokens(Settings(secret=BENCH_SECRET, env="prod"))
    with servers() as env:
        rally_ids = asyncio.run(seed(env, args.members))
        base_ids = asyncio.run(seed(env, args.members))
        lag_ids = asyncio.run(seed(env, 200))
        rally_tokens = [tokens.issue_access(m, ["MEMBER"])[0] for m in rally_ids]
        base_tokens = [tokens.issue_access(m, ["MEMBER"])[0] for m in base_ids]
        port, base_port = free_port(), free_port()
        with rally_server(env, port) as rally:
            result = wrk_rotating("rally  checkIn awards", rally + "/graphql", rally_tokens,
                                  args.connections, args.seconds)
            lags = asyncio.run(board_lag(env, rally + "/graphql", [
                (m, tokens.issue_access(m, ["MEMBER"])[0]) for m in lag_ids]))
        rally_paid = asyncio.run(paid(env, rally_ids))
        with uvicorn_app("bench.baseline_award:app", env, base_port, "baseline") as base:
            baseline = wrk_rotating("baseline (starlette+asyncpg)", base + "/graphql",
                                    base_tokens, args.connections, args.seconds)
        base_paid = asyncio.run(paid(env, base_ids))
    print(f"{args.connections} connections, {args.seconds} s each, 1 worker; "
          f"paid check-ins: rally {rally_paid}, baseline {base_paid}")
    print(compare(result, baseline))
    lags.sort()
    print(f"board lag after commit (weekly board, {len(lags)} check-ins one at a time): "
          f"p50 {statistics.median(lags):.1f} ms   p99 {lags[int(len(lags) * 0.99) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
