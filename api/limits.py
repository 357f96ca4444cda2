"""Query limits: depth, aliases and cost, measured on the validated document.

Cost: every field costs 1; a field returning a list page (a `...Connection`, or any field
taking `first`/`last`) multiplies what is selected under it by the page size it asks for
(the default page size when it names none). `{ posts(first: 100) { edges { node {
comments(first: 100) { ... } } } } }` therefore costs about 10,000 per selected field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from rally.settings import Settings

PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Measure:
    depth: int
    aliases: int
    cost: int


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any], default_page: int) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_page = default_page
        self.aliases = 0
        self.max_depth = 0

    def walk(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None,
             depth: int, visiting: frozenset[str]) -> int:
        if selection_set is None:
            return 0
        self.max_depth = max(self.max_depth, depth)
        cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost += self._field(selection, parent, depth, visiting)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value)
                cost += self.walk(selection.selection_set, target, depth, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value)
                cost += self.walk(fragment.selection_set, target, depth, visiting | {name})
        return cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, depth: int,
               visiting: frozenset[str]) -> int:
        if node.alias is not None:
            self.aliases += 1
        field_type: GraphQLNamedType | None = None
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition = parent.fields.get(node.name.value)
            if definition is not None:
                field_type = get_named_type(definition.type)
        children = self.walk(node.selection_set, field_type, depth + 1, visiting)
        return 1 + children * self._multiplier(node, field_type)

    def _multiplier(self, node: FieldNode, field_type: GraphQLNamedType | None) -> int:
        for argument in node.arguments or ():
            if argument.name.value in PAGE_ARGUMENTS:
                value = argument.value
                if isinstance(value, IntValueNode):
                    return max(1, int(value.value))
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    if isinstance(given, int):
                        return max(1, given)
                return self.default_page
        if field_type is not None and field_type.name.endswith("Connection"):
            return self.default_page
        return 1


def measure(schema: GraphQLSchema, operation: OperationDefinitionNode,
            fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any] | None,
            default_page: int) -> Measure:
    root = {
        "query": schema.query_type,
        "mutation": schema.mutation_type,
        "subscription": schema.subscription_type,
    }[operation.operation.value]
    walker = _Walker(schema, fragments, variables or {}, default_page)
    cost = walker.walk(operation.selection_set, root, 1, frozenset())
    return Measure(walker.max_depth, walker.aliases, cost)


def limit_violation(found: Measure, settings: Settings) -> str | None:
    """A message for the first limit the operation exceeds, else None."""
    if found.depth > settings.max_query_depth:
        return f"query is nested {found.depth} levels deep; the limit is {settings.max_query_depth}"
    if found.aliases > settings.max_aliases:
        return f"query uses {found.aliases} aliases; the limit is {settings.max_aliases}"
    if found.cost > settings.max_query_cost:
        return f"query would cost {found.cost}; the limit is {settings.max_query_cost}"
    return None
