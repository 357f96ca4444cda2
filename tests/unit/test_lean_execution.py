"""The lean executor answers exactly what graphql-core's does, for any shape of query.

A small schema made lean the way the real one is (`api.community.lean.install`), whose fields
return good values, nulls, wrong types, exceptions and awaitables; every query runs through
Strawberry's own execution context (the reference) and through the lean one, and data and
errors (message, path, locations) must agree.
"""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any

import pytest
import strawberry
from graphql import execute, parse, validate

from api.community.lean import _BACKREF, _with_arguments, install, lean_execution_context


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


@strawberry.enum
class Order(Enum):
    UP = "UP"
    DOWN = "DOWN"


@strawberry.input
class Filter:
    least: int


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return [_item(1), _item(2)]

    @strawberry.field
    def ranked(self, info: strawberry.Info, order: Order, first: int = 2,
               label: str | None = None) -> list[Item]:
        # What the resolver received, in the answer: the argument's Python type, its default,
        # and Strawberry's Info (field_name, selected_fields).
        items = [_item(i) for i in (1, 2, 3)][::1 if order is Order.UP else -1][:first]
        seen = f"{type(order).__name__}.{order.name}:{label}:{info.field_name}:" + ",".join(
            f.name for f in info.selected_fields[0].selections)  # type: ignore[union-attr]
        return [Item(**{**vars(item), "name": seen}) for item in items]

    @strawberry.field
    def filtered(self, where: Filter) -> list[Item]:
        return [_item(i) for i in (1, 2, 3) if i >= where.least]

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
install(schema._schema, types=("Item", "Leaf"), enums=(), root_fields=(("Query", "ranked"),))
LEAN = lean_execution_context(schema.execution_context_class)
# The same types without `install`: what Strawberry's own resolvers answer.
reference = strawberry.Schema(query=Query)

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
    "{ ranked(order: UP) { id name } }",
    '{ ranked(order: DOWN, first: 3, label: "x") { id name kids { id } } }',
    "query($o: Order!, $n: Int) { ranked(order: $o, first: $n) { name } }",
    '{ ranked(order: UP, label: null) { name } filtered(where: {least: 2}) { id } }',
]
VARIABLES = {"yes": True, "o": "DOWN", "n": 1}


def _run(query: str, executor: type[Any], against: strawberry.Schema = schema) -> Any:
    document = parse(query)
    assert not validate(against._schema, document)
    result = execute(against._schema, document, variable_values=VARIABLES,
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
    expected = _run(query, reference.execution_context_class, reference)
    assert _run(query, schema.execution_context_class) == expected
    assert _run(query, LEAN) == expected


def test_only_root_fields_with_scalar_or_enum_arguments_skip_strawberrys_chain() -> None:
    fields = schema._schema.query_type.fields  # type: ignore[union-attr]
    assert fields["ranked"].resolve is not reference._schema.query_type.fields[  # type: ignore[union-attr]
        "ranked"].resolve
    data, errors = _run('{ ranked(order: DOWN, label: "y") { name } }', LEAN)
    assert not errors and data["ranked"][0]["name"] == "Order.DOWN:y:ranked:name"
    filtered = fields["filtered"]  # an input object argument is built by Strawberry
    assert _with_arguments(filtered.extensions[_BACKREF], filtered, strawberry.Info) is None


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
