"""Lean resolvers for the types of the hottest reads: a page of posts, a leaderboard page.

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
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
)
from graphql.pyutils import Path, gather_with_cancel

HOT_TYPES = ("Post", "PostEdge", "PostConnection", "PageInfo", "User", "Media",
             "ReactionCount", "Comment", "LeaderboardConnection", "LeaderboardEdge",
             "LeaderboardEntry", "LeaderboardPageInfo")
HOT_ENUMS = ("PostStatus", "ReactionKind", "MediaKind", "Role", "LeaderboardKind")
# Hot root fields whose arguments (if any) are all scalars or enums: graphql-core's coerced
# arguments are already what Strawberry would pass (it only renames them), so they skip its
# chain too.
HOT_ROOT_FIELDS = (("Query", "posts"), ("Query", "leaderboard"), ("Query", "me"))
_BACKREF = "strawberry-definition"


def _attribute(name: str) -> Callable[[Any, Any], Any]:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    resolve.lean = True  # type: ignore[attr-defined]
    resolve.lean_attribute = name  # type: ignore[attr-defined]
    return resolve


_LEAF, _FAST, _GENERIC = 0, 1, 2


def _fast_type(graphql_type: Any) -> bool:
    """Whether values of this type can be completed by `_complete` below.

    Wrappers, leaves, and object types whose `is_type_of` is absent or Strawberry's own (an
    isinstance check that ignores its info). Abstract types need graphql-core's resolve_type."""
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    if isinstance(graphql_type, GraphQLScalarType | GraphQLEnumType):
        return True
    if isinstance(graphql_type, GraphQLObjectType):
        check = graphql_type.is_type_of
        return check is None or getattr(check, "__qualname__", "").endswith(
            "_get_is_type_of.<locals>.is_type_of")
    return False


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_COERCERS: dict[Any, Callable[[Any], Any]] = {}


def _coercer(leaf: Any) -> Callable[[Any], Any]:
    """`leaf.coerce_output_value`, skipping graphql-core's checks for values already in
    their output form (an int in range for Int, a str for String and ID, a bool for Boolean)."""
    found = _COERCERS.get(leaf)
    if found is not None:
        return found
    coerce = leaf.coerce_output_value
    if leaf is GraphQLInt:
        def fast(value: Any) -> Any:
            if type(value) is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return coerce(value)
    elif leaf is GraphQLString or leaf is GraphQLID:
        def fast(value: Any) -> Any:
            return value if type(value) is str else coerce(value)
    elif leaf is GraphQLBoolean:
        def fast(value: Any) -> Any:
            return value if type(value) is bool else coerce(value)
    else:
        fast = coerce
    _COERCERS[leaf] = fast
    return fast


def lean_execution_context(base: type[Any]) -> type[Any]:
    """`base` (Strawberry's execution context) with a shorter path for lean fields.

    graphql-core runs ~10 calls per object and builds a ResolveInfo and a Path for every
    field, leaves included; a page of 20 posts completes ~580 fields that way. Here each
    selection set gets a plan once per execution:
    - a lean attribute leaf (scalar/enum) is read and coerced in the loop itself;
    - a field with a lean resolver whose type is made of lists, non-nulls, leaves and plain
      object types is resolved and completed by `_complete`, which follows graphql-core's
      `complete_value` for the values it expects and hands any other value (an exception, a
      null for a non-null type, a non-list, a value of the wrong type…) to graphql-core's own
      completion at the same point, so errors, nulls and paths come out the same;
    - everything else (arguments, @stream, abstract types, Strawberry resolvers, deferred
      fragments, middleware) takes graphql-core's path unchanged.
    """

    class LeanExecutionContext(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Per execution: plans by grouped field set, sub-selections by (type, field group).
            self._lean_plans: dict[int, Any] = {}
            self._lean_subfields: dict[tuple[Any, int], Any] = {}

        def _plan(self, parent_type: Any, grouped_field_set: Any) -> list[tuple[Any, ...]]:
            plans = self._lean_plans
            cached = plans.get(id(grouped_field_set))
            if cached is not None and cached[0] is grouped_field_set:
                return cached[1]  # type: ignore[no-any-return]
            plan: list[tuple[Any, ...]] = []
            for response_name, field_details_list in grouped_field_set.items():
                node = field_details_list[0].node
                field_def = parent_type.fields.get(node.name.value)
                resolve = field_def.resolve if field_def else None
                entry: tuple[Any, ...] = (_GENERIC, response_name, field_details_list)
                if (resolve is not None and getattr(resolve, "lean", False)
                        and not node.arguments and not field_def.args
                        and not any(d.node.directives and any(
                            x.name.value == "stream" for x in d.node.directives)
                            for d in field_details_list)):
                    leaf = field_def.type
                    non_null = isinstance(leaf, GraphQLNonNull)
                    if non_null:
                        leaf = leaf.of_type
                    name = getattr(resolve, "lean_attribute", None)
                    if name is not None and isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
                        entry = (_LEAF, response_name, field_details_list, name,
                                 _coercer(leaf), non_null)
                    elif _fast_type(field_def.type):
                        entry = (_FAST, response_name, field_details_list, field_def, resolve,
                                 getattr(resolve, "lean_wants_info", False))
                plan.append(entry)
            plans[id(grouped_field_set)] = (grouped_field_set, plan)
            return plan

        def execute_fields(self, parent_type: Any, source_value: Any, path: Any,
                           grouped_field_set: Any, position_context: Any) -> Any:
            if position_context is not None or self.middleware_manager:
                return super().execute_fields(parent_type, source_value, path,
                                              grouped_field_set, position_context)
            return self._run_plan(parent_type, source_value, path,
                                  self._plan(parent_type, grouped_field_set))

        def _run_plan(self, parent_type: Any, source_value: Any, path: Any,
                      plan: list[tuple[Any, ...]]) -> Any:
            """graphql-core's execute_fields over a plan (see the class's docstring)."""
            results: dict[str, Any] = {}
            is_awaitable = self.is_awaitable
            awaitable_fields: list[str] = []
            try:
                for entry in plan:
                    kind, response_name, field_details_list = entry[0], entry[1], entry[2]
                    if kind == _LEAF:
                        try:
                            value = getattr(source_value, entry[3])
                            if value is None:
                                if not entry[5]:
                                    results[response_name] = None
                                    continue
                            else:
                                coerced = entry[4](value)
                                if coerced is not None and coerced is not Undefined:
                                    results[response_name] = coerced
                                    continue
                        except Exception:
                            pass  # graphql-core's path below reports it
                        kind = _GENERIC
                    field_path = Path(path, response_name, parent_type.name)
                    if kind == _FAST:
                        result = self._execute_lean(parent_type, source_value, entry, field_path)
                    else:
                        result = self.execute_field(parent_type, source_value,
                                                    field_details_list, field_path, None)
                    if result is not Undefined:
                        results[response_name] = result
                        if is_awaitable(result):
                            awaitable_fields.append(response_name)
            except Exception:
                if awaitable_fields:
                    self.settle_in_background([results[f] for f in awaitable_fields])
                raise
            if not awaitable_fields:
                return results

            async def get_results() -> dict[str, Any]:
                if len(awaitable_fields) == 1:
                    field = awaitable_fields[0]
                    results[field] = await results[field]
                else:
                    awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                    results.update(zip(awaitable_fields, awaited, strict=True))
                return results

            return get_results()

        def _info(self, parent_type: Any, field_def: Any, field_details_list: Any,
                  field_path: Any) -> Any:
            return self.build_resolve_info(field_def, [d.node for d in field_details_list],
                                           parent_type, field_path)

        def _execute_lean(self, parent_type: Any, source: Any, entry: tuple[Any, ...],
                          field_path: Any) -> Any:
            """graphql-core's execute_field for a lean resolver, completing with `_complete`."""
            _, _, field_details_list, field_def, resolve, wants_info = entry
            return_type = field_def.type
            info = (self._info(parent_type, field_def, field_details_list, field_path)
                    if wants_info else None)
            try:
                result = resolve(source, info)
                if self.is_awaitable(result):
                    if info is None:
                        info = self._info(parent_type, field_def, field_details_list, field_path)
                    return self.complete_awaitable_value(return_type, field_details_list, info,
                                                         field_path, result, None)
                field = (parent_type, field_def, field_details_list, field_path, info)
                completed = self._complete(return_type, field, field_path, result)
                if self.is_awaitable(completed):
                    return self._settle(completed, return_type, field_details_list, field_path)
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, field_details_list, field_path)
                return None
            return completed

        async def _settle(self, completed: Any, return_type: Any, field_details_list: Any,
                          path: Any) -> Any:
            try:
                return await completed
            except Exception as raw_error:
                self.handle_field_error(raw_error, return_type, field_details_list, path)
                return None

        def _complete(self, return_type: Any, field: tuple[Any, ...], path: Any,
                      result: Any) -> Any:
            """complete_value for the expected shapes; graphql-core's for any other."""
            if isinstance(return_type, GraphQLNonNull):
                if result is not None and result is not Undefined:
                    completed = self._complete(return_type.of_type, field, path, result)
                    if completed is not None:
                        return completed
                return self._slow(return_type, field, path, result)  # raises its error
            if result is None or result is Undefined:
                return None
            if isinstance(return_type, GraphQLList):
                if type(result) is not list:
                    return self._slow(return_type, field, path, result)
                item_type = return_type.of_type
                completed_items: list[Any] = []
                pending: list[int] = []
                for index, item in enumerate(result):
                    item_path = Path(path, index, None)
                    try:
                        value = self._complete(item_type, field, item_path, item)
                        if self.is_awaitable(value):
                            value = self._settle(value, item_type, field[2], item_path)
                            pending.append(index)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, field[2], item_path)
                        value = None
                    completed_items.append(value)
                if not pending:
                    return completed_items

                async def await_items() -> list[Any]:
                    awaited = await gather_with_cancel(*(completed_items[i] for i in pending))
                    for index, value in zip(pending, awaited, strict=True):
                        completed_items[index] = value
                    return completed_items

                return await_items()
            if isinstance(return_type, GraphQLObjectType):
                check = return_type.is_type_of
                if check is not None and check(result, None) is not True:  # type: ignore[arg-type]  # Strawberry's check ignores info
                    return self._slow(return_type, field, path, result)
                return self._subfields(return_type, field[2], path, result)
            if isinstance(result, Exception):
                raise result
            coerced = _coercer(return_type)(result)
            if coerced is None or coerced is Undefined:
                return self.complete_leaf_value(return_type, result)  # raises its error
            return coerced

        def _subfields(self, return_type: Any, field_details_list: Any, path: Any,
                       result: Any) -> Any:
            """collect_and_execute_subfields without its layers when nothing is deferred."""
            key = (return_type, id(field_details_list))
            cached = self._lean_subfields.get(key)
            if cached is None or cached[0] is not field_details_list:
                grouped_field_set, new_defer_usages, _ = self.collect_subfields(
                    return_type, field_details_list)
                plan = (None if new_defer_usages or self.middleware_manager
                        else self._plan(return_type, grouped_field_set))
                cached = (field_details_list, grouped_field_set, new_defer_usages, plan)
                self._lean_subfields[key] = cached
            if cached[3] is not None:
                return self._run_plan(return_type, result, path, cached[3])
            return self.execute_collected_subfields(return_type, result, path, cached[1],
                                                    cached[2], None)

        def _slow(self, return_type: Any, field: tuple[Any, ...], path: Any, result: Any) -> Any:
            parent_type, field_def, field_details_list, field_path, info = field
            if info is None:
                info = self._info(parent_type, field_def, field_details_list, field_path)
            return self.complete_value(return_type, field_details_list, info, path, result, None)

    return LeanExecutionContext


def _calling(fn: Callable[..., Any], wants_info: bool) -> Callable[[Any, Any], Any]:
    if wants_info:
        def resolve(source: Any, info: Any) -> Any:
            return fn(source, info)
    else:
        def resolve(source: Any, info: Any) -> Any:
            return fn(source)
    resolve.lean = True  # type: ignore[attr-defined]
    resolve.lean_wants_info = wants_info  # type: ignore[attr-defined]
    return resolve


def _chain_free(field: Any) -> bool:
    """Whether Strawberry's chain adds nothing to this field (no extension, no permission)."""
    return field is not None and not field.extensions and not getattr(
        field, "permission_classes", None)


def _method(field: Any) -> Callable[..., Any] | None:
    """The field's resolver function when it is a plain method (`self` first)."""
    fn = field.base_resolver.wrapped_func
    return None if isinstance(fn, staticmethod | classmethod) else fn  # type: ignore[no-any-return]


def _lean(field: Any) -> Callable[[Any, Any], Any] | None:
    """The plain resolver for a Strawberry field, or None when it needs Strawberry's chain."""
    if not _chain_free(field):
        return None
    if field.base_resolver is None:
        return _attribute(field.python_name)
    fn = _method(field)
    if field.arguments or fn is None:
        return None
    names = list(inspect.signature(fn).parameters)
    if names not in (["self"], ["self", "info"]):
        return None
    return _calling(fn, wants_info=len(names) == 2)


def _with_arguments(field: Any, graphql_field: Any, info_class: Any
                    ) -> Callable[..., Any] | None:
    """The resolver of a root field taking scalar/enum arguments, called with Strawberry's
    Info and its arguments by their Python names; None when Strawberry's chain is needed."""
    if not _chain_free(field) or field.base_resolver is None:
        return None
    fn = _method(field)
    if fn is None:
        return None
    names: dict[str, str] = {}
    for (graphql_name, graphql_argument), argument in zip(
            graphql_field.args.items(), field.arguments, strict=True):
        leaf = graphql_argument.type
        if isinstance(leaf, GraphQLNonNull):
            leaf = leaf.of_type
        # Strawberry converts GlobalID and wraps Maybe; lists and inputs are built anew.
        if (not isinstance(leaf, GraphQLScalarType | GraphQLEnumType) or leaf.name == "GlobalID"
                or type(argument.type).__name__ == "StrawberryMaybe"):
            return None
        names[graphql_name] = argument.python_name
    parameters = list(inspect.signature(fn).parameters)
    wants_info = "info" in parameters
    if parameters[:1] != ["self"] or set(parameters[1:]) - {"info"} != set(names.values()):
        return None

    def resolve(source: Any, info: Any, **arguments: Any) -> Any:
        kwargs = {names[name]: value for name, value in arguments.items()}
        if wants_info:
            kwargs["info"] = info_class(_raw_info=info, _field=field)
        return fn(source, **kwargs)

    return resolve


def _fast_enum(enum_type: GraphQLEnumType) -> None:
    names = {value.value: name for name, value in enum_type.values.items()}
    slow = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        name = names.get(output_value)
        return name if name is not None else slow(output_value)

    enum_type.coerce_output_value = coerce_output_value  # type: ignore[method-assign]
    enum_type.serialize = coerce_output_value  # type: ignore[method-assign]


def install(schema: GraphQLSchema, types: Iterable[str] = HOT_TYPES,
            enums: Iterable[str] = HOT_ENUMS,
            root_fields: Iterable[tuple[str, str]] = HOT_ROOT_FIELDS) -> int:
    """Replaces the resolvers it can on `types` and `root_fields`; returns how many fields it
    made lean."""
    count = 0
    info_class = schema._strawberry_schema.config.info_class  # type: ignore[attr-defined]
    for type_name, field_name in root_fields:
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType), type_name
        graphql_field = graphql_type.fields[field_name]
        with_arguments = _with_arguments((graphql_field.extensions or {}).get(_BACKREF),
                                         graphql_field, info_class)
        assert with_arguments is not None, f"{type_name}.{field_name} needs Strawberry's chain"
        graphql_field.resolve = with_arguments
        count += 1
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
