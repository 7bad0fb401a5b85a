"""Create-or-update and delete of nodes, keyed on (label, id), inside one transaction.

An upsert first merges the node and takes its write lock (see ``lock_token``), then
reads what is there. Only then does it decide whether anything
changes: resending the same values writes nothing and logs nothing.
"""

from __future__ import annotations

from typing import Any, Final

from service.model import NODE_PROPERTIES, SOURCES
from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Transaction
from service.validation import check_id, clean_properties, clean_source
from service.writes.changelog import (
    RECORD_CHANGE,
    Operation,
    change_params,
    logged,
    logged_after,
)
from service.writes.locks import lock_token
from service.writes.outcome import ErrorCode, Writer, WriteRefused

_LOCK: Final = """
MERGE (n:{label} {{id: $id}})
SET n._lock = $lockToken
RETURN properties(n) AS before, n.createdAt IS NULL AS isNew
"""
# MERGE, not MATCH: under concurrent writers the embedded store's id index may not yet
# show, to this transaction, the node its own first statement merged (seen with fifty
# identical creates); a MATCH then finds nothing.
_APPLY: Final = """
MERGE (n:{label} {{id: $id}})
SET n += $set, n.source = $source, n.recordedBy = $changeClient,
    n.updatedAt = datetime(), n.createdAt = coalesce(n.createdAt, datetime())
REMOVE n._lock
{record}
WITH n
RETURN {projection} AS node
"""
_READ: Final = "MERGE (n:{label} {{id: $id}}) REMOVE n._lock RETURN {projection} AS node"

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
    """Create or update one node; return its selected fields. Raises WriteRefused."""
    if problem := check_id("id", node_id):
        raise WriteRefused.invalid([problem])
    clean_source_text, source_problem = clean_source(source)
    if source_problem:
        raise WriteRefused.invalid([source_problem])
    [state] = await tx.run(_LOCK.format(label=label), {"id": node_id, "lockToken": lock_token()})
    # Besides its properties, a node may carry every citation given for it (``sources``).
    allowed = (*NODE_PROPERTIES[label], SOURCES)
    cleaned, problems = clean_properties(values, allowed, require=state["isNew"])
    if problems:
        raise WriteRefused.invalid(problems)
    before = {k: v for k, v in state["before"].items() if not k.startswith("_")}
    projection = node_map(label, "n", selection)
    changed = {k: v for k, v in cleaned.items() if before.get(k) != v}
    if not state["isNew"] and not changed and before.get("source") == clean_source_text:
        [row] = await tx.run(_READ.format(label=label, projection=projection), {"id": node_id})
        return dict(row["node"])
    params = change_params(
        tx,
        writer=writer,
        operation=Operation.CREATE if state["isNew"] else Operation.UPDATE,
        entity_type=label,
        entity_id=node_id,
        before=None if state["isNew"] else logged(before),
        after=logged_after(
            before, cleaned, source=clean_source_text, writer=writer, node_id=node_id
        ),
        source=clean_source_text,
    )
    statement = _APPLY.format(label=label, record=RECORD_CHANGE, projection=projection)
    [row] = await tx.run(
        statement, {"id": node_id, "set": cleaned, "source": clean_source_text, **params}
    )
    return dict(row["node"])


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


# Properties the store keeps for itself, not given by a writer: an import compares the
# rest with what it would write to decide whether a record changes anything.
NOT_FACTS: Final = frozenset({"id", "recordedBy", "createdAt", "updatedAt"})
