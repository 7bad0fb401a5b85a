"""Compiled operations: a cached query document turned into plan calls and result shapers.

For a query whose root fields are all lookups by id, connections (the fields whose
query plan already returns the selection's exact shape) or whole-graph views
(schema/compiled_views.py), the compiled path calls the same plans the resolvers call,
with the same selection and arguments, and shapes their maps straight into the
response (schema/result_shapes.py). Everything else, and any
request the compiled path cannot answer exactly (variables that do not coerce, a cost
over the limit, a value the shaper refuses, an unexpected exception), is answered by
the general executor: ``run`` then returns None. Tests compare the two paths.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.types.execution import ExecutionResult

from schema.compiled_views import VIEWS, CompiledView, compile_view
from schema.documents import PreparedDocument
from schema.errors import expected_errors
from schema.result_shapes import NotCompilable, Shaper, collect_fields, compile_output
from schema.selection import plan_filters, plan_value
from service.plans import listing, lookup
from service.plans.nested_pages import uses_nested_connections
from service.plans.selection import Selection
from service.plans.shapes import snake_case

# Root fields whose plans return the selection's exact shape: (plan, label).
ROOT_PLANS: Final[dict[str, tuple[str, str]]] = {
    "intervention": ("node", "Intervention"),
    "agency": ("node", "Agency"),
    "study": ("node", "Study"),
    "outcome": ("node", "Outcome"),
    "finding": ("node", "Finding"),
    "rating": ("node", "Rating"),
    "interventions": ("connection", "Intervention"),
    "agencies": ("connection", "Agency"),
    "studies": ("connection", "Study"),
    "outcomes": ("connection", "Outcome"),
}


@dataclass(frozen=True)
class _RootField:
    key: str
    node: FieldNode
    definition: GraphQLField
    plan: str
    label: str
    selection: Selection
    output: Shaper
    # A lookup's statement, built once (connections build theirs per request: it
    # depends on the filters and the cursor).
    statement: str | None = None
    # A whole-graph view (schema/compiled_views.py): it shapes its own value.
    view: CompiledView | None = None


@dataclass(frozen=True)
class CompiledOperation:
    operation: OperationDefinitionNode
    fields: tuple[_RootField, ...]
    # Two or more lookups by id are independent reads: one statement answers them all
    # (for ten lookups it took less CPU in the service and in the store than ten did).
    lookups: tuple[_RootField, ...] = ()
    lookups_statement: str | None = None


def compiled_operation(
    schema: GraphQLSchema, entry: PreparedDocument, name: str | None
) -> CompiledOperation | None:
    """The compiled form of a valid document's operation, or None where it has none."""
    if name in entry.compiled:
        result: CompiledOperation | None = entry.compiled[name]
        return result
    compiled = None
    operation = entry.operation(name)
    if operation is not None and not entry.errors:
        try:
            compiled = _compile(schema, entry, operation)
        except NotCompilable:
            compiled = None
    entry.compiled[name] = compiled
    return compiled


def _compile(
    schema: GraphQLSchema, entry: PreparedDocument, operation: OperationDefinitionNode
) -> CompiledOperation:
    if operation.operation != OperationType.QUERY or operation.directives:
        raise NotCompilable("not a plain query")
    fragments = {
        d.name.value: d for d in entry.document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.query_type
    assert root is not None
    top = FieldNode(name=NameNode(value=""), selection_set=operation.selection_set)
    fields = []
    for key, nodes in collect_fields(schema, fragments, root, [top]).items():
        name = nodes[0].name.value
        if name in VIEWS and len(nodes) == 1:
            fields.append(
                _RootField(
                    key=key,
                    node=nodes[0],
                    definition=root.fields[name],
                    plan="view",
                    label=name,
                    selection=Selection(),
                    output=_shaped_already,
                    view=compile_view(schema, fragments, name, root.fields[name], nodes),
                )
            )
            continue
        if name not in ROOT_PLANS or len(nodes) != 1:
            raise NotCompilable(f"root field {name}")
        plan, label = ROOT_PLANS[name]
        definition = root.fields[name]
        selection = _selection(schema, fragments, definition, nodes)
        _refuse_paging_beyond_the_shapers(nodes[0], selection)
        fields.append(
            _RootField(
                key=key,
                node=nodes[0],
                definition=definition,
                plan=plan,
                label=label,
                selection=selection,
                output=compile_output(schema, fragments, definition.type, nodes),
                statement=lookup.node_by_id_statement(label, selection) if plan == "node" else None,
            )
        )
    lookups = tuple(field for field in fields if field.plan == "node")
    if len(lookups) < 2:
        return CompiledOperation(operation=operation, fields=tuple(fields))
    return CompiledOperation(
        operation=operation,
        fields=tuple(fields),
        lookups=lookups,
        lookups_statement=lookup.nodes_by_id_statement(
            [(field.label, field.selection) for field in lookups]
        ),
    )


# Paging the compiled path does not answer: backward pages of a root list, and nested
# connections (their arguments and cursors are read by their own resolvers).
_BACKWARD_ARGUMENTS: Final = frozenset({"last", "before"})


def _refuse_paging_beyond_the_shapers(node: FieldNode, selection: Selection) -> None:
    if any(argument.name.value in _BACKWARD_ARGUMENTS for argument in node.arguments or ()):
        raise NotCompilable("backward paging")
    if uses_nested_connections(selection.fields):
        raise NotCompilable("nested connection")


def _selection(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    definition: GraphQLField,
    nodes: list[FieldNode],
) -> Selection:
    """What schema/selection.py builds from resolve info: fields by Python name, merged."""
    type_ = get_named_type(definition.type)
    if not isinstance(type_, GraphQLObjectType):
        raise NotCompilable(f"abstract type {type_}")
    merged: dict[str, list[FieldNode]] = {}
    for field_nodes in collect_fields(schema, fragments, type_, nodes).values():
        merged.setdefault(snake_case(field_nodes[0].name.value), []).extend(field_nodes)
    fields = {}
    for python_name, field_nodes in merged.items():
        child = type_.fields.get(field_nodes[0].name.value)
        has_children = any(node.selection_set for node in field_nodes)
        fields[python_name] = (
            _selection(schema, fragments, child, field_nodes)
            if child and has_children
            else Selection()
        )
    return Selection(fields)


async def run(
    schema: GraphQLSchema,
    entry: PreparedDocument,
    compiled: CompiledOperation,
    *,
    variables: dict[str, Any] | None,
    context: Any,
) -> ExecutionResult | None:
    """The result of ``compiled`` for this request, or None for the general executor."""
    coerced = get_variable_values(
        schema, compiled.operation.variable_definitions or (), variables or {}
    )
    if isinstance(coerced, list):
        return None
    model = entry.cost_model(
        schema, compiled.operation.name.value if compiled.operation.name else None
    )
    if model is None or model.cost(variables or {}) > entry.limits.max_query_cost:
        return None
    separate = [field for field in compiled.fields if field not in compiled.lookups]
    work = [_resolve(schema, field, coerced, context) for field in separate]
    if compiled.lookups:
        work.append(_resolve_lookups(compiled, coerced, context))
    if len(work) == 1:
        # One statement (most requests): no task to run it in, as gather would make.
        try:
            answers: list[Any] = [await work[0]]
        except Exception as error:
            answers = [error]
    else:
        answers = await asyncio.gather(*work, return_exceptions=True)
    outcome_of = {field.key: answer for field, answer in zip(separate, answers, strict=False)}
    if compiled.lookups:
        together = answers[-1]
        for number, field in enumerate(compiled.lookups):
            # A failure of the shared statement is each of its fields' failure.
            outcome_of[field.key] = (
                together if isinstance(together, BaseException) else together[number]
            )
    outcomes = [outcome_of[field.key] for field in compiled.fields]
    data: dict[str, Any] | None = {}
    errors: list[GraphQLError] = []
    for field, outcome in zip(compiled.fields, outcomes, strict=True):
        if isinstance(outcome, GraphQLError):
            errors.append(
                GraphQLError(
                    outcome.message, [field.node], path=[field.key], extensions=outcome.extensions
                )
            )
            if isinstance(field.definition.type, GraphQLNonNull):
                data = None
            elif data is not None:
                data[field.key] = None
        elif isinstance(outcome, BaseException):
            # A value the shaper refused (Mismatch) or a bug: the general executor answers,
            # with its own error paths, and masks what should be masked.
            return None
        elif data is not None:
            data[field.key] = outcome
    return ExecutionResult(data=data, errors=errors or None)


def _shaped_already(value: Any) -> Any:
    return value


async def _resolve(
    schema: GraphQLSchema, field: _RootField, variables: VariableValues, context: Any
) -> Any:
    arguments = get_argument_values(field.definition, field.node, variables)
    if field.view is not None:
        with expected_errors():
            return await field.view.answer(schema, arguments, context)
    # The shaper walks every value anyway, temporal ones included: no conversion before.
    store = context.store.unconverted()
    with expected_errors():
        if field.plan == "node":
            found = await lookup.node_by_id(
                store,
                label=field.label,
                node_id=arguments["id"],
                selection=field.selection,
                statement=field.statement,
            )
        else:
            settings = context.settings
            first = arguments.get("first")
            request = listing.PageRequest(
                first=settings.default_page_size if first is None else first,
                after=arguments.get("after"),
                sort=plan_value(arguments["sort"]),
                direction=plan_value(arguments["direction"]),
                filters=plan_filters(arguments.get("filter")),
            )
            found = await listing.connection(
                store,
                label=field.label,
                request=request,
                selection=field.selection,
                max_page_size=settings.max_page_size,
            )
    return field.output(found)


async def _resolve_lookups(
    compiled: CompiledOperation, variables: VariableValues, context: Any
) -> list[Any]:
    """The shaped values of every lookup of ``compiled``, read by one statement."""
    assert compiled.lookups_statement is not None
    node_ids = [
        get_argument_values(field.definition, field.node, variables)["id"]
        for field in compiled.lookups
    ]
    with expected_errors():
        found = await lookup.nodes_by_id(
            context.store.unconverted(), statement=compiled.lookups_statement, node_ids=node_ids
        )
    return [field.output(value) for field, value in zip(compiled.lookups, found, strict=True)]
