"""The shortest connections between two nodes, ignoring relationship direction."""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from service.plans.errors import BadQueryInput
from service.plans.graph_items import edge_map, model_labels, node_map, parse_key, plain_item
from service.store import Store

MAX_PATH_LENGTH: Final = 6
MAX_PATHS: Final = 25
DEFAULT_PATH_LENGTH: Final = 4


@cache
def paths_statement(from_label: str, to_label: str, max_length: int) -> str:
    """Labels come from the registry (``parse_key``) and the length is a checked int:
    a variable-length bound cannot be a parameter."""
    return f"""
MATCH (a:{from_label} {{id: $fromId}})
MATCH (b:{to_label} {{id: $toId}})
MATCH p = allShortestPaths((a)-[*..{max_length:d}]-(b))
WITH p LIMIT $limit
RETURN length(p) AS length,
  [n IN nodes(p) | {node_map("n")}] AS nodes,
  [r IN relationships(p) | {edge_map("r", "startNode(r)", "endNode(r)")}] AS edges
"""


async def paths(store: Store, *, from_key: str, to_key: str, max_length: int) -> dict[str, Any]:
    """Every shortest path (at most ``MAX_PATHS``) of up to ``max_length`` relationships.

    ``truncated`` says more shortest paths exist than were returned. Nodes come in path
    order; each edge keeps its stored direction (``source`` is where it starts).
    """
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise BadQueryInput(
            f"maxLength {max_length} is out of range; MAX_PATH_LENGTH is {MAX_PATH_LENGTH}",
            argument="maxLength",
        )
    from_label, from_id = parse_key(from_key, argument="fromId")
    to_label, to_id = parse_key(to_key, argument="toId")
    if (from_label, from_id) == (to_label, to_id):
        raise BadQueryInput("fromId and toId name the same node", argument="toId")
    rows = await store.read(
        paths_statement(from_label, to_label, max_length),
        {"fromId": from_id, "toId": to_id, "limit": MAX_PATHS + 1, **model_labels()},
    )
    found = [
        {
            "length": row["length"],
            "nodes": [plain_item(n) for n in row["nodes"]],
            "edges": [plain_item(e) for e in row["edges"]],
        }
        for row in rows
    ]
    found.sort(key=lambda p: [n["key"] for n in p["nodes"]])
    return {"paths": found[:MAX_PATHS], "truncated": len(found) > MAX_PATHS}
