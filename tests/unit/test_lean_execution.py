"""The lean executor answers exactly what graphql-core's does, for any shape of query.

A small schema made lean the way the real one is (`api.community.lean.install`), whose fields
return good values, nulls, wrong types, exceptions and awaitables; every query runs through
Strawberry's own execution context (the reference) and through the lean one, and data and
errors (message, path, locations) must agree.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import strawberry
from graphql import execute, parse, validate

from api.community.lean import install, lean_execution_context


@strawberry.interface
class Thing:
    id: int


@strawberry.type
class Leaf:
    n: int
    s: str | None


@strawberry.type
class Item(Thing):
    name: str
    tags: list[str]
    maybe_tags: list[str | None] | None
    child: Item | None
    must_child: Item
    kids: list[Item]
    maybe_kids: list[Item | None]
    leaves: list[Leaf]
    bad: int
    extra: strawberry.Private[Any] = None

    @strawberry.field
    def computed(self) -> list[Leaf]:
        return [Leaf(n=self.id * 10 + i, s=None if i % 2 else "x") for i in range(3)]

    @strawberry.field
    def boom(self) -> int:
        raise ValueError(f"boom {self.id}")

    @strawberry.field
    def boom_object(self) -> Leaf | None:
        raise ValueError("no leaf")

    @strawberry.field
    def must_boom(self) -> Leaf:
        raise ValueError("no leaf here either")

    @strawberry.field
    def later(self, info: strawberry.Info) -> Leaf | None:
        async def leaf() -> Leaf:
            await asyncio.sleep(0)
            return Leaf(n=self.id, s=info.field_name)

        return leaf()  # type: ignore[return-value]

    @strawberry.field
    def later_kids(self) -> list[Item]:
        async def kids() -> list[Item]:
            await asyncio.sleep(0)
            return self.kids

        return kids()  # type: ignore[return-value]

    @strawberry.field
    def odd(self) -> list[Leaf | None]:
        return self.extra if self.extra is not None else []  # type: ignore[no-any-return]

    @strawberry.field
    def counted(self, times: int = 1) -> list[int]:
        return [self.id] * times


def _item(i: int, depth: int = 0, **overrides: Any) -> Item:
    kids = [_item(i * 10 + k, depth + 1) for k in range(2)] if depth < 2 else []
    values: dict[str, Any] = dict(
        id=i, name=f"item {i}", tags=[f"t{i}", "common"], maybe_tags=None if i % 2 else ["a", None],
        child=None if depth >= 2 else _item(i + 100, depth + 2), must_child=None if depth >= 1 else _item(i + 1, 3),
        kids=kids, maybe_kids=[None, *kids], leaves=[Leaf(n=i, s=None)], bad=i)
    values.update(overrides)
    return Item(**values)


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [_item(1), _item(2)]

    @strawberry.field
    def broken(self) -> list[Item | None]:
        # Wrong values in lean fields: a non-coercible leaf, a null for a non-null list, a
        # non-list for a list, a wrong object type, a null inside a non-null list.
        return [_item(3, bad="not a number"), _item(4, tags=None), _item(5, kids=7),
                _item(6, kids=[Leaf(n=1, s="x")]), _item(7, leaves=[None]),
                _item(8, name=None), _item(9, extra=["nope"]),
                _item(10, maybe_tags=["ok", 5j])]

    @strawberry.field
    def thing(self) -> Thing:
        return _item(11)


schema = strawberry.Schema(query=Query)
install(schema._schema, types=("Item", "Leaf"), enums=())
LEAN = lean_execution_context(schema.execution_context_class)

QUERIES = [
    "{ items { id name tags maybeTags bad } }",
    "{ items { __typename id a: name b: name name child { id child { id } } } }",
    "{ items { ...F kids { ...F kids { ...F } } } } fragment F on Item { id name tags leaves { n s } }",
    "{ items { ... on Item { id mustChild { id name mustChild { id } } } } }",
    "{ items { id maybeKids { id kids { id } } computed { n s __typename } } }",
    "{ items { id boom name } }",
    "{ items { id boomObject { n } } }",
    "{ items { id mustBoom { n } } }",
    "{ items { id later { n s } laterKids { id name later { s } } } }",
    "{ items { id counted counted3: counted(times: 3) } }",
    "{ broken { id bad } }",
    "{ broken { id tags } }",
    "{ broken { id kids { id } } }",
    "{ broken { id leaves { n } } }",
    "{ broken { id name } }",
    "{ broken { id odd { n } } }",
    "{ broken { id maybeTags } }",
    "{ broken { id child { id name } mustChild { id } } }",
    "{ thing { id ... on Item { name kids { id } } } }",
    "query($yes: Boolean!) { items { id name @include(if: $yes) tags @skip(if: $yes) } }",
    "{ items { id kids { id } kids { name } child { id } child { tags } } }",
    "{ a: items { id } b: items { id name } }",
]


def _run(query: str, executor: type[Any]) -> Any:
    document = parse(query)
    assert not validate(schema._schema, document)
    result = execute(schema._schema, document, variable_values={"yes": True},
                     executor_class=executor)
    if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
        result = asyncio.run(_await(result))
    errors = sorted((e.message, tuple(e.path or ()), tuple((loc.line, loc.column) for loc in e.locations or ()))
                    for e in result.errors or ())
    return result.data, errors


async def _await(awaitable: Any) -> Any:
    return await awaitable


@pytest.mark.parametrize("query", QUERIES)
def test_lean_execution_agrees_with_graphql_core(query: str) -> None:
    expected = _run(query, schema.execution_context_class)
    assert _run(query, LEAN) == expected


def test_the_cases_above_do_take_the_lean_paths_and_hit_errors() -> None:
    """The comparison above means something: lean fields exist and broken values do error."""
    fields = schema._schema.type_map["Item"].fields  # type: ignore[union-attr]
    assert getattr(fields["kids"].resolve, "lean", False)
    assert getattr(fields["computed"].resolve, "lean", False)
    assert not getattr(fields["counted"].resolve, "lean", False)  # it takes an argument
    data, errors = _run("{ broken { id bad tags kids { id } leaves { n } name odd { n } } }", LEAN)
    assert len(errors) >= 6, errors
    data, errors = _run(QUERIES[2], LEAN)
    assert not errors and data["items"][0]["kids"][1]["kids"][0]["name"] == "item 110"
