"""Whole responses of viewer-independent leaderboard queries, cached per board version.

A top-100 spends nearly all its CPU completing ~100 entries × their fields in GraphQL, yet
every anonymous or member caller gets the same bytes until the board moves. So:

- Once per (document, operation), statically from the validated AST: the operation is a
  query and every field it selects is in `_PUBLIC` (fields whose value is the same whoever
  asks). `leaderboard(aroundMe: …)` is viewer-dependent unless its argument is the literal
  `false`; anything else (`me`, `email`, `viewerReaction`, `myProgress`…) is simply not in the
  allowlist, so a new field is uncacheable until someone decides otherwise.
- The key is (document, operation name, variables, brand day); the value is the serialized
  body and the (board, version) pairs the resolvers read. A hit first re-reads those boards'
  versions from Redis (one round trip, as the uncached path does) and serves only when none
  moved: scores are as fresh as without the cache. Names are served for at most
  `LIFETIME_SECONDS`, like the rendered pages of `api.gamification.resolvers`.
- Identical requests arriving while one computes the answer wait for it (single flight).
- Only a complete answer without errors is stored. Everything that runs before execution
  (authentication, document and limit checks) still runs for every request.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

# (type, field) pairs whose value does not depend on who asks.
_PUBLIC: frozenset[tuple[str, str]] = frozenset({
    ("Query", "leaderboard"),
    *(("LeaderboardConnection", f) for f in ("kind", "challengeId", "edges", "pageInfo",
                                             "totalCount", "periodStart", "periodEnd",
                                             "nextResetAt", "live")),
    ("LeaderboardEdge", "cursor"), ("LeaderboardEdge", "node"),
    ("LeaderboardEntry", "rank"), ("LeaderboardEntry", "score"), ("LeaderboardEntry", "user"),
    *(("LeaderboardPageInfo", f) for f in ("hasNextPage", "hasPreviousPage", "startCursor",
                                           "endCursor")),
    ("User", "id"), ("User", "displayName"), ("User", "avatarUrl"),
})

LIFETIME_SECONDS = 5.0
_MAX_ENTRIES = 256
_MAX_BODY_BYTES = 256 * 1024
_STATE_KEY = "response_cache"


def is_public(schema: GraphQLSchema, operation: OperationDefinitionNode,
              fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether every field the operation selects is viewer-independent (see `_PUBLIC`)."""
    if operation.operation is not OperationType.QUERY or schema.query_type is None:
        return False
    return _selection_public(schema, schema.query_type, operation.selection_set, fragments,
                             set())


def _selection_public(schema: GraphQLSchema, parent: GraphQLObjectType,
                      selection_set: SelectionSetNode | None,
                      fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> bool:
    if selection_set is None:
        return True
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name == "__typename":
                continue
            if (parent.name, name) not in _PUBLIC or name not in parent.fields:
                return False
            if (parent.name, name) == ("Query", "leaderboard") and not _not_around_me(selection):
                return False
            child = get_named_type(parent.fields[name].type)
            if selection.selection_set is not None:
                if not isinstance(child, GraphQLObjectType):
                    return False  # interfaces/unions: nothing public of that shape yet
                if not _selection_public(schema, child, selection.selection_set, fragments,
                                         seen):
                    return False
        elif isinstance(selection, InlineFragmentNode):
            target = parent
            if selection.type_condition is not None:
                named = schema.get_type(selection.type_condition.name.value)
                if not isinstance(named, GraphQLObjectType):
                    return False
                target = named
            if not _selection_public(schema, target, selection.selection_set, fragments, seen):
                return False
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None or selection.name.value in seen:
                return False
            named = schema.get_type(fragment.type_condition.name.value)
            if not isinstance(named, GraphQLObjectType):
                return False
            if not _selection_public(schema, named, fragment.selection_set, fragments,
                                     seen | {selection.name.value}):
                return False
        else:
            return False
    return True


def _not_around_me(field: FieldNode) -> bool:
    """`aroundMe` absent or the literal `false` (a variable could make it the caller's page)."""
    for argument in field.arguments or ():
        if argument.name.value == "aroundMe":
            return isinstance(argument.value, BooleanValueNode) and not argument.value.value
    return True


def depends_on_board(context: Any, version: tuple[str, str] | None) -> None:
    """Called by a resolver that read a board: the response is valid while that board's
    version stands; an unversioned read (a past period from PostgreSQL) is not cached."""
    reads = context.state.setdefault(_STATE_KEY, [])
    reads.append(version)


@dataclass(frozen=True)
class Cached:
    body: bytes
    boards: tuple[tuple[str, str], ...]
    stored_at: float


class ResponseCache:
    def __init__(self, schema: GraphQLSchema) -> None:
        self._schema = schema
        self._entries: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
        self._computing: dict[tuple[Any, ...], asyncio.Future[bytes | None]] = {}
        self.hits = 0

    def key(self, prepared: Any, operation: OperationDefinitionNode, query: str,
            operation_name: str | None, variables: dict[str, Any] | None,
            today: Callable[[], Any]) -> tuple[Any, ...] | None:
        """The cache key of a public operation; None when it must execute for this caller."""
        public = prepared.public.get(operation_name)
        if public is None:
            # Decided once per document: kept with it, lives and dies with it.
            public = is_public(self._schema, operation, prepared.fragments)
            prepared.public[operation_name] = public
        if not public:
            return None
        try:
            encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
        except TypeError:
            return None
        # The brand day: a period's boundaries (periodStart, live…) change at its reset.
        return (query, operation_name, encoded, today())

    async def lookup(self, key: tuple[Any, ...], versions: Any) -> tuple[bytes | None, bool]:
        """(the body to answer, whether this request must compute it and call `done`).

        A stored body is served while it is young enough and no board it read has moved.
        Otherwise one request computes the answer and the identical requests arriving
        meanwhile wait for it, instead of all completing the same page at once (a stampede
        at every board change or expiry made the p99).
        """
        cached = self._entries.get(key)
        if cached is not None and time.monotonic() - cached.stored_at <= LIFETIME_SECONDS:
            current = await versions([name for name, _ in cached.boards])
            if current == [version for _, version in cached.boards]:
                # Other requests ran during the await: the entry may have been replaced.
                if self._entries.get(key) is cached:
                    self._entries.move_to_end(key)
                self.hits += 1
                return cached.body, False
        computing = self._computing.get(key)
        if computing is not None:
            body = await asyncio.shield(computing)
            if body is not None:
                self.hits += 1
            return body, False  # None: that request failed or was not storable; run ours
        self._computing[key] = asyncio.get_running_loop().create_future()
        return None, True

    def done(self, key: tuple[Any, ...], context: Any, body: bytes | None) -> None:
        """The computing request's answer (None: an error, or not served from cache): stored
        when it read only versioned boards, and handed to the requests that waited for it."""
        computing = self._computing.pop(key, None)
        reads = context.state.get(_STATE_KEY)
        # No board read, or one without a version: nothing to validate a hit against.
        if (body is None or not reads or any(r is None for r in reads)
                or len(body) > _MAX_BODY_BYTES):
            body = None
        else:
            self._entries[key] = Cached(body, tuple(reads), time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > _MAX_ENTRIES:
                self._entries.popitem(last=False)
        if computing is not None and not computing.done():
            computing.set_result(body)
