"""What each area holds about a member, and how to export and erase it.

Every area that stores personal data registers a `PersonalData` source (in its own
`personal_data.py`, imported by `domain/privacy/catalog.py`), so `exportMyData` and
`deleteMyAccount` cover it without knowing its tables. The export document is one section per
source, each a list of rows with the column names as keys: a stable, documented shape.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rally.uow import UnitOfWork

Exporter = Callable[[AsyncSession, int], Awaitable[Any]]
# Erasers get the unit of work: some need its settings or an after-commit step (files).
Eraser = Callable[[UnitOfWork, int], Awaitable[None]]


@dataclass(frozen=True)
class PersonalData:
    section: str  # key of the export document
    export: Exporter
    erase: Eraser
    policy: str  # what deleting the account does to it, in a sentence (README, exportMyData)


SOURCES: dict[str, PersonalData] = {}


def register(section: str, *, export: Exporter, erase: Eraser, policy: str) -> None:
    SOURCES[section] = PersonalData(section, export, erase, policy)


def rows_of(sql: str) -> Exporter:
    """An exporter running `sql` with `:member_id`; each row becomes a dict."""
    statement = text(sql)

    async def export(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
        result = await session.execute(statement, {"member_id": member_id})
        return [dict(row) for row in result.mappings()]

    return export


def statements(*sqls: str) -> Eraser:
    """An eraser running each of `sqls` with `:member_id`, in order."""
    compiled = [text(sql) for sql in sqls]

    async def erase(uow: UnitOfWork, member_id: int) -> None:
        for statement in compiled:
            await uow.session.execute(statement, {"member_id": member_id})

    return erase


async def keep(uow: UnitOfWork, member_id: int) -> None:
    """Kept as it is: it names nobody once the member row is anonymized."""
