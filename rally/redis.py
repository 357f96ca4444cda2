"""The Redis client of a process, and key naming.

Keys carry a hash tag (`{...}`) on the part that must share a slot, so a Redis Cluster
can serve them.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def create_redis(url: str, max_connections: int = 200) -> Redis:
    # A burst of concurrent requests waits for a pooled connection instead of failing with
    # "Too many connections" (redis-py's default pool raises past 100).
    pool = BlockingConnectionPool.from_url(url, decode_responses=True, health_check_interval=30,
                                           max_connections=max_connections, timeout=10)
    return Redis.from_pool(pool)  # owns the pool: aclose() closes it


def key(*parts: object) -> str:
    return "rally:" + ":".join(str(p) for p in parts)
