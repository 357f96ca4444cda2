"""Leaderboards in Redis: one sorted set per board, written with ABSOLUTE scores.

Keys share a hash tag per board (`rally:{lb:WEEKLY:2026-11-30}:z|v|n`) so a Redis Cluster
keeps a board's keys on one slot. `z` holds the scores, `v` each member's last applied
version (an older event never overwrites a newer score, so replays and two relays racing
are harmless), `n` the board's version (bumped on every write; renders are cached per `n`).

Score encoding: points * 2^28 + (2^28 - 1 - seconds since 2025-01-01 when reached), so equal
points list the member who reached them first, first. Ranks are competition ranks
(1, 2, 2, 4): 1 + the number of members with strictly more points, an O(log N) ZCOUNT.
With `leaderboard_ranks = EARLIEST_FIRST` ranks are 1..N in that order. The time part
saturates after 2033 (ties then list by member id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from rally.redis import key as redis_key

SLOT_BITS = 2**28
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def encode_score(points: int, reached_at: datetime) -> float:
    seconds = int((reached_at - _EPOCH).total_seconds())
    seconds = min(max(seconds, 0), SLOT_BITS - 1)
    return float(points * SLOT_BITS + (SLOT_BITS - 1 - seconds))


def decode_points(score: float) -> int:
    return int(score // SLOT_BITS)


def board_name(kind: str, qualifier: str | int | None = None) -> str:
    return f"lb:{kind}" + (f":{qualifier}" if qualifier not in (None, "") else "")


def keys_of(name: str) -> tuple[str, str, str]:
    tag = "{" + name + "}"
    return redis_key(tag, "z"), redis_key(tag, "v"), redis_key(tag, "n")


_SET = """
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored and tonumber(stored) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('INCR', KEYS[3])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl) redis.call('EXPIRE', KEYS[2], ttl)
  redis.call('EXPIRE', KEYS[3], ttl)
end
return 1
"""

# Returns {board version, size, rank of the first entry, member, score, member, score…};
# only {version} when the caller's cached version is current.
_RANGE = """
local n = redis.call('GET', KEYS[2]) or '0'
if ARGV[4] == n then return {n} end
local start, stop = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[5] ~= '' then
  local r = redis.call('ZREVRANK', KEYS[1], ARGV[5])
  if not r then return {n, redis.call('ZCARD', KEYS[1]), -1} end
  start = math.max(r - tonumber(ARGV[6]), 0)
  stop = r + tonumber(ARGV[6])
end
local items = redis.call('ZREVRANGE', KEYS[1], start, stop, 'WITHSCORES')
local first = start + 1
if #items > 0 and ARGV[3] == 'COMPETITION' then
  local slot = tonumber(ARGV[7])
  local points = math.floor(tonumber(items[2]) / slot)
  first = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', (points + 1) * slot - 1), '+inf') + 1
end
local out = {n, redis.call('ZCARD', KEYS[1]), first, start}
for i = 1, #items do out[#out + 1] = items[i] end
return out
"""

_RANK = """
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s then return false end
if ARGV[2] == 'COMPETITION' then
  local slot = tonumber(ARGV[3])
  local points = math.floor(tonumber(s) / slot)
  return redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', (points + 1) * slot - 1), '+inf') + 1
end
return redis.call('ZREVRANK', KEYS[1], ARGV[1]) + 1
"""


@dataclass(frozen=True)
class BoardEntry:
    rank: int
    member_id: int
    score: int


@dataclass(frozen=True)
class BoardSlice:
    version: str
    size: int
    entries: list[BoardEntry]
    offset: int  # position (0-based) of the first entry
    current: bool = True  # False: the cached slice of this version is still valid


class RedisBoards:
    """The small interface the rest of gamification uses: set, range, around, rank."""

    def __init__(self, redis: Redis, ranks: str) -> None:
        self._redis = redis
        self._ranks = ranks
        self._set = redis.register_script(_SET)
        self._range = redis.register_script(_RANGE)
        self._rank = redis.register_script(_RANK)

    async def queue_set(self, pipe: Any, name: str, member_id: int, points: int, reached_at: datetime,
                  version: int, ttl_seconds: int = 0) -> None:
        await self._set(keys=list(keys_of(name)), client=pipe, args=[
            member_id, encode_score(points, reached_at), version, ttl_seconds])

    async def range(self, name: str, offset: int, count: int, cached_version: str = "",
                    around_member: int | None = None, around: int = 0) -> BoardSlice:
        z, _, n = keys_of(name)
        result = await self._range(keys=[z, n], args=[
            offset, offset + count - 1, self._ranks, cached_version,
            "" if around_member is None else around_member, around, SLOT_BITS])
        version = str(result[0])
        if len(result) == 1:
            return BoardSlice(version, 0, [], offset, current=False)
        size, first_rank = int(result[1]), int(result[2])
        if first_rank < 0:
            return BoardSlice(version, size, [], -1)
        start = int(result[3])
        entries: list[BoardEntry] = []
        items = result[4:]
        for i in range(0, len(items), 2):
            points = decode_points(float(items[i + 1]))
            position = start + i // 2
            if not entries:
                rank = first_rank
            elif self._ranks == "COMPETITION" and points == entries[-1].score:
                rank = entries[-1].rank
            elif self._ranks == "COMPETITION":
                rank = position + 1
            else:
                rank = position + 1
            entries.append(BoardEntry(rank, int(items[i]), points))
        return BoardSlice(version, size, entries, start)

    async def rank_of(self, name: str, member_id: int) -> int | None:
        z, _, _ = keys_of(name)
        rank = await self._rank(keys=[z], args=[member_id, self._ranks, SLOT_BITS])
        return int(rank) if rank is not None else None

    async def replace(self, name: str, rows: list[tuple[int, int, datetime, int]],
                      ttl_seconds: int = 0) -> None:
        """Rebuild one board from (member, points, reached_at, version) rows, atomically swapped."""
        z, v, n = keys_of(name)
        tmp_z, tmp_v = z + ":rebuild", v + ":rebuild"
        await self._redis.delete(tmp_z, tmp_v)
        for i in range(0, len(rows), 5000):
            chunk = rows[i:i + 5000]
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(tmp_z, {str(m): encode_score(p, at) for m, p, at, _ in chunk})
                pipe.hset(tmp_v, mapping={str(m): ver for m, _, _, ver in chunk})
                await pipe.execute()
        async with self._redis.pipeline(transaction=True) as pipe:
            if rows:
                pipe.rename(tmp_z, z)
                pipe.rename(tmp_v, v)
            else:
                pipe.delete(z, v)
            pipe.incr(n)
            if ttl_seconds and rows:
                pipe.expire(z, ttl_seconds)
                pipe.expire(v, ttl_seconds)
            await pipe.execute()
