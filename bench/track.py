"""trackEvents ingestion on one uvicorn worker, beside a raw asyncpg insert baseline.

    .venv/bin/python bench/track.py [--seconds 15] [--concurrency 16] [--members 200]

Starts throw-away embedded PostgreSQL + Redis under a temp dir, migrates, registers members,
runs one uvicorn worker on 127.0.0.1, and sends batches of 50 events (each batch from one
member, fresh clientEventIds) from `concurrency` clients for `seconds`. Then inserts the same
shape of batches straight into `tracked_events` with asyncpg (no validation, dedup, rollups
or HTTP) as the ceiling, and the tracking service called in-process (validation, dedup,
rollups, no HTTP/GraphQL) to show where the time goes. Prints events/s, batch latency
p50/p99 and the ratio. Takes < 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rally.embedded import EmbeddedPostgres, EmbeddedRedis  # noqa: E402
from rally.migrate import upgrade  # noqa: E402

BATCH = 50
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
SECRET = "bench-secret-bench-secret-bench-secret-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def batch(member: int, seq: int) -> list[dict]:
    at = (datetime.now(UTC) - timedelta(seconds=30)).isoformat()
    return [{"clientEventId": f"{member}-{seq}-{i}", "kind": ("VIEW", "CLICK", "DWELL")[i % 3],
             "targetId": "UG9zdDox", "durationMs": 1200 if i % 3 == 2 else None,
             "occurredAt": at} for i in range(BATCH)]


async def prepare(env: dict[str, str], count: int, seconds: float, concurrency: int
                  ) -> tuple[list[str], tuple[int, list[float]]]:
    """Register the members; then time the tracking service alone (no HTTP, no GraphQL)."""
    os.environ.update(env)
    from api.container import Container
    from domain.analytics.rules import EventKind, TrackedEvent
    from rally.settings import get_settings

    get_settings.cache_clear()
    container = Container.build(get_settings())
    try:
        sessions = await asyncio.gather(*[
            container.members.register(f"bench{n}@example.com", "bench password 1", f"Bench {n}")
            for n in range(count)])
        ids = [s.member.id for s in sessions]
        # Events are validated against visible targets: the Post 1 they name must exist.
        from domain.community.posts import PostDraft

        await container.posts.create(ids[0], PostDraft("The post every bench event looks at"))
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        async def worker(n: int) -> int:
            seq = stored = 0
            while time.perf_counter() < deadline:
                seq += 1
                at = datetime.now(UTC) - timedelta(seconds=30)
                events = [TrackedEvent(f"svc-{n}-{seq}-{i}", EventKind.VIEW, "Post", 1, None, at,
                                       None) for i in range(BATCH)]
                started = time.perf_counter()
                stored += (await container.tracking.track(ids[(n + seq) % len(ids)], events)).accepted
                latencies.append(time.perf_counter() - started)
            return stored

        stored = sum(await asyncio.gather(*[worker(n) for n in range(concurrency)]))
        return [s.access_token for s in sessions], (stored, latencies)
    finally:
        await container.close()


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                if (await http.get(url + "/healthz")).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


async def drive_api(url: str, tokens: list[str], seconds: float, concurrency: int) -> tuple[int, list[float]]:
    latencies: list[float] = []
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal sent
        seq = 0
        while time.perf_counter() < deadline:
            token = tokens[(n + seq * concurrency) % len(tokens)]
            seq += 1
            started = time.perf_counter()
            r = await http.post("/graphql", json={"query": TRACK, "variables": {
                "input": {"events": batch(n, seq)}}}, headers={"authorization": f"Bearer {token}"})
            body = r.json()
            assert "errors" not in body, body
            latencies.append(time.perf_counter() - started)
            sent += body["data"]["trackEvents"]["accepted"]

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        await asyncio.gather(*[client(n, http) for n in range(concurrency)])
    return sent, latencies


async def drive_raw(dsn: str, seconds: float, concurrency: int) -> tuple[int, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=concurrency, max_size=concurrency)
    latencies: list[float] = []
    sent = 0
    deadline = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        nonlocal sent
        seq = 0
        while time.perf_counter() < deadline:
            seq += 1
            now = datetime.now(UTC)
            rows = [(n, f"raw-{n}-{seq}-{i}", "VIEW", "Post", 1, None, now, now)
                    for i in range(BATCH)]
            started = time.perf_counter()
            async with pool.acquire() as conn:
                await conn.executemany(
                    "INSERT INTO tracked_events (member_id, client_event_id, kind, target_type, "
                    "target_id, duration_ms, occurred_at, received_at) "
                    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8)", rows)
            latencies.append(time.perf_counter() - started)
            sent += BATCH

    await asyncio.gather(*[worker(n) for n in range(concurrency)])
    await pool.close()
    return sent, latencies


def summary(name: str, events: int, latencies: list[float], seconds: float) -> float:
    rate = events / seconds
    q = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {rate:>9.0f} events/s   batch p50 {q[49] * 1000:6.1f} ms   "
          f"p99 {q[98] * 1000:6.1f} ms   ({len(latencies)} batches)")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--raw-seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rally-bench-") as tmp:
        pg, redis = EmbeddedPostgres(Path(tmp) / "pg"), EmbeddedRedis(Path(tmp) / "redis",
                                                                      persistent=False)
        dsn, redis_url = pg.start("bench"), redis.start()
        server = None
        try:
            upgrade(dsn)
            env = {"DATABASE_URL": dsn, "REDIS_URL": redis_url, "RALLY_ENV": "test",
                   "RALLY_SECRET": SECRET, "RALLY_PASSWORD_TIME_COST": "1",
                   "RALLY_PASSWORD_MEMORY_KIB": "1024", "RALLY_LOG_LEVEL": "WARNING"}
            tokens, (svc_events, svc_lat) = asyncio.run(
                prepare(env, args.members, args.raw_seconds, args.concurrency))
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
                 "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                 "--log-level", "warning", "--no-access-log"],
                cwd=ROOT, env={**os.environ, **env})
            url = f"http://127.0.0.1:{port}"
            asyncio.run(wait_ready(url))
            api_events, api_lat = asyncio.run(drive_api(url, tokens, args.seconds, args.concurrency))
            server.terminate()
            server.wait(10)
            server = None
            raw_events, raw_lat = asyncio.run(drive_raw(dsn, args.raw_seconds, args.concurrency))
            print(f"batches of {BATCH}, {args.concurrency} concurrent clients, one uvicorn worker")
            api_rate = summary("trackEvents over HTTP", api_events, api_lat, args.seconds)
            summary("tracking service, no HTTP", svc_events, svc_lat, args.raw_seconds)
            raw_rate = summary("raw asyncpg executemany", raw_events, raw_lat, args.raw_seconds)
            print(f"ratio trackEvents / raw insert: {api_rate / raw_rate:.2f}   "
                  f"target >= 2000 events/s: {'met' if api_rate >= 2000 else 'NOT met'}")
        finally:
            if server is not None:
                server.terminate()
                server.wait(10)
            redis.stop()
            pg.stop()


if __name__ == "__main__":
    main()
