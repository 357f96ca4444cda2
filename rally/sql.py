"""Statements that run straight on the unit of work's asyncpg connection.

SQLAlchemy spends ~0.15 ms of CPU per statement building a cursor and a result around
asyncpg, and a hot mutation runs six or more of them; the write paths' fixed statements are
plain SQL anyway. `Sql` keeps SQLAlchemy's `:name` parameters in the source and numbers them
once, at import, into asyncpg's `$n`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import asyncpg
import orjson

# `:name`, but not the second colon of a `::type` cast nor a colon inside a word.
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Sql:
    __slots__ = ("names", "text")

    def __init__(self, source: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        self.text = _PARAMETER.sub(number, source)
        self.names = tuple(names)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        missing = [n for n in self.names if n not in params]
        if missing:
            raise KeyError(f"no value for {', '.join(missing)} in {self.text[:80]!r}")
        return [params[name] for name in self.names]


def json_text(value: Any) -> str:
    """A value as JSON text for a `CAST(:param AS jsonb)` parameter (keys need not be str)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


class Row(asyncpg.Record):
    """A result row read like SQLAlchemy's: by column name as an attribute, or by index."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None
