"""Driver statements (`uow.fetchrow` …) and the ORM session share one transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from rally.sql import Sql

_PUT = Sql("INSERT INTO point_rules (action, points, daily_cap, once_per_target)"
           " VALUES (:a, 1, NULL, false) RETURNING action")
_COUNT = Sql("SELECT count(*) FROM point_rules WHERE action LIKE 'UOW_%'")


async def _count(container) -> int:
    async with container.uow() as uow:
        return int(await uow.fetchval(_COUNT))


async def test_driver_and_session_writes_commit_together(container) -> None:
    async with container.uow() as uow:
        assert (await uow.fetchrow(_PUT, {"a": "UOW_DRIVER"})).action == "UOW_DRIVER"
        await uow.session.execute(text("INSERT INTO point_rules (action, points, once_per_target)"
                                       " VALUES ('UOW_SESSION', 1, false)"))
        # The session sees the driver's row: one transaction, one connection.
        assert await uow.session.scalar(text(
            "SELECT count(*) FROM point_rules WHERE action LIKE 'UOW_%'")) == 2
        await uow.commit()
    assert await _count(container) == 2


async def test_leaving_without_commit_rolls_back_driver_statements(container) -> None:
    with pytest.raises(RuntimeError):
        async with container.uow() as uow:
            await uow.fetchrow(_PUT, {"a": "UOW_LOST"})
            raise RuntimeError("use case failed")
    async with container.uow() as uow:
        await uow.execute(_PUT, {"a": "UOW_NO_SESSION"})
        await uow.commit()  # no ORM session was ever made: the connection commits
    assert await _count(container) == 1


async def test_statements_are_reported_to_observers(container) -> None:
    seen: list[str] = []
    container.uow.statement_observers.append(seen.append)
    try:
        assert await _count(container) == 0
    finally:
        container.uow.statement_observers.remove(seen.append)
    assert seen == [_COUNT.text]
