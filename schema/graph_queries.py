"""Root fields for analysts: the subgraph around some nodes and the paths between two."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.errors import expected_errors
from schema.network import Network, NetworkEdge, NetworkNode
from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans import paths as paths_plan
from service.plans import subgraph as subgraph_plan


def _registry_enum(name: str, values: Iterable[str], description: str) -> type[Enum]:
    """A GraphQL enum whose values are the registry's names exactly as the graph spells them."""
    enum_class: type[Enum] = Enum(name, {value: value for value in values})  # type: ignore[misc]
    return strawberry.enum(enum_class, description=description)


# Built from the model's registry, so a label or type added there appears here. mypy cannot
# see classes made at run time, hence the valid-type ignores where they annotate arguments.
NodeLabel = _registry_enum(
    "NodeLabel", LABELS, "A node label of the graph model, spelt as in the graph."
)
RelationshipType = _registry_enum(
    "RelationshipType", RELATIONSHIP_TYPES, "A relationship type of the graph model."
)

_SUBGRAPH_DESCRIPTION = (
    "The nodes within `depth` hops of the nodes named in `ids` (relationships followed in "
    "either direction), and every relationship among them. Only `relationshipTypes` are "
    "followed and only nodes with one of `labels` are reached (default: all); the seed "
    f"nodes are always included. Bounds: at most {subgraph_plan.MAX_SUBGRAPH_IDS} ids "
    f"(MAX_SUBGRAPH_IDS), depth 0 to {subgraph_plan.MAX_SUBGRAPH_DEPTH} "
    f"(MAX_SUBGRAPH_DEPTH), at most {subgraph_plan.MAX_SUBGRAPH_NODES} nodes in the result "
    "(MAX_SUBGRAPH_NODES); beyond a bound the field fails with BAD_USER_INPUT naming it. "
    "Unknown ids are left out. Nodes are ordered by key, edges by source, type and target."
)
_PATHS_DESCRIPTION = (
    "The shortest paths between two nodes, relationships followed in either direction, "
    f"with at most `maxLength` relationships (1 to {paths_plan.MAX_PATH_LENGTH}, "
    f"MAX_PATH_LENGTH); at most {paths_plan.MAX_PATHS} paths (MAX_PATHS), `truncated` "
    "when there are more. No paths when either node is unknown or none is short enough."
)

NodeKey = Annotated[
    str, strawberry.argument(description="A node key, Label:id (e.g. Intervention:mash).")
]


@strawberry.type(description="One path: its nodes in order and the relationships between them.")
class GraphPath:
    length: int = strawberry.field(description="Number of relationships.")
    nodes: list[NetworkNode]
    edges: list[NetworkEdge] = strawberry.field(
        description="In path order; each keeps its stored direction (source to target)."
    )


@strawberry.type
class GraphPaths:
    paths: list[GraphPath]
    truncated: bool = strawberry.field(description="More shortest paths exist than MAX_PATHS.")


def _names(values: list[Any] | None) -> list[str] | None:
    return None if values is None else [value.value for value in values]


@strawberry.type
class GraphQuery:
    """Subgraphs and paths over the whole graph, for analysts and graph views."""

    @strawberry.field(description=_SUBGRAPH_DESCRIPTION)
    async def subgraph(
        self,
        info: Info[Context, None],
        ids: list[str],
        depth: int = subgraph_plan.DEFAULT_SUBGRAPH_DEPTH,
        relationship_types: list[RelationshipType] | None = None,  # type: ignore[valid-type]
        labels: list[NodeLabel] | None = None,  # type: ignore[valid-type]
    ) -> Network:
        request = subgraph_plan.SubgraphRequest(
            ids=ids,
            depth=depth,
            relationship_types=_names(relationship_types),
            labels=_names(labels),
        )
        with expected_errors():
            return cast(Network, await subgraph_plan.subgraph(info.context.store, request=request))

    @strawberry.field(description=_PATHS_DESCRIPTION)
    async def paths(
        self,
        info: Info[Context, None],
        from_id: NodeKey,
        to_id: NodeKey,
        max_length: int = paths_plan.DEFAULT_PATH_LENGTH,
    ) -> GraphPaths:
        with expected_errors():
            return cast(
                GraphPaths,
                await paths_plan.paths(
                    info.context.store, from_key=from_id, to_key=to_id, max_length=max_length
                ),
            )
