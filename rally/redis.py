"""The Redis client of a process, and key naming.

Keys carry a hash tag (`{...}`) on the part that must share a slot, so a Redis Cluster
can serve them.
"""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis


def create_redis(url: str, max_connections: int = 64, wait_seconds: float = 5.0) -> Redis:
    """A client whose pool makes a burst of requests wait for a free connection (up to
    `wait_seconds`) instead of failing: Redis answers in microseconds, so a few dozen
    connections serve thousands of concurrent requests."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=wait_seconds, decode_responses=True,
        health_check_interval=30)
    return Redis.from_pool(pool)


def key(*parts: object) -> str:
    return "rally:" + ":".join(str(p) for p in parts)
