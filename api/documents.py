"""Parsing and validation, cached per document text: together most of a request's CPU."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    validate,
)
from graphql.validation import specified_rules
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from rally.settings import Settings

# Strawberry adds these two to graphql-core's rules; the HTTP path must agree with the WS path.
VALIDATION_RULES = (*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule)


@dataclass
class PreparedDocument:
    document: DocumentNode | None
    errors: list[GraphQLError]
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    # Limits measured per operation, for requests without variables (they depend on nothing else).
    measures: dict[str | None, Any] = field(default_factory=dict)
    # Whether an operation's answer is viewer-independent (api.response_cache), per operation.
    public: dict[str | None, bool] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        if name is not None:
            return self.operations.get(name)
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return None


class DocumentCache:
    def __init__(self, schema: GraphQLSchema, settings: Settings, size: int = 1024) -> None:
        self._schema = schema
        self._settings = settings
        self._size = size
        self._entries: OrderedDict[str, PreparedDocument] = OrderedDict()

    def prepare(self, query: str) -> PreparedDocument:
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
            return entry
        entry = self._prepare(query)
        self._entries[query] = entry
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return entry

    def _prepare(self, query: str) -> PreparedDocument:
        if len(query.encode()) > self._settings.max_document_bytes:
            limit = self._settings.max_document_bytes
            return PreparedDocument(None, [GraphQLError(
                f"document is larger than {limit} bytes",
                extensions={"code": "QUERY_TOO_COMPLEX"},
            )])
        try:
            # max_tokens bounds the parser's work on hostile input
            document = parse(query, max_tokens=4000)
        except GraphQLError as error:
            return PreparedDocument(None, [error])
        errors = validate(self._schema, document, VALIDATION_RULES)
        if errors:
            return PreparedDocument(None, list(errors))
        operations: dict[str | None, OperationDefinitionNode] = {}
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations[definition.name.value if definition.name else None] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
        return PreparedDocument(document, [], operations, fragments)
