"""Re-running a whole use case when PostgreSQL aborted it as a deadlock victim.

Plays lock a prize's stock shard, then a coupon campaign's quota shard; a grant holds the
quota shards it took while it looks for the next one. Under heavy concurrency PostgreSQL
breaks the rare lock cycle by aborting one transaction (40P01). Everything the
use case did was rolled back with it, so running it again from the start is safe (and the
idempotency key still guarantees one outcome).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
ATTEMPTS = 3


async def retry_on_deadlock(use_case: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await use_case()
        except (DBAPIError, asyncpg.PostgresError) as error:
            # Raised through SQLAlchemy (wrapped) or by a statement run on the driver itself.
            cause = error.orig if isinstance(error, DBAPIError) else error
            if getattr(cause, "sqlstate", None) not in RETRYABLE or attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
