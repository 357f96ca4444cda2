"""Idempotency keys pay once under concurrency; rate limits count exactly."""

from __future__ import annotations

import asyncio

import pytest

from rally import idempotency
from rally.errors import Conflict, InvalidInput, RateLimited
from rally.ratelimit import Limit


async def _use_key(container, key: str, request: dict, work: list[int]) -> dict:
    async with container.uow() as uow:
        stored = await idempotency.claim(uow, 1, "test.pay", key, request)
        if stored is not None:
            return stored
        work.append(1)
        await asyncio.sleep(0.01)  # widen the race window
        response = {"paid": len(work)}
        await idempotency.remember(uow, 1, "test.pay", key, response)
        await uow.commit()
        return response


async def test_one_key_sent_ten_times_at_once_works_once(container) -> None:
    work: list[int] = []
    answers = await asyncio.gather(*(_use_key(container, "k-1", {"a": 1}, work) for _ in range(10)))
    assert len(work) == 1
    assert answers == [{"paid": 1}] * 10


async def test_a_key_reused_for_another_request_is_a_conflict(container) -> None:
    await _use_key(container, "k-2", {"a": 1}, [])
    with pytest.raises(Conflict):
        await _use_key(container, "k-2", {"a": 2}, [])


async def test_keys_must_be_sane(container) -> None:
    with pytest.raises(InvalidInput):
        await _use_key(container, "", {}, [])
    with pytest.raises(InvalidInput):
        await _use_key(container, "x" * 129, {}, [])


async def test_rate_limit_allows_exactly_the_limit_under_concurrency(container) -> None:
    limit = Limit("test-burst", 5, 60)
    results = await asyncio.gather(
        *(container.limiter.hit(limit, "member-1") for _ in range(20)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert len(refused) == 15
    assert all(0 < r.retry_after <= 60 for r in refused)
    await container.limiter.hit(limit, "member-2")  # another subject is unaffected


async def test_check_does_not_count(container) -> None:
    limit = Limit("test-check", 1, 60)
    for _ in range(3):
        await container.limiter.check(limit, "s")
    await container.limiter.record(limit, "s")
    with pytest.raises(RateLimited):
        await container.limiter.check(limit, "s")
