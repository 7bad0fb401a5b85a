"""Builds the plain selection tree a query plan needs from the request's document.

Fields are keyed by their Python name, aliases and fragments merged: one map entry
answers every alias of a field without arguments. A nested connection takes arguments,
so each of its response keys gets an entry of its own, ``<field>@<responseKey>``, with
the arguments coerced as graphql-core coerces them (variables and defaults applied);
the connection's resolver reads the entry of its own response key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types import Info

from service.plans.nested_pages import nested_list
from service.plans.paging import PageRequest
from service.plans.selection import Selection
from service.plans.shapes import snake_case
from service.settings import Settings

# The filter's logic fields by their GraphQL names, as the query plans name them.
_LOGIC_FIELDS = {"AND": "and_", "OR": "or_", "NOT": "not_"}


def selection_of(info: Info) -> Selection:
    """The fields selected under the field being resolved (fragments and aliases merged)."""
    raw = info._raw_info
    # The executor's coerced variables (Strawberry passes them on as a plain dict).
    given: Any = raw.variable_values
    if not isinstance(given, VariableValues):
        given = VariableValues(sources={}, coerced=dict(given))
    variables = given
    walk = _Walk(raw.schema, raw.fragments, variables, info.context.settings)
    return walk.merge(get_named_type(raw.return_type), raw.field_nodes)


def entry_key(field: str, response_key: str) -> str:
    """The plan map's key of a nested connection under one response key."""
    return f"{field}@{response_key}"


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
        settings: Settings,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings

    def merge(self, parent: GraphQLNamedType, nodes: Iterable[FieldNode]) -> Selection:
        grouped: dict[str, tuple[GraphQLNamedType, GraphQLField | None, list[FieldNode]]] = {}
        for owner, node in self._fields(parent, nodes):
            name = node.name.value
            definition = getattr(owner, "fields", {}).get(name)
            key = snake_case(name)
            if nested_list(owner.name, key) is not None:
                key = entry_key(key, node.alias.value if node.alias else name)
            grouped.setdefault(key, (owner, definition, []))[2].append(node)
        return Selection({key: self._entry(key, *group) for key, group in grouped.items()})

    def _entry(
        self,
        key: str,
        owner: GraphQLNamedType,
        definition: GraphQLField | None,
        nodes: list[FieldNode],
    ) -> Selection:
        if definition is None:
            return Selection()
        below = self.merge(get_named_type(definition.type), nodes)
        if "@" not in key:
            return below
        arguments = get_argument_values(definition, nodes[0], self.variables)
        page = PageRequest(
            first=arguments.get("first"),
            after=arguments.get("after"),
            last=arguments.get("last"),
            before=arguments.get("before"),
            sort=plan_value(arguments["sort"]),
            direction=plan_value(arguments["direction"]),
            filters=plan_filters(arguments.get("filter")),
        )
        return Selection(
            below.fields,
            {
                "page": page,
                "default_size": self.settings.default_page_size,
                "max_size": self.settings.max_page_size,
            },
        )

    def _fields(
        self, parent: GraphQLNamedType, nodes: Iterable[FieldNode]
    ) -> Iterable[tuple[GraphQLNamedType, FieldNode]]:
        """Each field below ``nodes`` with the type it is selected on; every fragment is
        followed whatever its type condition (a plan reads what any branch may need)."""
        stack: list[tuple[GraphQLNamedType, Any]] = [
            (parent, selection)
            for node in nodes
            if node.selection_set
            for selection in node.selection_set.selections
        ]
        stack.reverse()
        seen: set[str] = set()
        while stack:
            owner, selection = stack.pop()
            if isinstance(selection, FieldNode):
                yield owner, selection
                continue
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue
                seen.add(name)
                selection = self.fragments[name]
            assert isinstance(selection, InlineFragmentNode | FragmentDefinitionNode)
            condition = selection.type_condition
            inner = self.schema.get_type(condition.name.value) if condition else owner
            stack.extend(
                (inner or owner, child) for child in reversed(selection.selection_set.selections)
            )


def plan_filters(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """A coerced filter input as the query plans take it: snake_case names, nested AND/OR/NOT."""
    values: dict[str, Any] = {}
    for name, value in (raw or {}).items():
        key = _LOGIC_FIELDS.get(name)
        if key is None:
            values[snake_case(name)] = plan_value(value)
        elif value is None:
            values[key] = None
        elif key == "not_":
            values[key] = plan_filters(value)
        else:
            values[key] = [plan_filters(sub) for sub in value]
    return values


def plan_value(value: Any) -> Any:
    """Enum members (argument defaults) by their value, as the plans take them."""
    if isinstance(value, list):
        return [plan_value(item) for item in value]
    return getattr(value, "value", value)
