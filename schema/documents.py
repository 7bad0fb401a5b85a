"""Parse, validate and analyse each GraphQL document once; requests reuse the result.

Frontends send the same few documents over and over, and validating one costs far more
than answering it from the store. So the parsed document, its validation errors (the
limit rules included) and each operation's cost polynomial are kept in a bounded LRU
cache keyed by the document text and the limits in force. What depends on the request
stays per request: variable coercion (graphql-core's execution), the cost priced with
the variables, and whether the caller may see "Did you mean ...?" suggestions.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    parse,
    specified_rules,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types.execution import ExecutionResult

from schema.limits import CostModel, Limits, cost_error, cost_model, limit_error, validation_rules

DEFAULT_CACHE_SIZE: Final = 1000
_SUGGESTION: Final = re.compile(r"\s*Did you mean [^?]*\?\s*$")
# graphql-core's parser stops with this syntax error at the token limit.
_TOO_MANY_TOKENS: Final = re.compile(r"Document contains more than \d+ tokens")


@dataclass
class PreparedDocument:
    """A parsed document with what validation found, and per-operation analyses."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    limits: Limits
    _costs: dict[str | None, CostModel | None] = field(default_factory=dict)
    # Filled by the compiled path (service/graphql_compiled.py), per operation name.
    compiled: dict[str | None, Any] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        operations = [
            d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if name is None:
            return operations[0] if len(operations) == 1 else None
        return next((o for o in operations if o.name and o.name.value == name), None)

    def cost_model(self, schema: Any, name: str | None) -> CostModel | None:
        if name not in self._costs:
            operation = self.operation(name)
            self._costs[name] = (
                cost_model(schema, self.document, operation, self.limits) if operation else None
            )
        return self._costs[name]


class DocumentCache:
    """Prepared documents by (limits, text), the least recently used dropped first."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Limits, str], PreparedDocument] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, limits: Limits, query: str) -> PreparedDocument | None:
        entry = self._entries.get((limits, query))
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end((limits, query))
        return entry

    def peek(self, limits: Limits, query: str) -> PreparedDocument | None:
        """The entry, if any, without counting a hit or a miss."""
        return self._entries.get((limits, query))

    def put(self, query: str, entry: PreparedDocument) -> None:
        self._entries[(entry.limits, query)] = entry
        self._entries.move_to_end((entry.limits, query))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def prepare(
    cache: DocumentCache, schema: GraphQLSchema, limits: Limits, query: str
) -> PreparedDocument | None:
    """``query`` parsed and validated as a request's execution does it (the extension
    below), and kept; None when it does not parse, which the general path reports.
    The compiled path prepares a document it has not seen, so that even its first
    request is answered compiled: the general executor takes seconds over a whole-graph
    view's tens of thousands of cells."""
    try:
        document = parse(query, max_tokens=limits.max_tokens)
    except GraphQLError:
        return None
    errors = validate_document(schema, document, (*specified_rules, *validation_rules(limits)))
    entry = PreparedDocument(document=document, errors=tuple(errors), limits=limits)
    cache.put(query, entry)
    return entry


def without_suggestion(error: GraphQLError) -> GraphQLError:
    """A copy of ``error`` without its "Did you mean ...?" (cached errors stay intact)."""
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        error.extensions,
    )


def prepared_extension(cache: DocumentCache) -> type[SchemaExtension]:
    """The schema extension that serves documents from ``cache`` and applies the limits."""

    class PreparedDocuments(SchemaExtension):
        entry: PreparedDocument | None = None

        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            settings = context.context.settings
            limits = Limits.of(settings)
            context.parse_options["max_tokens"] = limits.max_tokens
            if context.query is not None:
                self.entry = cache.get(limits, context.query)
            if self.entry is not None:
                # Strawberry neither parses nor validates a document it is given with
                # its errors already known.
                context.graphql_document = self.entry.document
                context.pre_execution_errors = list(self.entry.errors)
            yield
            result = context.result
            if result is None or not result.errors:
                return
            hide = not context.context.authenticated or not limits.introspection
            for index, error in enumerate(result.errors):
                if _TOO_MANY_TOKENS.search(error.message):
                    result.errors[index] = limit_error(
                        f"The document has more than MAX_TOKENS = {limits.max_tokens} tokens.",
                        setting="MAX_TOKENS",
                        value=limits.max_tokens,
                    )
                elif hide:
                    result.errors[index] = without_suggestion(error)

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if self.entry is None and context.graphql_document is not None:
                limits = Limits.of(context.context.settings)
                errors = validate_document(
                    context.schema._schema,
                    context.graphql_document,
                    (*context.validation_rules, *validation_rules(limits)),
                )
                context.pre_execution_errors = errors
                self.entry = PreparedDocument(
                    document=context.graphql_document, errors=tuple(errors), limits=limits
                )
                if context.query is not None:
                    cache.put(context.query, self.entry)
            yield

        def on_execute(self) -> Iterator[None]:
            context = self.execution_context
            entry = self.entry
            model = (
                entry.cost_model(context.schema._schema, context.operation_name) if entry else None
            )
            if entry is not None and model is not None:
                found = model.cost(context.variables or {})
                if found > entry.limits.max_query_cost:
                    # A result set here replaces execution: nothing is resolved, no Cypher runs.
                    context.result = ExecutionResult(
                        data=None, errors=[cost_error(found, entry.limits)]
                    )
            yield

    return PreparedDocuments
