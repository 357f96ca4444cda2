"""A revoked access token: refused at once where it was revoked, within the interval elsewhere."""

from __future__ import annotations

import asyncio
import time

from domain.members.credentials import AccessClaims
from domain.members.revocations import Revocations


def _claims(member_id: int, issued_at: float) -> AccessClaims:
    return AccessClaims(member_id, frozenset({"MEMBER"}), int(issued_at) + 900, int(issued_at))


async def test_another_process_sees_a_revocation_after_its_interval(container) -> None:
    here = Revocations(container.redis, 900, check_every=0.2)
    there = Revocations(container.redis, 900, check_every=0.2)
    before = _claims(7, time.time() - 10)
    assert not await there.is_revoked(before)  # read: nothing revoked
    await here.revoke(7)
    assert await here.is_revoked(before)  # at once where it was revoked
    assert not await there.is_revoked(before)  # the other copy is still fresh
    await asyncio.sleep(0.25)
    assert await there.is_revoked(before)
    # A token issued after the revocation (a new login) is not refused, nor another member's.
    assert not await there.is_revoked(_claims(7, time.time() + 1))
    assert not await there.is_revoked(_claims(8, time.time() - 10))


async def test_concurrent_stale_checks_share_one_read(container) -> None:
    revocations = Revocations(container.redis, 900)
    await revocations.revoke(3)
    revocations.forget_cached()
    reads = 0
    real = container.redis.zrangebyscore

    async def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal reads
        reads += 1
        return await real(*args, **kwargs)

    container.redis.zrangebyscore = counting
    try:
        answers = await asyncio.gather(*(revocations.is_revoked(_claims(3, time.time() - 5))
                                         for _ in range(20)))
    finally:
        del container.redis.zrangebyscore
    assert answers == [True] * 20
    assert reads == 1
