"""Lean resolvers for the types a page of posts is made of (the community's hot path).

A page of 20 posts resolves ~580 fields. Strawberry wraps every field that has a Python
resolver in a chain (a Strawberry `Info`, argument conversion, extension `reduce`…), and
serializes its enums by scanning their values. For the hot types below, fields that take no
argument and have no extension or permission get a plain `(source, info) -> value` resolver
instead: a plain attribute read, or the field's own function called with graphql-core's info
(the resolvers of these types only use `info.context`, which both infos share). Enums map a
value to its name with one dict lookup. The schema (names, types, descriptions) is unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
)

HOT_TYPES = ("Post", "PostEdge", "PostConnection", "PageInfo", "User", "Media",
             "ReactionCount", "Comment")
HOT_ENUMS = ("PostStatus", "ReactionKind", "MediaKind", "Role")
_BACKREF = "strawberry-definition"


def _attribute(name: str) -> Callable[[Any, Any], Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    resolve.lean_attribute = name  # type: ignore[attr-defined]
    return resolve


def lean_execution_context(base: type[Any]) -> type[Any]:
    """`base` (Strawberry's execution context) completing lean attribute leaves directly.

    graphql-core builds a ResolveInfo (and a node list) for every field before resolving it.
    A lean attribute field of a scalar or enum type needs neither: its value is read and
    coerced here. Anything else (a null for a non-null type, a value that does not coerce,
    objects and lists) takes graphql-core's own path, errors included.
    """

    class LeanExecutionContext(base):  # type: ignore[valid-type,misc]
        def execute_field(self, parent_type: Any, source: Any, field_details_list: Any,
                          path: Any, position_context: Any) -> Any:
            field_def = parent_type.fields.get(field_details_list[0].node.name.value)
            name = getattr(field_def.resolve, "lean_attribute", None) if field_def else None
            if name is not None and not self.middleware_manager:
                leaf = field_def.type
                non_null = isinstance(leaf, GraphQLNonNull)
                if non_null:
                    leaf = leaf.of_type
                if isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                    try:
                        value = getattr(source, name)
                        if value is None:
                            if not non_null:
                                return None
                        else:
                            coerced = leaf.coerce_output_value(value)
                            if coerced is not None and coerced is not Undefined:
                                return coerced
                    except Exception:
                        pass
            return super().execute_field(parent_type, source, field_details_list, path,
                                         position_context)

    return LeanExecutionContext


def _calling(fn: Callable[..., Any], wants_info: bool) -> Callable[[Any, Any], Any]:
    if wants_info:
        def resolve(source: Any, info: Any) -> Any:
            return fn(source, info)
    else:
        def resolve(source: Any, info: Any) -> Any:
            return fn(source)
    return resolve


def _lean(field: Any) -> Callable[[Any, Any], Any] | None:
    """The plain resolver for a Strawberry field, or None when it needs Strawberry's chain."""
    if field is None or field.extensions or getattr(field, "permission_classes", None):
        return None
    resolver = field.base_resolver
    if resolver is None:
        return _attribute(field.python_name)
    if field.arguments:
        return None
    fn = resolver.wrapped_func
    if isinstance(fn, staticmethod | classmethod):
        return None
    names = list(inspect.signature(fn).parameters)
    if names not in (["self"], ["self", "info"]):
        return None
    return _calling(fn, wants_info=len(names) == 2)


def _fast_enum(enum_type: GraphQLEnumType) -> None:
    names = {value.value: name for name, value in enum_type.values.items()}
    slow = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        name = names.get(output_value)
        return name if name is not None else slow(output_value)

    enum_type.coerce_output_value = coerce_output_value  # type: ignore[method-assign]
    enum_type.serialize = coerce_output_value  # type: ignore[method-assign]


def install(schema: GraphQLSchema, types: Iterable[str] = HOT_TYPES,
            enums: Iterable[str] = HOT_ENUMS) -> int:
    """Replaces the resolvers it can on `types`; returns how many fields it made lean."""
    count = 0
    for type_name in types:
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        for graphql_field in graphql_type.fields.values():
            resolve = _lean((graphql_field.extensions or {}).get(_BACKREF))
            if resolve is not None:
                graphql_field.resolve = resolve
                count += 1
    for enum_name in enums:
        enum_type = schema.type_map[enum_name]
        assert isinstance(enum_type, GraphQLEnumType), enum_name
        _fast_enum(enum_type)
    return count
