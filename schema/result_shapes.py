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
import weakref
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

    _ENUM_NAMES[serialize] = names
    return serialize


# The names of each enum's shaper, for the objects' generated code to check inline.
_ENUM_NAMES: weakref.WeakKeyDictionary[Callable[[Any], str], frozenset[str]] = (
    weakref.WeakKeyDictionary()
)


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

    _LIST_ITEMS[shape_list] = item
    return shape_list


# The item shaper of each list's shaper, for the objects' generated code to call.
_LIST_ITEMS: weakref.WeakKeyDictionary[Shaper, Shaper] = weakref.WeakKeyDictionary()


# One function per object type and selection: a dict display of its fields, the
# common scalars and enums checked inline, any other field's shaper called directly.
# The general loop over the fields, unpacking each and calling a shaper per scalar,
# cost twice as much, and a whole gap map is 86,000 objects. Only keys and field names
# that GraphQL's grammar allows go into the text, and as literals (repr).
_OBJECT_SOURCE: Final = """
def shape_object(value):
    if type(value) is not dict:
        raise Mismatch
    try:
{reads}
    except KeyError:
        raise Mismatch from None
{checks}
    return {{{items}}}
"""
# The checks of a non-null scalar's value, as _string, _int and _boolean make them.
_INLINE_CHECKS: Final[dict[Callable[[Any], Any], str]] = {
    _string: "type({v}) is not str",
    _int: f"type({{v}}) is not int or not {_INT_RANGE.start} <= {{v}} < {_INT_RANGE.stop}",
    _boolean: "type({v}) is not bool",
}


def _object(typename: str, fields: tuple[tuple[str, str | None, Shaper], ...]) -> Shaper:
    namespace: dict[str, Any] = {"Mismatch": Mismatch, "typename": typename}
    reads, checks, items = ["        pass"], [], []
    for number, (key, source, shaper) in enumerate(fields):
        if source is None:
            items.append(f"{key!r}: typename")
            continue
        value = f"value_{number}"
        reads.append(f"        {value} = value[{source!r}]")
        items.append(f"{key!r}: {value}")
        if shaper is _id:
            namespace["shape_id"] = _id
            checks.append(f"    if type({value}) is not str:\n        {value} = shape_id({value})")
            continue
        if shaper in _LIST_ITEMS:
            namespace[f"item_{number}"] = _LIST_ITEMS[shaper]
            checks.append(
                f"    if type({value}) is not list:\n        raise Mismatch\n"
                f"    {value} = [item_{number}(entry) for entry in {value}]"
            )
            continue
        if shaper in _INLINE_CHECKS:
            check = _INLINE_CHECKS[shaper].format(v=value)
        elif shaper in _ENUM_NAMES:
            namespace[f"names_{number}"] = _ENUM_NAMES[shaper]
            check = f"type({value}) is not str or {value} not in names_{number}"
        else:
            namespace[f"shape_{number}"] = shaper
            checks.append(f"    {value} = shape_{number}({value})")
            continue
        checks.append(f"    if {check}:\n        raise Mismatch")
    source_text = _OBJECT_SOURCE.format(
        reads="\n".join(reads), checks="\n".join(checks), items=", ".join(items)
    )
    exec(source_text, namespace)
    generated: Shaper = namespace["shape_object"]
    return generated


# How many shared values a shaper of shared leaves remembers before starting afresh.
_SHARED_KEPT: Final = 4096


def _shared(shaper: Shaper) -> Shaper:
    """``shaper`` answering a value it has shaped before with the same answer. For
    values that recur as one object in a plan's maps (the gap map's counts: one copy
    of each per row, in tens of its cells), so that each is shaped once per row rather
    than once per cell. The values are kept beside their answers, so an id is never
    taken for another value's; answers are only ever read."""
    seen: dict[int, tuple[Any, Any]] = {}

    def shape_shared(value: Any) -> Any:
        found = seen.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        shaped = shaper(value)
        if len(seen) >= _SHARED_KEPT:
            seen.clear()
        seen[id(value)] = (value, shaped)
        return shaped

    return shape_shared


def compile_output(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    type_: GraphQLOutputType,
    nodes: list[FieldNode],
    *,
    shared_leaves: bool = False,
) -> Shaper:
    """The shaper for the value of the field(s) ``nodes`` of GraphQL type ``type_``.

    Built once per document from closures, so that shaping a value costs one call per
    value and no look-ups; each refuses None itself unless wrapped as nullable. With
    ``shared_leaves``, an object of scalar fields only is shaped once per object that
    holds it (see _shared): for plans whose maps share such objects.
    """
    if isinstance(type_, GraphQLNonNull):
        return _compile_named(schema, fragments, type_.of_type, nodes, shared_leaves)
    return _nullable(_compile_named(schema, fragments, type_, nodes, shared_leaves))


def _compile_named(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    named: GraphQLOutputType,
    nodes: list[FieldNode],
    shared_leaves: bool,
) -> Shaper:
    if isinstance(named, GraphQLList):
        return _list_of(
            compile_output(schema, fragments, named.of_type, nodes, shared_leaves=shared_leaves)
        )
    if isinstance(named, GraphQLEnumType):
        return _enum(frozenset(named.values))
    if isinstance(named, GraphQLScalarType):
        if named.name not in SCALARS:
            raise NotCompilable(f"scalar {named.name}")
        return SCALARS[named.name]
    if not isinstance(named, GraphQLObjectType):
        raise NotCompilable(f"abstract type {named}")
    fields: list[tuple[str, str | None, Shaper]] = []
    leaves_only = True
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
        field_type = definition.type
        named_field = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
        leaves_only &= isinstance(named_field, GraphQLScalarType | GraphQLEnumType)
        shaper = compile_output(
            schema, fragments, field_type, field_nodes, shared_leaves=shared_leaves
        )
        fields.append((key, source, shaper))
    shaped = _object(named.name, tuple(fields))
    return _shared(shaped) if shared_leaves and leaves_only else shaped


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
