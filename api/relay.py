"""Relay conventions: opaque global IDs, the Node interface, cursor connections."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
import strawberry

from domain.pagination import Page, PageRequest
from rally.errors import InvalidInput

if TYPE_CHECKING:
    from api.context import Context

T = TypeVar("T")


def to_global_id(type_name: str, pk: int | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def parse_global_id(global_id: str) -> tuple[str, str]:
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("malformed id", id=global_id) from exc
    if not type_name or not pk:
        raise InvalidInput("malformed id", id=global_id)
    return type_name, pk


def decode_id(global_id: str, *expected: str) -> int:
    """The numeric key of a global id of one of the `expected` types, else BAD_USER_INPUT."""
    type_name, pk = parse_global_id(global_id)
    if expected and type_name not in expected:
        raise InvalidInput(f"expected the id of a {' or '.join(expected)}, got a {type_name} id",
                           id=global_id)
    if not pk.isdigit():
        raise InvalidInput("malformed id", id=global_id)
    return int(pk)


def decode_typed_id(global_id: str, *expected: str) -> tuple[str, int]:
    type_name, _ = parse_global_id(global_id)
    return type_name, decode_id(global_id, *expected)


def encode_cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[Any, ...] | None:
    if cursor is None:
        return None
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("malformed cursor", cursor=cursor) from exc
    if not isinstance(values, list):
        raise InvalidInput("malformed cursor", cursor=cursor)
    return tuple(values)


def page_request(info_context: Context, first: int | None, after: str | None) -> PageRequest:
    s = info_context.settings
    return PageRequest.build(first, decode_cursor(after), s.default_page_size, s.max_page_size)


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID


# type name -> loader of that type by numeric key (for `node(id:)`)
NodeResolver = Callable[["Context", int], Awaitable[Any]]
_node_resolvers: dict[str, NodeResolver] = {}


def node_type(type_name: str) -> Callable[[NodeResolver], NodeResolver]:
    def register(resolver: NodeResolver) -> NodeResolver:
        _node_resolvers[type_name] = resolver
        return resolver

    return register


async def resolve_node(context: Context, global_id: str) -> Any:
    type_name, pk = parse_global_id(global_id)
    resolver = _node_resolvers.get(type_name)
    if resolver is None or not pk.isdigit():
        return None
    return await resolver(context, int(pk))


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @classmethod
    def of(
        cls,
        items: Iterable[Any],
        has_next: bool,
        to_node: Callable[[Any], T],
        cursor_of: Callable[[Any], tuple[Any, ...]],
        has_previous: bool = False,
    ) -> Connection[T]:
        edges = [Edge(cursor=encode_cursor(*cursor_of(item)), node=to_node(item)) for item in items]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @classmethod
    def from_page(
        cls, page: Page[Any], to_node: Callable[[Any], T], cursor_of: Callable[[Any], tuple[Any, ...]],
        has_previous: bool = False,
    ) -> Connection[T]:
        return cls.of(page.items, page.has_next, to_node, cursor_of, has_previous)
