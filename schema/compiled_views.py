"""Compiled answers of the views that return plain maps: the whole-graph views
evidenceGapMap, practiceGap and recommend, and the network around one intervention.

These views return plain maps (service/plans/gap_map.py, practice_gap.py,
recommend.py, network.py) that the general executor would complete value by value: for
a map of the whole graph, tens of thousands of cells, which took seconds of graphql-core;
for a network, most of the service's time per request. The
compiled path calls the same functions the resolvers call (schema/evidence_queries.py)
with the same arguments, converted by Strawberry as for the resolvers, and shapes the
maps with the result shapers (schema/result_shapes.py). The gap map's cells are shaped
by the plan itself, which keeps them per snapshot of the graph (gap_map.gap_map), so an
unchanged graph's map costs no shaping at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
)
from strawberry.types.arguments import convert_arguments

from schema import evidence_queries
from schema.result_shapes import Mismatch, NotCompilable, Shaper, collect_fields, compile_output
from service.plans import network
from service.plans.shapes import snake_case

# The view's value for the converted arguments; the cell shaper, for the gap map.
_Value = Callable[[Any, dict[str, Any], Shaper | None], Awaitable[dict[str, Any]]]


async def _gap_map(context: Any, arguments: dict[str, Any], cells: Shaper | None) -> Any:
    return await evidence_queries.gap_map_value(
        context, filter=arguments.get("filter"), shape_cell=cells
    )


async def _practice_gap(context: Any, arguments: dict[str, Any], _: Shaper | None) -> Any:
    return await evidence_queries.practice_gap_value(context, **arguments)


async def _recommend(context: Any, arguments: dict[str, Any], _: Shaper | None) -> Any:
    return await evidence_queries.recommend_value(context, local=arguments["context"])


async def _network(context: Any, arguments: dict[str, Any], _: Shaper | None) -> Any:
    # Compiled only without the nodes' and edges' properties (a JSON scalar, which the
    # shapers leave to graphql-core), so the store need not read them.
    return await network.network(
        context.store, intervention_id=arguments["intervention_id"], properties=False
    )


VIEWS: Final[dict[str, _Value]] = {
    "evidenceGapMap": _gap_map,
    "practiceGap": _practice_gap,
    "recommend": _recommend,
    "network": _network,
}
# The view whose cells its plan shapes and remembers.
_CELLS: Final = {"evidenceGapMap": "cells"}


@dataclass(frozen=True)
class CompiledView:
    """One view root field's selection, compiled: the shapers of the fields of its value."""

    definition: GraphQLField
    value: _Value
    typename: str
    nullable: bool  # the network of an unknown id is null
    # (response key, source key or None for __typename, shaper or None for the cells)
    fields: tuple[tuple[str, str | None, Shaper | None], ...]
    cells: Shaper | None

    async def answer(self, schema: GraphQLSchema, arguments: dict[str, Any], context: Any) -> Any:
        """The response value of the view for these (graphql-core coerced) arguments."""
        strawberry_schema = schema._strawberry_schema  # type: ignore[attr-defined]
        strawberry_field = self.definition.extensions["strawberry-definition"]
        converted = convert_arguments(
            arguments,
            strawberry_field.arguments,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
            config=strawberry_schema.config,
        )
        found = await self.value(context, converted, self.cells)
        if found is None and self.nullable:
            return None
        if type(found) is not dict:
            raise Mismatch
        try:
            return {
                key: self.typename
                if source is None
                else found[source]
                if shaper is None
                else shaper(found[source])
                for key, source, shaper in self.fields
            }
        except KeyError:
            raise Mismatch from None


def compile_view(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    name: str,
    definition: GraphQLField,
    nodes: list[FieldNode],
) -> CompiledView:
    """The compiled form of the view root field ``name`` selected by ``nodes``."""
    if any(node.directives for node in nodes):
        raise NotCompilable("directives")
    type_ = definition.type
    nullable = not isinstance(type_, GraphQLNonNull)
    named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if not isinstance(named, GraphQLObjectType):
        raise NotCompilable(f"{name} is not an object")
    fields: list[tuple[str, str | None, Shaper | None]] = []
    cells: Shaper | None = None
    for key, field_nodes in collect_fields(schema, fragments, named, nodes).items():
        field_name = field_nodes[0].name.value
        if field_name == "__typename":
            fields.append((key, None, None))
            continue
        child = named.fields.get(field_name)
        if child is None or child.args:
            raise NotCompilable(f"{named.name}.{field_name}")
        if field_name == _CELLS.get(name):
            if cells is not None:
                raise NotCompilable("cells asked for under two names")
            cells = compile_output(schema, fragments, _item_type(child), field_nodes)
            fields.append((key, snake_case(field_name), None))
        else:
            shaper = compile_output(schema, fragments, child.type, field_nodes)
            fields.append((key, snake_case(field_name), shaper))
    return CompiledView(
        definition=definition,
        value=VIEWS[name],
        typename=named.name,
        nullable=nullable,
        fields=tuple(fields),
        cells=cells,
    )


def _item_type(field: GraphQLField) -> Any:
    """The item type of a non-null list field (the gap map's cells)."""
    listed = field.type.of_type if isinstance(field.type, GraphQLNonNull) else None
    if not isinstance(listed, GraphQLList):
        raise NotCompilable("cells are not a non-null list")
    return listed.of_type
