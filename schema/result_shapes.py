"""Result shapers: a selection compiled into a function from a plan's maps to the response.

A query plan already returns the selected fields as nested maps; graphql-core would
still resolve and complete every value one by one. A shaper does the same walk in one
tight recursion: response keys (aliases) in the order GraphQL collects them, ``__typename``
from the static type, and each leaf serialised as the schema's scalar or enum would.

A shaper accepts only what it can answer exactly as graphql-core would: a null where
the schema says non-null, a value of an unexpected Python type, a missing key, all stop
it with ``Mismatch``, and the caller then answers through the general executor, which
reports such faults with its own error paths and null propagation.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from neo4j.time import Date, DateTime

from service.plans.shapes import COMPUTED, snake_case


class Mismatch(Exception):
    """The plan's value is not one the shaper can serialise exactly as graphql-core would."""


class NotCompilable(Exception):
    """The selection needs something only the general executor does (resolvers, directives)."""


_INT_RANGE: Final = range(-(2**31), 2**31)


def _string(value: Any) -> str:
    if type(value) is str:
        return value
    raise Mismatch


def _id(value: Any) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise Mismatch


def _int(value: Any) -> int:
    if type(value) is int and value in _INT_RANGE:
        return value
    raise Mismatch


def _float(value: Any) -> float:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int:
        return float(value)
    raise Mismatch


def _boolean(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise Mismatch


# Temporal values come as the driver gives them (the compiled path reads rows without
# converting them first) or as the standard library's: the same text either way.
def _datetime(value: Any) -> str:
    if type(value) is DateTime:
        moment: dt.datetime = value.to_native()
        return moment.isoformat()
    if type(value) is dt.datetime:
        return value.isoformat()
    raise Mismatch


def _date(value: Any) -> str:
    if type(value) is Date:
        day: dt.date = value.to_native()
        return day.isoformat()
    if type(value) is dt.date:
        return value.isoformat()
    raise Mismatch


SCALARS: Final[dict[str, Callable[[Any], Any]]] = {
    "String": _string,
    "ID": _id,
    "Int": _int,
    "Float": _float,
    "Boolean": _boolean,
    "DateTime": _datetime,
    "Date": _date,
}


def _enum(names: frozenset[str]) -> Callable[[Any], str]:
    def serialize(value: Any) -> str:
        if type(value) is str and value in names:
            return value
        raise Mismatch

    return serialize


# A compiled shaper: the response value for a plan's value, or Mismatch.
Shaper = Callable[[Any], Any]


def _nullable(shaper: Shaper) -> Shaper:
    def shape_nullable(value: Any) -> Any:
        return None if value is None else shaper(value)

    return shape_nullable


def _list_of(item: Shaper) -> Shaper:
    def shape_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Mismatch
        return [item(entry) for entry in value]

    return shape_list


def _object(typename: str, fields: tuple[tuple[str, str | None, Shaper], ...]) -> Shaper:
    def shape_object(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise Mismatch
        try:
            return {
                key: typename if source is None else shaper(value[source])
                for key, source, shaper in fields
            }
        except KeyError:
            raise Mismatch from None

    return shape_object


def compile_output(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    type_: GraphQLOutputType,
    nodes: list[FieldNode],
) -> Shaper:
    """The shaper for the value of the field(s) ``nodes`` of GraphQL type ``type_``.

    Built once per document from closures, so that shaping a value costs one call per
    value and no look-ups; each refuses None itself unless wrapped as nullable.
    """
    if isinstance(type_, GraphQLNonNull):
        return _compile_named(schema, fragments, type_.of_type, nodes)
    return _nullable(_compile_named(schema, fragments, type_, nodes))


def _compile_named(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    named: GraphQLOutputType,
    nodes: list[FieldNode],
) -> Shaper:
    if isinstance(named, GraphQLList):
        return _list_of(compile_output(schema, fragments, named.of_type, nodes))
    if isinstance(named, GraphQLEnumType):
        return _enum(frozenset(named.values))
    if isinstance(named, GraphQLScalarType):
        if named.name not in SCALARS:
            raise NotCompilable(f"scalar {named.name}")
        return SCALARS[named.name]
    if not isinstance(named, GraphQLObjectType):
        raise NotCompilable(f"abstract type {named}")
    fields: list[tuple[str, str | None, Shaper]] = []
    for key, field_nodes in collect_fields(schema, fragments, named, nodes).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            fields.append((key, None, _string))
            continue
        definition = named.fields.get(name)
        source = snake_case(name)
        if definition is None or name.startswith("__") or source in COMPUTED.get(named.name, {}):
            raise NotCompilable(f"{named.name}.{name} is resolved in Python")
        if definition.args and any(node.arguments for node in field_nodes):
            raise NotCompilable(f"{named.name}.{name} takes arguments")
        fields.append(
            (key, source, compile_output(schema, fragments, definition.type, field_nodes))
        )
    return _object(named.name, tuple(fields))


def collect_fields(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    type_: GraphQLObjectType,
    nodes: list[FieldNode],
) -> dict[str, list[FieldNode]]:
    """The sub-fields of ``nodes`` by response key, in GraphQL's collection order."""
    collected: dict[str, list[FieldNode]] = {}

    def visit(selection_set: SelectionSetNode | None, seen: frozenset[str]) -> None:
        for node in selection_set.selections if selection_set else ():
            if node.directives:
                raise NotCompilable("directives")
            if isinstance(node, FieldNode):
                collected.setdefault(
                    node.alias.value if node.alias else node.name.value, []
                ).append(node)
            elif isinstance(node, InlineFragmentNode):
                if _applies(schema, node.type_condition, type_):
                    visit(node.selection_set, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:
                    raise NotCompilable(f"fragment {name}")
                if fragment.directives:
                    raise NotCompilable("directives")
                if _applies(schema, fragment.type_condition, type_):
                    visit(fragment.selection_set, seen | {name})

    for field in nodes:
        visit(field.selection_set, frozenset())
    return collected


def _applies(schema: GraphQLSchema, condition: Any, type_: GraphQLObjectType) -> bool:
    if condition is None:
        return True
    conditional = schema.get_type(condition.name.value)
    if conditional is None:
        raise NotCompilable(f"unknown type {condition.name.value}")
    return conditional is type_ or (
        not isinstance(conditional, GraphQLObjectType) and schema.is_sub_type(conditional, type_)  # type: ignore[arg-type]
    )
