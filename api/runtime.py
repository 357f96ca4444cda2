"""Where PostgreSQL and Redis come from: the URLs given, or embedded servers we start."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from rally.embedded import EmbeddedServers
from rally.settings import Settings, get_settings


@dataclass(frozen=True)
class Runtime:
    database_url: str
    redis_url: str


@contextlib.contextmanager
def runtime(settings: Settings) -> Iterator[Runtime]:
    """Starts what is missing, exports the URLs for worker processes, stops it on exit."""
    servers = EmbeddedServers(settings.data_dir)
    try:
        database_url = settings.database_url or servers.start_postgres()
        redis_url = settings.redis_url or servers.start_redis()
        os.environ["DATABASE_URL"] = database_url
        os.environ["REDIS_URL"] = redis_url
        settings.database_url, settings.redis_url = database_url, redis_url
        get_settings.cache_clear()
        yield Runtime(database_url, redis_url)
    finally:
        servers.stop()
