"""Access tokens revoked before they expire (account deleted, member banned).

Access tokens are JWTs checked without a database read. A revocation writes
`rally:revoked:{member}` = revocation time into Redis for one access-token lifetime; each
process caches what it read for `CHECK_EVERY` seconds, so a revoked token stops working at once
in the revoking process and within seconds everywhere else, at one Redis read per member per
interval on the hot path.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from domain.members.credentials import AccessClaims

CHECK_EVERY = 5.0
CACHE_SIZE = 50_000


def _key(member_id: int) -> str:
    return f"rally:revoked:{member_id}"


class Revocations:
    def __init__(self, redis: Redis, access_ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = access_ttl_seconds
        # member id -> (checked at, revoked at or 0)
        self._seen: dict[int, tuple[float, float]] = {}

    async def revoke(self, member_id: int) -> None:
        now = time.time()
        await self._redis.set(_key(member_id), repr(now), ex=self._ttl + 60)
        self._seen[member_id] = (time.monotonic(), now)

    def forget_cached(self) -> None:
        """Drop what this process read (after Redis was flushed, e.g. between tests)."""
        self._seen.clear()

    async def is_revoked(self, claims: AccessClaims) -> bool:
        seen = self._seen.get(claims.member_id)
        if seen is None or time.monotonic() - seen[0] > CHECK_EVERY:
            value = await self._redis.get(_key(claims.member_id))
            if len(self._seen) >= CACHE_SIZE:
                self._seen.pop(next(iter(self._seen)))
            seen = (time.monotonic(), float(value) if value else 0.0)
            self._seen[claims.member_id] = seen
        return claims.issued_at <= seen[1]
