"""Create-or-update and delete of nodes, keyed on (label, id), inside one transaction.

An upsert is a batch of one on the write path (``service/writes/merge.py``): resending
the same values writes nothing and logs nothing.
"""

from __future__ import annotations

from typing import Any, Final

from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Transaction
from service.writes.changelog import RECORD_CHANGE, Operation, change_params, logged
from service.writes.locks import lock_token
from service.writes.merge import NodeWrite, write_nodes
from service.writes.outcome import ErrorCode, Writer, WriteRefused

# What depends on a node of each label: a delete is refused while any exists, unless forced.
DEPENDENTS: Final[dict[str, dict[str, str]]] = {
    "Intervention": {
        "studies evaluate it": "COUNT { (n)<-[:EVALUATES]-(:Study) }",
        "findings are about it": "COUNT { (n)<-[:OF]-(:Finding) }",
        "ratings rate it": "COUNT { (n)<-[:RATES]-(:Rating) }",
    },
    "Agency": {"ratings were issued by it": "COUNT { (n)-[:ISSUED]->(:Rating) }"},
    "Study": {"findings are reported by it": "COUNT { (n)-[:REPORTS]->(:Finding) }"},
    "Outcome": {
        "findings measure it": "COUNT { (n)<-[:ON_OUTCOME]-(:Finding) }",
        "ratings are scoped to it": "COUNT { (n)<-[:SCOPED_TO]-(:Rating) }",
        "narrower outcomes are part of it": "COUNT { (n)<-[:PART_OF]-(:Outcome) }",
    },
    "Finding": {},
    "Rating": {},
    "Trial": {"studies report on it": "COUNT { (n)<-[:REPORTS_ON]-(:Study) }"},
    "Caveat": {},
    "Person": {},
}
# Nodes that belong to the deleted one and go with it when a delete is forced.
_OWNED: Final[dict[str, str]] = {
    "Study": "MATCH (:Study {id: $id})-[:REPORTS]->(f:Finding) RETURN f.id AS id"
}


async def upsert_node(
    tx: Transaction,
    *,
    label: str,
    node_id: str,
    values: dict[str, Any],
    source: Any,
    writer: Writer,
    selection: Selection,
) -> dict[str, Any]:
    """Create or update one node through the write path; return its selected fields.
    Raises WriteRefused."""
    [written] = await write_nodes(
        tx,
        [NodeWrite(label, node_id, values, source)],
        writer,
        projection=node_map(label, "n", selection),
    )
    return dict(written.shape or {})


async def delete_node(
    tx: Transaction, *, label: str, node_id: str, force: bool, writer: Writer
) -> bool:
    """Delete a node (and its relationships); False if it was not there. Raises WriteRefused."""
    counts = (
        ", ".join(f"{expr} AS `{what}`" for what, expr in DEPENDENTS[label].items()) or "0 AS none"
    )
    rows = await tx.run(
        f"MATCH (n:{label} {{id: $id}}) SET n._lock = $lockToken "
        f"RETURN properties(n) AS before, {counts}",
        {"id": node_id, "lockToken": lock_token()},
    )
    if not rows:
        return False
    dependents = {what: rows[0][what] for what in DEPENDENTS[label] if rows[0][what]}
    if dependents and not force:
        listed = "; ".join(f"{n} {what}" for what, n in dependents.items())
        raise WriteRefused.one(
            ErrorCode.CONFLICT,
            "id",
            f"{label} {node_id} has dependents ({listed}); pass force: true to delete it anyway",
        )
    params = change_params(
        tx,
        writer=writer,
        operation=Operation.DELETE,
        entity_type=label,
        entity_id=node_id,
        before=logged(rows[0]["before"]),
        after=None,
        source=None,
    )
    if label in _OWNED:
        for owned in await tx.run(_OWNED[label], {"id": node_id}):
            await delete_node(tx, label="Finding", node_id=owned["id"], force=True, writer=writer)
    await tx.run(
        f"MATCH (n:{label} {{id: $id}}) DETACH DELETE n {RECORD_CHANGE}", {"id": node_id, **params}
    )
    return True
