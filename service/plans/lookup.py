"""Plans that fetch one node by id, with everything selected beneath it."""

from __future__ import annotations

from typing import Any

from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Store


def node_by_id_statement(
    label: str, selection: Selection, params: dict[str, Any] | None = None
) -> str:
    """The Cypher of one lookup; nested connections' arguments are added to ``params``."""
    projection = node_map(label, "n0", selection, params={} if params is None else params)
    return f"MATCH (n0:{label} {{id: $id}}) RETURN {projection} AS node"


async def node_by_id(
    store: Store, *, label: str, node_id: str, selection: Selection
) -> dict[str, Any] | None:
    """The node's selected fields, or None when no node of ``label`` has that id."""
    params: dict[str, Any] = {"id": node_id}
    statement = node_by_id_statement(label, selection, params)
    rows = await store.read(statement, params)
    return rows[0]["node"] if rows else None
