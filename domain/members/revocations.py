"""Access tokens revoked before they expire (account deleted).

Access tokens are JWTs checked without a database read. A revocation adds the member to the
sorted set `rally:revoked` with the revocation time as its score; an entry older than one
access-token lifetime can no longer match a live token and is pruned. Each process holds the
whole (small: revocations are rare) set and reads it again at most every `check_every`
seconds, so a revoked token stops working at once in the revoking process and within seconds
everywhere else, at one Redis read per process per interval: never one per request, whoever
the caller is.
"""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from domain.members.credentials import AccessClaims

CHECK_EVERY = 5.0
_KEY = "rally:revoked"


class Revocations:
    def __init__(self, redis: Redis, access_ttl_seconds: int,
                 check_every: float = CHECK_EVERY) -> None:
        self._redis = redis
        self._ttl = access_ttl_seconds
        self._check_every = check_every
        self._revoked: dict[int, float] = {}  # member id -> revoked at (epoch seconds)
        self._mine: dict[int, float] = {}  # revoked here: kept through a read that raced them
        self._read_at = float("-inf")  # monotonic
        self._reading: asyncio.Future[None] | None = None

    def _oldest_that_matters(self, now: float) -> float:
        return now - self._ttl - 60

    async def revoke(self, member_id: int) -> None:
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(_KEY, {str(member_id): now})
            pipe.zremrangebyscore(_KEY, "-inf", self._oldest_that_matters(now))
            await pipe.execute()
        self._revoked[member_id] = self._mine[member_id] = now

    def forget_cached(self) -> None:
        """Drop what this process read (after Redis was flushed, e.g. between tests)."""
        self._revoked.clear()
        self._mine.clear()
        self._read_at = float("-inf")

    async def is_revoked(self, claims: AccessClaims) -> bool:
        if time.monotonic() - self._read_at > self._check_every:
            await self._read()
        revoked_at = self._revoked.get(claims.member_id)
        return revoked_at is not None and claims.issued_at <= revoked_at

    async def _read(self) -> None:
        """One read for all the requests that found the copy stale at the same moment."""
        if self._reading is None:
            self._reading = asyncio.get_running_loop().create_future()
            try:
                oldest = self._oldest_that_matters(time.time())
                entries: list[tuple[str, float]] = await self._redis.zrangebyscore(
                    _KEY, oldest, "+inf", withscores=True)  # type: ignore[assignment]
                self._mine = {m: at for m, at in self._mine.items() if at > oldest}
                self._revoked = {int(member): float(at) for member, at in entries} | self._mine
                self._read_at = time.monotonic()
                self._reading.set_result(None)
            except BaseException as error:
                self._reading.set_exception(error)
                self._reading.exception()  # retrieved: waiters re-raise it, nobody logs it
                raise
            finally:
                self._reading = None
        else:
            await asyncio.shield(self._reading)
