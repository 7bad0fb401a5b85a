"""Where an export reads from: the whole graph in fixed-size batches, or one subgraph.

Both give nodes grouped by label and edges grouped by (type, start label, end label),
as the ``network`` plan shapes them: nodes ``{key, id, label, name, properties}``, edges
``{type, source, target, properties}`` with node keys ``Label:id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, Protocol

from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans.graph_items import edge_map, node_map, plain_item
from service.store import Store

EXPORT_BATCH_SIZE: Final = 1000

Item = dict[str, Any]


class EdgeGroup(NamedTuple):
    type: str
    start_label: str
    end_label: str


EDGE_GROUPS: Final = tuple(
    EdgeGroup(name, start, end)
    for name, rel in RELATIONSHIP_TYPES.items()
    for start in rel.from_labels
    for end in rel.to_labels
)


class GraphSource(Protocol):
    def nodes(self) -> AsyncIterator[tuple[str, list[Item]]]: ...
    def edges(self) -> AsyncIterator[tuple[EdgeGroup, list[Item]]]: ...


# Keyset pagination on id: each batch starts after the last id of the one before, so a
# batch costs the same wherever it falls and concurrent writes skip or repeat nothing.
_NODE_BATCH: Final = {
    label: f"MATCH (n:{label}) WHERE n.id > $after WITH n ORDER BY n.id LIMIT $batch "
    f"RETURN {node_map('n', label)} AS node"
    for label in LABELS
}
# Edges in batches of start nodes: every edge of a start node comes in the same batch.
_EDGE_BATCH: Final = {
    group: f"MATCH (a:{group.start_label}) WHERE a.id > $after WITH a ORDER BY a.id LIMIT $batch "
    f"RETURN a.id AS cursor, COLLECT {{ MATCH (a)-[r:{group.type}]->(b:{group.end_label}) "
    f"RETURN {edge_map('r', 'a', 'b', group)} AS edge }} AS edges"
    for group in EDGE_GROUPS
}


@dataclass(frozen=True)
class WholeGraph:
    """Every node of ``labels`` and every relationship of ``types`` between them."""

    store: Store
    labels: tuple[str, ...] = LABELS
    types: tuple[str, ...] = tuple(RELATIONSHIP_TYPES)
    batch_size: int = EXPORT_BATCH_SIZE

    async def nodes(self) -> AsyncIterator[tuple[str, list[Item]]]:
        for label in self.labels:
            after = ""
            while True:
                rows = await self.store.read(
                    _NODE_BATCH[label], {"after": after, "batch": self.batch_size}
                )
                if rows:
                    yield label, [plain_item(row["node"]) for row in rows]
                    after = rows[-1]["node"]["id"]
                if len(rows) < self.batch_size:
                    break

    async def edges(self) -> AsyncIterator[tuple[EdgeGroup, list[Item]]]:
        for group in EDGE_GROUPS:
            if group.type not in self.types or not {group.start_label, group.end_label} <= set(
                self.labels
            ):
                continue
            after = ""
            while True:
                rows = await self.store.read(
                    _EDGE_BATCH[group], {"after": after, "batch": self.batch_size}
                )
                edges = [plain_item(edge) for row in rows for edge in row["edges"]]
                if edges:
                    yield group, edges
                if len(rows) < self.batch_size:
                    break
                after = rows[-1]["cursor"]


@dataclass(frozen=True)
class Subgraph:
    """The result of the subgraph plan, regrouped as an export reads it."""

    graph: dict[str, list[Item]]

    async def nodes(self) -> AsyncIterator[tuple[str, list[Item]]]:
        by_label: dict[str, list[Item]] = defaultdict(list)
        for node in self.graph["nodes"]:
            by_label[node["label"]].append(node)
        for label in LABELS:
            if by_label[label]:
                yield label, by_label[label]

    async def edges(self) -> AsyncIterator[tuple[EdgeGroup, list[Item]]]:
        by_group: dict[EdgeGroup, list[Item]] = defaultdict(list)
        for edge in self.graph["edges"]:
            start, end = (edge[side].partition(":")[0] for side in ("source", "target"))
            by_group[EdgeGroup(edge["type"], start, end)].append(edge)
        for group in EDGE_GROUPS:
            if by_group[group]:
                yield group, by_group[group]
