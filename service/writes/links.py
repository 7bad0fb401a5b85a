"""Create-or-update and removal of relationships between existing nodes.

A relationship is keyed on (type, from, to): there is at most one of each type between
two nodes. Merging a relationship is not protected by any constraint, so the start node
is locked first (see ``lock_token``); without that, concurrent identical links can both
create one, or both believe they created it.
"""

from __future__ import annotations

from typing import Any, Final

from service.model import RELATIONSHIP_TYPES
from service.store import Transaction
from service.validation import clean_properties, clean_source
from service.writes.changelog import (
    RECORD_CHANGE,
    Operation,
    change_params,
    link_entity_id,
    logged,
    logged_after,
)
from service.writes.locks import lock_token
from service.writes.outcome import ErrorCode, WriteProblem, Writer, WriteRefused

# Whether both ends exist, and the relationship's properties if it exists, without an
# OPTIONAL MATCH chain: on the embedded store, OPTIONAL MATCH (a)-[r]->(b) with b null
# matches every relationship of a (and with both ends missing the chain yields no row).
_STATE: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
RETURN true AS fromFound, true AS toFound, properties(r) AS before
UNION ALL
RETURN EXISTS {{ MATCH (a:{from_label} {{id: $from}}) }} AS fromFound,
       EXISTS {{ MATCH (b:{to_label} {{id: $to}}) }} AS toFound, null AS before
"""
# One statement, so that whether this transaction created the relationship is decided
# by MERGE itself (the ON CREATE marker), not by an earlier read a concurrent
# transaction may have overtaken: exactly one of many identical links logs a LINK.
_APPLY: Final = """
MATCH (a:{from_label} {{id: $from}})
MATCH (b:{to_label} {{id: $to}})
MERGE (a)-[r:{type}]->(b)
ON CREATE SET r._created = $lockToken
WITH a, b, r, coalesce(r._created = $lockToken, false) AS created
SET r += $set, r.source = $source, r.recordedBy = $changeClient, r.recordedAt = datetime()
REMOVE r._created, a._lock
FOREACH (_ IN CASE WHEN created OR $isUpdate THEN [1] ELSE [] END |
{record})
WITH a, r, b
RETURN {projection} AS edge
"""
# A statement of its own: on the embedded store a node changed and restored within one
# statement does not count as modified, so concurrent writers would not conflict.
_LOCK_START: Final = "MATCH (a:{from_label} {{id: $from}}) SET a._lock = $lockToken"
_READ: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
RETURN {projection} AS edge
"""
_LOCK_EXISTING: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
SET a._lock = $lockToken
RETURN properties(r) AS before
"""
_UNLINK: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
DELETE r
REMOVE a._lock
{record}
"""
_PLAIN_LINK: Final = (
    "{type: type(r), from_id: a.id, to_id: b.id, source: r.source, recorded_by: r.recordedBy}"
)


async def link(
    tx: Transaction,
    *,
    rel_type: str,
    from_label: str,
    from_id: str,
    to_label: str,
    to_id: str,
    values: dict[str, Any],
    source: Any,
    writer: Writer,
    projection: str = _PLAIN_LINK,
    from_field: str = "fromId",
    to_field: str = "toId",
) -> dict[str, Any]:
    """Create or update the relationship; return ``projection`` over a, r, b.

    ``from_field`` and ``to_field`` name the caller's input fields, for error reports.
    """
    definition = RELATIONSHIP_TYPES[rel_type]
    if from_label not in definition.from_labels or to_label not in definition.to_labels:
        raise WriteRefused.one(
            ErrorCode.VALIDATION, "type", f"{rel_type} cannot join {from_label} to {to_label}"
        )
    if rel_type in {"VARIANT_OF", "PART_OF"} and from_id == to_id:
        raise WriteRefused.one(
            ErrorCode.VALIDATION, "toId", f"{rel_type} cannot join a node to itself"
        )
    clean_source_text, source_problem = clean_source(source)
    if source_problem:
        raise WriteRefused.invalid([source_problem])
    cleaned, problems = clean_properties(values, definition.properties, require=True)
    if problems:
        raise WriteRefused.invalid(problems)
    labels = {"from_label": from_label, "to_label": to_label, "type": rel_type}
    ends = {"from": from_id, "to": to_id}
    rows = await tx.run(_STATE.format(**labels), ends)
    state = next((row for row in rows if row["before"] is not None), rows[-1])
    missing = [
        (field, label, node_id)
        for field, label, node_id, found in (
            (from_field, from_label, from_id, state["fromFound"]),
            (to_field, to_label, to_id, state["toFound"]),
        )
        if not found
    ]
    if missing:
        raise WriteRefused([_not_found(*m) for m in missing])
    before = {k: v for k, v in (state["before"] or {}).items() if not k.startswith("_")}
    changed = {k: v for k, v in cleaned.items() if before.get(k) != v}
    if state["before"] is not None and not changed and before.get("source") == clean_source_text:
        [row] = await tx.run(_READ.format(**labels, projection=projection), ends)
        return dict(row["edge"])
    params = change_params(
        tx,
        writer=writer,
        operation=Operation.LINK if state["before"] is None else Operation.UPDATE_LINK,
        entity_type=rel_type,
        entity_id=link_entity_id(from_id, to_id),
        before=logged(state["before"]),
        after=logged_after(state["before"], cleaned, source=clean_source_text, writer=writer),
        source=clean_source_text,
    )
    statement = _APPLY.format(**labels, record=RECORD_CHANGE.strip(), projection=projection)
    token = lock_token()
    await tx.run(_LOCK_START.format(**labels), {**ends, "lockToken": token})
    values = {"set": cleaned, "source": clean_source_text, "lockToken": token}
    [row] = await tx.run(
        statement, {**ends, **values, "isUpdate": state["before"] is not None, **params}
    )
    return dict(row["edge"])


async def unlink(
    tx: Transaction,
    *,
    rel_type: str,
    from_label: str,
    from_id: str,
    to_label: str,
    to_id: str,
    writer: Writer,
) -> bool:
    """Remove the relationship; False when there was none (so a resend is harmless)."""
    labels = {"from_label": from_label, "to_label": to_label, "type": rel_type}
    ends = {"from": from_id, "to": to_id}
    rows = await tx.run(_LOCK_EXISTING.format(**labels), {**ends, "lockToken": lock_token()})
    if not rows:
        return False
    params = change_params(
        tx,
        writer=writer,
        operation=Operation.UNLINK,
        entity_type=rel_type,
        entity_id=link_entity_id(from_id, to_id),
        before=logged(rows[0]["before"]),
        after=None,
        source=None,
    )
    await tx.run(_UNLINK.format(**labels, record=RECORD_CHANGE), {**ends, **params})
    return True


def _not_found(field: str, label: str, node_id: str) -> WriteProblem:
    return WriteProblem(ErrorCode.NOT_FOUND, field, f"no {label} has id {node_id!r}")
