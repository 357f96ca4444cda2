"""Pure rules of the transport: ids, cursors, content negotiation, query measurement."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse

from api.http import GRAPHQL_RESPONSE, JSON, _negotiate
from api.limits import measure
from api.relay import decode_cursor, decode_id, encode_cursor, to_global_id
from api.schema import schema
from rally.errors import InvalidInput


def test_global_ids_round_trip_and_check_their_type() -> None:
    gid = to_global_id("User", 42)
    assert decode_id(gid, "User") == 42
    with pytest.raises(InvalidInput):
        decode_id(gid, "Post")
    for malformed in ("", "!!!", to_global_id("User", "abc"), "VXNlcg"):
        with pytest.raises(InvalidInput):
            decode_id(malformed, "User")


def test_cursors_are_opaque_and_checked() -> None:
    assert decode_cursor(encode_cursor("2026-01-01T00:00:00Z", 7)) == ("2026-01-01T00:00:00Z", 7)
    assert decode_cursor(None) is None
    with pytest.raises(InvalidInput):
        decode_cursor("not-a-cursor!")


@pytest.mark.parametrize(("accept", "expected"), [
    (None, JSON),
    ("*/*", JSON),
    ("application/json", JSON),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
    (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
    ("text/html", None),
    ("application/json;q=0", None),
])
def test_content_negotiation(accept: str | None, expected: str | None) -> None:
    assert _negotiate(accept) == expected


def _measure(query: str, variables: dict | None = None):
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if d is not operation}
    return measure(schema._schema, operation, fragments, variables, default_page=20)


def test_cost_multiplies_selections_by_page_size() -> None:
    small = _measure("{ auditLog(first: 2) { edges { node { id } } } }")
    large = _measure("{ auditLog(first: 100) { edges { node { id } } } }")
    assert small.cost == 1 + 2 * 3
    assert large.cost == 1 + 100 * 3
    assert _measure("query($n: Int) { auditLog(first: $n) { edges { cursor } } }", {"n": 50}).cost == 1 + 50 * 2
    assert _measure("{ auditLog { edges { cursor } } }").cost == 1 + 20 * 2


def test_depth_and_aliases_follow_fragments() -> None:
    found = _measure("query { a: me { id } b: me { ...F } } fragment F on User { id displayName }")
    assert found.aliases == 2
    assert found.depth == 2
    cyclic = _measure("{ me { ...F } } fragment F on User { ...F }")  # validation rejects; no hang
    assert cyclic.depth >= 1
