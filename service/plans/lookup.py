"""Plans that fetch nodes by id, with everything selected beneath them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Store

# (label, selection) of one lookup among several answered by one statement.
Lookup = tuple[str, Selection]


def node_by_id_statement(
    label: str, selection: Selection, params: dict[str, Any] | None = None
) -> str:
    """The Cypher of one lookup; nested connections' arguments are added to ``params``."""
    projection = node_map(label, "n0", selection, params={} if params is None else params)
    return f"MATCH (n0:{label} {{id: $id}}) RETURN {projection} AS node"


async def node_by_id(
    store: Store,
    *,
    label: str,
    node_id: str,
    selection: Selection,
    statement: str | None = None,
) -> dict[str, Any] | None:
    """The node's selected fields, or None when no node of ``label`` has that id.

    ``statement`` is ``node_by_id_statement(label, selection)`` built earlier, by a
    caller that answers the same selection many times (one without nested connections,
    whose arguments would be parameters of their own).
    """
    params: dict[str, Any] = {"id": node_id}
    if statement is None:
        statement = node_by_id_statement(label, selection, params)
    rows = await store.read(statement, params)
    return rows[0]["node"] if rows else None


def nodes_by_id_statement(lookups: Sequence[Lookup]) -> str:
    """One statement answering several lookups, each into a column ``node<i>`` holding
    a list of at most one node map (the id parameter of lookup i is ``$id<i>``)."""
    columns = [
        f"COLLECT {{ MATCH (n0:{label} {{id: $id{number}}}) "
        f"RETURN {node_map(label, 'n0', selection)} AS node }} AS node{number}"
        for number, (label, selection) in enumerate(lookups)
    ]
    return "RETURN " + ", ".join(columns)


async def nodes_by_id(
    store: Store, *, statement: str, node_ids: Sequence[str]
) -> list[dict[str, Any] | None]:
    """The lookups of ``nodes_by_id_statement`` for ``node_ids``, in order (None: not found)."""
    [row] = await store.read(statement, {f"id{n}": node_id for n, node_id in enumerate(node_ids)})
    return [(row[f"node{n}"] or [None])[0] for n in range(len(node_ids))]
