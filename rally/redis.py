"""The Redis client of a process, and key naming.

Keys carry a hash tag (`{...}`) on the part that must share a slot, so a Redis Cluster
can serve them.
"""

from __future__ import annotations

from redis.asyncio import Redis, from_url


def create_redis(url: str) -> Redis:
    return from_url(url, decode_responses=True, health_check_interval=30)


def key(*parts: object) -> str:
    return "rally:" + ":".join(str(p) for p in parts)
