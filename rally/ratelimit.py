"""Sliding-window rate limits in Redis, checked and counted in one Lua round trip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from rally.errors import RateLimited
from rally.redis import key

# KEYS[1] window zset; ARGV: limit, window ms, consume (0|1), member id.
# Returns {allowed, retry_after_ms, count}. Reading TIME inside keeps clocks consistent.
_SLIDING_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local retry = window
  if oldest[2] then retry = tonumber(oldest[2]) + window - now end
  return {0, retry, count}
end
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
end
return {1, 0, count}
"""


# KEYS: the windows' zsets, then the claim key; ARGV: the number of windows, limit and window
# ms per window, member id, claim ttl s. Every window is checked before any is counted, and the
# claim (SET NX) is taken only when all have room: a refused action counts nowhere.
# Returns {0, index of the full window, retry_after_ms}, {0, 0, 0} when the claim is taken
# already, {1, 0, 0} when the action was counted in every window and the claim taken.
_WINDOWS_AND_CLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
for i = 1, n do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local retry = window
    if oldest[2] then retry = tonumber(oldest[2]) + window - now end
    return {0, i, retry}
  end
end
if not redis.call('SET', KEYS[n + 1], '1', 'NX', 'EX', ARGV[2 * n + 3]) then
  return {0, 0, 0}
end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[2 * n + 2])
  redis.call('PEXPIRE', KEYS[i], ARGV[2 * i + 1])
end
return {1, 0, 0}
"""


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: float

    def describe(self) -> str:
        return f"{self.limit} per {int(self.window_seconds)} s"


class RateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SLIDING_WINDOW)
        self._windows_and_claim = redis.register_script(_WINDOWS_AND_CLAIM)

    async def hit_all_and_claim(self, limits: list[tuple[Limit, str]], subject: str,
                                claim_key: str, claim_seconds: int) -> bool:
        """One round trip: RateLimited (with that limit's message) when any window is full;
        otherwise False when `claim_key` is held already, True when the action is counted in
        every window and the claim taken. Nothing is counted unless True. `claim_key` must
        carry the subject's hash tag ("{subject}") so that all keys share a slot."""
        keys = [key("rl", limit.name, "{" + subject + "}") for limit, _ in limits]
        args: list[int | str] = [len(limits)]
        for limit, _ in limits:
            args += [limit.limit, int(limit.window_seconds * 1000)]
        args += [uuid.uuid4().hex, claim_seconds]
        allowed, index, retry_ms = await self._windows_and_claim(keys=[*keys, claim_key],
                                                                  args=args)
        if allowed:
            return True
        if int(index) == 0:
            return False
        limit, message = limits[int(index) - 1]
        raise RateLimited(message, retry_after=int(retry_ms) / 1000, limit=limit.name)

    async def _run(self, limit: Limit, subject: str, consume: bool) -> tuple[bool, float]:
        allowed, retry_ms, _ = await self._script(
            keys=[key("rl", limit.name, "{" + subject + "}")],
            args=[limit.limit, int(limit.window_seconds * 1000), "1" if consume else "0",
                  uuid.uuid4().hex],
        )
        return bool(allowed), int(retry_ms) / 1000

    async def hit(self, limit: Limit, subject: str, message: str | None = None) -> None:
        """Count one action; RateLimited (nothing counted) when the window is full."""
        allowed, retry_after = await self._run(limit, subject, consume=True)
        if not allowed:
            raise RateLimited(
                message or f"too many requests ({limit.describe()}); try again later",
                retry_after=retry_after,
                limit=limit.name,
            )

    async def check(self, limit: Limit, subject: str, message: str | None = None) -> None:
        """Refuse when the window is full, without counting (e.g. before verifying a password)."""
        allowed, retry_after = await self._run(limit, subject, consume=False)
        if not allowed:
            raise RateLimited(
                message or f"too many attempts ({limit.describe()}); try again later",
                retry_after=retry_after,
                limit=limit.name,
            )

    async def record(self, limit: Limit, subject: str) -> None:
        """Count one event whatever the window holds (e.g. a failed login)."""
        await self._run(limit, subject, consume=True)
