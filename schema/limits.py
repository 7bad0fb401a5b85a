"""Limits on what one GraphQL request may ask for, checked before any Cypher runs.

Depth, aliases and directives are validation rules; the token limit stops the parser
early; the cost limit needs the request's variables (page sizes) and runs just before
execution. Each refusal names the setting and its value, with
``extensions.code = "LIMIT_EXCEEDED"``. Field suggestions ("Did you mean ...?") would let
anonymous callers map the schema with typos, so they are removed for them
(introspection, which tells the same, has its own switch).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
    get_named_type,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from service.settings import Settings

LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?\s*$")
# graphql-core's parser stops with this syntax error at the token limit.
_TOO_MANY_TOKENS = re.compile(r"Document contains more than \d+ tokens")


def limit_error(message: str, *, setting: str, value: int) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": LIMIT_EXCEEDED, "limit": setting, "value": value}
    )


def query_depth(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """Fields nested below the root, through fragments; introspection is not counted."""
    fragments = _fragments(document)

    def depth(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> int:
        deepest = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                if node.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + depth(node.selection_set, seen))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, depth(node.selection_set, seen))
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = fragments.get(node.name.value)
                if fragment:
                    deepest = max(deepest, depth(fragment.selection_set, seen | {node.name.value}))
        return deepest

    return depth(operation.selection_set, frozenset())


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _nodes(document: DocumentNode, kind: type[Any]) -> Iterator[Any]:
    """Every node of ``kind`` in the document, walked without recursion."""
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            yield node
        for key in node.keys:
            value = getattr(node, key, None)
            if isinstance(value, tuple | list):
                stack.extend(item for item in value if hasattr(item, "keys"))
            elif hasattr(value, "keys") and not isinstance(value, str | dict):
                stack.append(value)


def validation_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The limit rules for these settings, as graphql-core validation rule classes."""

    class DepthLimit(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            found = query_depth(self.context.document, node)
            if found > settings.max_query_depth:
                self.report_error(
                    limit_error(
                        f"Query depth {found} exceeds MAX_QUERY_DEPTH = {settings.max_query_depth}.",
                        setting="MAX_QUERY_DEPTH",
                        value=settings.max_query_depth,
                    )
                )

    class CountLimits(ASTValidationRule):
        """Aliases and directives, counted over the whole document once."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            aliases = sum(1 for field in _nodes(document, FieldNode) if field.alias)
            if aliases > settings.max_aliases:
                self.report_error(
                    limit_error(
                        f"{aliases} aliases exceed MAX_ALIASES = {settings.max_aliases}.",
                        setting="MAX_ALIASES",
                        value=settings.max_aliases,
                    )
                )
            directives = sum(1 for _ in _nodes(document, DirectiveNode))
            if directives > settings.max_directives:
                self.report_error(
                    limit_error(
                        f"{directives} directives exceed MAX_DIRECTIVES = {settings.max_directives}.",
                        setting="MAX_DIRECTIVES",
                        value=settings.max_directives,
                    )
                )

    rules: list[type[ASTValidationRule]] = [DepthLimit, CountLimits]
    if not settings.introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    settings: Settings,
) -> int:
    """Roughly how many values the answer holds: what one statement has to produce.

    Each field counts once per row it is resolved for. A connection multiplies what is
    below it by its page size (``first``, or DEFAULT_PAGE_SIZE); any other list by
    ASSUMED_FAN_OUT, the rows assumed per relationship. So ``first: 100`` with two
    nested lists below costs about 100 x 5 x 5 per selected field.
    """
    fragments = _fragments(document)

    def page_size(field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = variables.get(argument.value.name.value)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        return settings.default_page_size

    def cost(
        selection_set: SelectionSetNode | None,
        parent: Any,
        rows: int,
        seen: frozenset[str],
    ) -> int:
        total = 0
        for node in selection_set.selections if selection_set else ():
            if isinstance(node, FieldNode):
                total += rows
                name = node.name.value
                if name.startswith("__") or not isinstance(
                    parent, GraphQLObjectType | GraphQLInterfaceType
                ):
                    continue
                definition = parent.fields.get(name)
                if definition is None or node.selection_set is None:
                    continue
                child_rows = rows
                if "first" in definition.args:
                    child_rows = rows * page_size(node)
                elif _is_list(definition.type) and not parent.name.endswith("Connection"):
                    child_rows = rows * settings.assumed_fan_out
                total += cost(node.selection_set, get_named_type(definition.type), child_rows, seen)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                child_parent = schema.get_type(condition.name.value) if condition else parent
                total += cost(node.selection_set, child_parent, rows, seen)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                fragment = fragments.get(node.name.value)
                if fragment:
                    fragment_type = schema.get_type(fragment.type_condition.name.value)
                    total += cost(
                        fragment.selection_set, fragment_type, rows, seen | {node.name.value}
                    )
        return total

    root = schema.get_root_type(operation.operation)
    return cost(operation.selection_set, root, 1, frozenset())


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


class QueryLimits(SchemaExtension):
    """Applies the limits in the request context's settings to each operation."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        settings: Settings = context.settings
        self.execution_context.parse_options["max_tokens"] = settings.max_tokens
        self.execution_context.validation_rules = (
            *self.execution_context.validation_rules,
            *validation_rules(settings),
        )
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        for index, error in enumerate(result.errors):
            if _TOO_MANY_TOKENS.search(error.message):
                result.errors[index] = limit_error(
                    f"The document has more than MAX_TOKENS = {settings.max_tokens} tokens.",
                    setting="MAX_TOKENS",
                    value=settings.max_tokens,
                )
            elif not context.authenticated:
                error.message = _SUGGESTION.sub("", error.message)

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        settings: Settings = context.context.settings
        document = context.graphql_document
        operation = _operation(document, context.operation_name) if document else None
        if document is not None and operation is not None:
            found = query_cost(
                context.schema._schema, document, operation, context.variables or {}, settings
            )
            if found > settings.max_query_cost:
                # A result set here replaces execution: nothing is resolved, no Cypher runs.
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        limit_error(
                            f"Query cost {found} exceeds MAX_QUERY_COST = {settings.max_query_cost} "
                            f"(page sizes x {settings.assumed_fan_out} rows assumed per nested list).",
                            setting="MAX_QUERY_COST",
                            value=settings.max_query_cost,
                        )
                    ],
                )
        yield


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)
