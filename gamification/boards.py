"""Leaderboards in Redis: one sorted set per board, written with ABSOLUTE scores.

Keys share a hash tag per board (`rally:{lb:WEEKLY:2026-11-30}:z|v|n`) so a Redis Cluster
keeps a board's keys on one slot. `z` holds the scores, `v` each member's last applied
version (an older event never overwrites a newer score, so replays and two relays racing
are harmless), `n` the board's version (bumped on every write, starting at a random value; pages and their
renders are cached per `n`).

The score is the points. The sorted set's members are `<inverted time reached>:<member id>`
(hash `m` maps a member id to his current one), and Redis orders equal scores by member, so
equal points list the member who reached them first, first (to the microsecond). Ranks are
competition ranks (1, 2, 2, 4): 1 + the number of members with strictly more points, an
O(log N) ZCOUNT. With `leaderboard_ranks = EARLIEST_FIRST` ranks are 1..N in that order.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from rally.redis import key as redis_key

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_INVERT = 10**16


def sort_member(member_id: int, reached_at: datetime) -> str:
    """Later times give smaller strings: ZREVRANGE lists the earliest first among equals."""
    micros = int((reached_at - _EPOCH).total_seconds() * 1_000_000)
    return f"{_INVERT - min(max(micros, 0), _INVERT - 1):016d}:{member_id}"


def _version_origin() -> int:
    """Where a new board's version counter starts: random, so a board rebuilt after Redis
    lost it never repeats a version a reader cached."""
    return secrets.randbelow(10**12) * 1000


def member_of(sort_key: str) -> int:
    return int(sort_key.rsplit(":", 1)[1])


def board_name(kind: str, qualifier: str | int | None = None) -> str:
    return f"lb:{kind}" + (f":{qualifier}" if qualifier not in (None, "") else "")


def keys_of(name: str) -> tuple[str, str, str, str]:
    """Scores, applied versions, board version, member id -> sort key."""
    tag = "{" + name + "}"
    return redis_key(tag, "z"), redis_key(tag, "v"), redis_key(tag, "n"), redis_key(tag, "m")


_SET = """
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored and tonumber(stored) >= tonumber(ARGV[3]) then return 0 end
local old = redis.call('HGET', KEYS[4], ARGV[1])
if old then redis.call('ZREM', KEYS[1], old) end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[5])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
redis.call('SET', KEYS[3], ARGV[6], 'NX')
redis.call('INCR', KEYS[3])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
"""

# Returns {board version, size, rank of the first entry, first position, key, score, …};
# only {version} when the caller's cached version is current.
_RANGE = """
local n = redis.call('GET', KEYS[2]) or '0'
if ARGV[4] == n then return {n} end
local start, stop = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[5] ~= '' then
  local sort_key = redis.call('HGET', KEYS[3], ARGV[5])
  local r = sort_key and redis.call('ZREVRANK', KEYS[1], sort_key)
  if not r then return {n, redis.call('ZCARD', KEYS[1]), -1, 0} end
  start = math.max(r - tonumber(ARGV[6]), 0)
  stop = r + tonumber(ARGV[6])
end
local items = redis.call('ZREVRANGE', KEYS[1], start, stop, 'WITHSCORES')
local first = start + 1
if #items > 0 and ARGV[3] == 'COMPETITION' then
  first = redis.call('ZCOUNT', KEYS[1], '(' .. items[2], '+inf') + 1
end
local out = {n, redis.call('ZCARD', KEYS[1]), first, start}
for i = 1, #items do out[#out + 1] = items[i] end
return out
"""

_RANK = """
local sort_key = redis.call('HGET', KEYS[2], ARGV[1])
if not sort_key then return false end
local s = redis.call('ZSCORE', KEYS[1], sort_key)
if not s then return false end
if ARGV[2] == 'COMPETITION' then
  return redis.call('ZCOUNT', KEYS[1], '(' .. s, '+inf') + 1
end
return redis.call('ZREVRANK', KEYS[1], sort_key) + 1
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
            member_id, points, version, ttl_seconds, sort_member(member_id, reached_at),
            _version_origin()])

    async def range(self, name: str, offset: int, count: int, cached_version: str = "",
                    around_member: int | None = None, around: int = 0) -> BoardSlice:
        z, _, n, m = keys_of(name)
        result = await self._range(keys=[z, n, m], args=[
            offset, offset + count - 1, self._ranks, cached_version,
            "" if around_member is None else around_member, around])
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
            points = int(float(items[i + 1]))
            position = start + i // 2
            if not entries:
                rank = first_rank
            elif self._ranks == "COMPETITION" and points == entries[-1].score:
                rank = entries[-1].rank
            elif self._ranks == "COMPETITION":
                rank = position + 1
            else:
                rank = position + 1
            entries.append(BoardEntry(rank, member_of(items[i]), points))
        return BoardSlice(version, size, entries, start)

    async def versions(self, names: list[str]) -> list[str]:
        """The boards' current versions, as `range` reports them ('0' for a missing board).
        One GET per board (their keys live on different cluster slots), one round trip."""
        if len(names) == 1:
            return [str(await self._redis.get(keys_of(names[0])[2]) or "0")]
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.get(keys_of(name)[2])
            return [str(v or "0") for v in await pipe.execute()]

    async def rank_of(self, name: str, member_id: int) -> int | None:
        z, _, _, m = keys_of(name)
        rank = await self._rank(keys=[z, m], args=[member_id, self._ranks])
        return int(rank) if rank is not None else None

    async def replace(self, name: str, rows: list[tuple[int, int, datetime, int]],
                      ttl_seconds: int = 0) -> None:
        """Rebuild one board from (member, points, reached_at, version) rows, atomically swapped."""
        z, v, n, m = keys_of(name)
        tmp = {key: key + ":rebuild" for key in (z, v, m)}
        await self._redis.delete(*tmp.values())
        for i in range(0, len(rows), 5000):
            chunk = rows[i:i + 5000]
            sort_keys = {member: sort_member(member, at) for member, _, at, _ in chunk}
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.zadd(tmp[z], {sort_keys[member]: p for member, p, _, _ in chunk})
                pipe.hset(tmp[v], mapping={str(member): ver for member, _, _, ver in chunk})
                pipe.hset(tmp[m], mapping={str(member): key for member, key in sort_keys.items()})
                await pipe.execute()
        async with self._redis.pipeline(transaction=True) as pipe:
            if rows:
                for key, temporary in tmp.items():
                    pipe.rename(temporary, key)
                    if ttl_seconds:
                        pipe.expire(key, ttl_seconds)
            else:
                pipe.delete(z, v, m)
            pipe.set(n, _version_origin(), nx=True)
            pipe.incr(n)
            await pipe.execute()
