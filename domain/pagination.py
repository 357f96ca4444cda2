"""Keyset pagination shared by every list: stable under inserts, one query per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from rally.errors import InvalidInput

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """`first` items after the item whose sort key is `after` (newest first by default)."""

    first: int
    after: tuple[Any, ...] | None = None

    @classmethod
    def build(cls, first: int | None, after: tuple[Any, ...] | None, default: int, cap: int) -> PageRequest:
        size = default if first is None else first
        if size < 0:
            raise InvalidInput("first must not be negative")
        if size > cap:
            raise InvalidInput(f"first must be at most {cap}", maximum=cap)
        return cls(size, after)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool


async def keyset_page(
    session: AsyncSession,
    query: Select[Any],
    key: InstrumentedAttribute[Any],
    page: PageRequest,
    descending: bool = True,
) -> Page[Any]:
    """Page a single-entity select by one unique, sortable column."""
    if page.after is not None:
        (last,) = page.after
        query = query.where(key < last if descending else key > last)
    query = query.order_by(key.desc() if descending else key.asc()).limit(page.first + 1)
    rows = list((await session.execute(query)).scalars().all())
    return Page(rows[: page.first], len(rows) > page.first)
