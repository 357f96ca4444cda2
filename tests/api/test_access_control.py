"""Every mutation refuses anonymous callers unless it is meant to be public."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)

from api.relay import to_global_id
from api.schema import schema
from tests.support import GraphQLClient

# Mutations an anonymous caller may use; everything else must answer UNAUTHENTICATED.
PUBLIC_MUTATIONS = {"register", "login", "loginWithDevice", "refreshToken", "logout"}


def _sample(type_: Any) -> Any:
    """A well-formed value of an input type, so a refusal cannot come from bad input."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {name: _sample(field.type) for name, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull)}
    assert isinstance(type_, GraphQLScalarType)
    return {"Int": 1, "Float": 1.0, "Boolean": True, "ID": to_global_id("User", 1),
            "DateTime": datetime.now(UTC).isoformat(), "Date": "2026-01-01",
            "JSON": {}}.get(type_.name, "sample text")


def _documents() -> list[tuple[str, str, dict[str, Any]]]:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    documents = []
    for name, field in mutation_type.fields.items():
        declared = ", ".join(f"${arg}: {arg_def.type}" for arg, arg_def in field.args.items())
        passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
        selection = "{ __typename }" if not isinstance(get_named_type(field.type), GraphQLScalarType) else ""
        call = f"{name}({passed})" if passed else name
        query = f"mutation{f'({declared})' if declared else ''} {{ {call} {selection} }}"
        variables = {arg: _sample(arg_def.type) for arg, arg_def in field.args.items()}
        documents.append((name, query, variables))
    return documents


async def test_every_non_public_mutation_refuses_anonymous_callers(client: GraphQLClient) -> None:
    checked = []
    for name, query, variables in _documents():
        if name in PUBLIC_MUTATIONS:
            continue
        response = await client.post(query, variables)
        errors = response.json().get("errors")
        assert errors, f"{name} answered an anonymous caller"
        assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED", (name, errors)
        checked.append(name)
    assert checked, "no mutation was checked"


def test_public_mutations_exist() -> None:
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    assert PUBLIC_MUTATIONS <= set(mutation_type.fields)
