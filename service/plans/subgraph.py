"""The nodes within ``depth`` hops of some seed nodes and every relationship among them.

The walk is breadth-first, one level per step of a single statement: each step follows
the allowed relationship types (either direction) to nodes of the allowed labels not
reached before. Levels are collected as distinct node lists rather than matched as a
variable-length pattern, because enumerating paths grows with the number of paths, not
the number of nodes. Each level stops at ``MAX_SUBGRAPH_NODES + 1`` new nodes so an
oversized request is refused without walking the whole graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans.errors import BadQueryInput
from service.plans.graph_items import (
    check_names,
    edge_map,
    model_labels,
    node_map,
    parse_key,
    plain_item,
)
from service.store import Store

MAX_SUBGRAPH_IDS: Final = 50
MAX_SUBGRAPH_DEPTH: Final = 4
MAX_SUBGRAPH_NODES: Final = 2000
DEFAULT_SUBGRAPH_DEPTH: Final = 1

# One list parameter per label, looked up id by id: the embedded store uses the id index
# for `{id: $x}` but scans the label for `IN $map.key`, for `OPTIONAL MATCH ... IN $list`
# and inside `CALL { ... UNION ... }`.
_SEEDS: Final = (
    "WITH "
    + " + ".join(
        f"COLLECT {{ UNWIND $seeds{label} AS seed MATCH (s:{label} {{id: seed}}) RETURN s }}"
        for label in LABELS
    )
    + " AS reached"
)
_STEP: Final = """
WITH reached, COLLECT {
  UNWIND (CASE WHEN size(reached) > $maxNodes THEN [] ELSE frontier END) AS f
  MATCH (f)-[r]-(m)
  WHERE type(r) IN $types AND any(l IN labels(m) WHERE l IN $labels) AND NOT m IN reached
  RETURN DISTINCT m LIMIT $levelLimit
} AS next
WITH reached + next AS reached, next AS frontier
"""
_RESULT: Final = f"""
RETURN size(reached) AS total,
  [n IN (CASE WHEN size(reached) > $maxNodes THEN [] ELSE reached END) | {node_map("n")}] AS nodes,
  COLLECT {{
    UNWIND (CASE WHEN size(reached) > $maxNodes THEN [] ELSE reached END) AS a
    MATCH (a)-[r]->(b)
    WHERE type(r) IN $types AND b IN reached
    RETURN {edge_map("r", "a", "b")} AS edge
  }} AS edges
"""


def _statement(depth: int) -> str:
    start = f"{_SEEDS}\nWITH reached, reached AS frontier"
    return start + _STEP * depth + _RESULT


# One literal statement per depth: a variable-length bound cannot be a parameter.
STATEMENTS: Final = {depth: _statement(depth) for depth in range(MAX_SUBGRAPH_DEPTH + 1)}


@dataclass(frozen=True)
class SubgraphRequest:
    """Seed node keys (``Label:id``), hops to follow, and what may be followed.

    ``None`` for ``relationship_types`` or ``labels`` means every one in the model.
    """

    ids: Sequence[str]
    depth: int = DEFAULT_SUBGRAPH_DEPTH
    relationship_types: Sequence[str] | None = None
    labels: Sequence[str] | None = None


def check(request: SubgraphRequest) -> dict[str, Any]:
    """Refuse a request outside the bounds, before anything runs; return the parameters."""
    if not request.ids:
        raise BadQueryInput("ids must name at least one node", argument="ids")
    if len(request.ids) > MAX_SUBGRAPH_IDS:
        raise BadQueryInput(
            f"ids names {len(request.ids)} nodes; MAX_SUBGRAPH_IDS is {MAX_SUBGRAPH_IDS}",
            argument="ids",
        )
    if not 0 <= request.depth <= MAX_SUBGRAPH_DEPTH:
        raise BadQueryInput(
            f"depth {request.depth} is out of range; MAX_SUBGRAPH_DEPTH is {MAX_SUBGRAPH_DEPTH}",
            argument="depth",
        )
    types = check_names(
        request.relationship_types, tuple(RELATIONSHIP_TYPES), argument="relationshipTypes"
    )
    labels = check_names(request.labels, LABELS, argument="labels")
    seed_ids: dict[str, list[str]] = {label: [] for label in LABELS}
    for key in request.ids:
        label, node_id = parse_key(key, argument="ids")
        if node_id not in seed_ids[label]:  # a node named twice is still one node
            seed_ids[label].append(node_id)
    return {
        **{f"seeds{label}": ids for label, ids in seed_ids.items()},
        "types": list(types),
        "labels": list(labels),
        "maxNodes": MAX_SUBGRAPH_NODES,
        "levelLimit": MAX_SUBGRAPH_NODES + 1,
        **model_labels(),
    }


async def subgraph(store: Store, *, request: SubgraphRequest) -> dict[str, Any]:
    """Nodes (sorted by key) and edges (sorted by source, type, target) of the subgraph.

    Seeds that do not exist are left out; a subgraph above ``MAX_SUBGRAPH_NODES`` nodes
    is refused with a message that says how to narrow it.
    """
    params = check(request)
    [row] = await store.read(STATEMENTS[request.depth], params)
    if row["total"] > MAX_SUBGRAPH_NODES:
        raise BadQueryInput(
            f"the subgraph has more than MAX_SUBGRAPH_NODES ({MAX_SUBGRAPH_NODES}) nodes; "
            "lower depth or name relationshipTypes or labels",
            argument="depth",
        )
    nodes = sorted((plain_item(n) for n in row["nodes"]), key=lambda n: str(n["key"]))
    edges = sorted(
        (plain_item(e) for e in row["edges"]),
        key=lambda e: (e["source"], e["type"], e["target"]),
    )
    return {"nodes": nodes, "edges": edges}
