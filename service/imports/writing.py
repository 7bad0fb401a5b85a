"""The import's write half: merging checked records in batches, writing and logging only
what changes (a record already in the graph as given counts as unchanged).

Each change entry holds the same fields as a mutation's (``logged``, ``logged_after``) and
is numbered in the change feed when the import's transaction ends.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

from service.graph_file import NodeRecord, RelationshipRecord
from service.store import Transaction
from service.writes.changelog import (
    Operation,
    link_entity_id,
    logged,
    logged_after,
    new_change_id,
    to_json,
)
from service.writes.nodes import NOT_FACTS
from service.writes.outcome import Writer


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


_EXISTING_NODES: Final = (
    "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id, properties(n) AS p"
)
_MERGE_NODES: Final = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n.createdAt = datetime()
SET n += row.set, n.source = row.source, n.recordedBy = $client, n.updatedAt = datetime()
CREATE (:Change {{id: row.changeId, at: datetime(), client: $client, agency: $agency, operation: row.operation,
  entityType: '{label}', entityId: row.id, before: row.before, after: row.after, source: row.source,
  requestKey: $requestKey}})
"""
_EXISTING_LINKS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})-[r:{type}]->(b:{to_label} {{id: row.to}})
RETURN row.from AS from, row.to AS to, properties(r) AS p
"""
_MERGE_LINKS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})
MATCH (b:{to_label} {{id: row.to}})
MERGE (a)-[r:{type}]->(b)
SET r += row.set, r.source = row.source, r.recordedBy = $client, r.recordedAt = datetime()
CREATE (:Change {{id: row.changeId, at: datetime(), client: $client, agency: $agency, operation: row.operation,
  entityType: '{type}', entityId: row.entityId, before: row.before, after: row.after, source: row.source,
  requestKey: $requestKey}})
"""
_LINK_BOOKKEEPING: Final = frozenset({"recordedAt", "recordedBy"})


def _change(
    tx: Transaction,
    writer: Writer,
    before: dict[str, Any] | None,
    values: dict[str, Any],
    source: str,
    bookkeeping: frozenset[str],
    operations: tuple[Operation, Operation],
    node_id: str | None = None,
) -> dict[str, Any] | None:
    """The row to write, or None when the record is already in the graph as given.

    Like the mutations, a record sets the properties it gives and leaves the others, and
    its change entry holds the same fields as a mutation's (``logged``, ``logged_after``).
    """
    old = {
        k: v for k, v in (before or {}).items() if k not in bookkeeping and not k.startswith("_")
    }
    if before is not None and {**old, **values, "source": source} == old:
        return None
    create, update = operations
    return {
        "set": values,
        "source": source,
        "operation": (create if before is None else update).value,
        "before": to_json(logged(before)),
        "after": to_json(
            logged_after(before, values, source=source, writer=writer, node_id=node_id)
        ),
        "changeId": new_change_id(tx),
    }


async def write_nodes(
    tx: Transaction, batch: list[NodeRecord], writer: Writer, counts: Counts
) -> None:
    by_label: dict[str, list[NodeRecord]] = defaultdict(list)
    for node in batch:
        by_label[node.label].append(node)
    for label, nodes in by_label.items():
        existing = {
            row["id"]: row["p"]
            for row in await tx.run(
                _EXISTING_NODES.format(label=label), {"ids": [n.id for n in nodes]}
            )
        }
        rows = []
        for node in nodes:
            change = _change(
                tx,
                writer,
                existing.get(node.id),
                node.properties,
                node.source,
                NOT_FACTS,
                (Operation.CREATE, Operation.UPDATE),
                node_id=node.id,
            )
            if change is None:
                counts.unchanged += 1
                continue
            counts.created += node.id not in existing
            counts.updated += node.id in existing
            rows.append({"id": node.id, **change})
        if rows:
            await tx.run(
                _MERGE_NODES.format(label=label),
                {
                    "rows": rows,
                    "client": writer.client,
                    "agency": writer.agency,
                    "requestKey": writer.request_key,
                },
            )


async def write_relationships(
    tx: Transaction, batch: list[RelationshipRecord], writer: Writer, counts: Counts
) -> None:
    groups: dict[tuple[str, str, str], list[RelationshipRecord]] = defaultdict(list)
    for rel in batch:
        groups[(rel.type, rel.from_label, rel.to_label)].append(rel)
    for (rel_type, from_label, to_label), rels in groups.items():
        labels = {"type": rel_type, "from_label": from_label, "to_label": to_label}
        ends = [{"from": r.from_id, "to": r.to_id} for r in rels]
        existing = {
            (row["from"], row["to"]): row["p"]
            for row in await tx.run(_EXISTING_LINKS.format(**labels), {"rows": ends})
        }
        rows = []
        for rel in rels:
            before = existing.get((rel.from_id, rel.to_id))
            change = _change(
                tx,
                writer,
                before,
                rel.properties,
                rel.source,
                _LINK_BOOKKEEPING,
                (Operation.LINK, Operation.UPDATE_LINK),
            )
            if change is None:
                counts.unchanged += 1
                continue
            counts.created += before is None
            counts.updated += before is not None
            rows.append(
                {
                    "from": rel.from_id,
                    "to": rel.to_id,
                    "entityId": link_entity_id(rel.from_id, rel.to_id),
                    **change,
                }
            )
        if rows:
            await tx.run(
                _MERGE_LINKS.format(**labels),
                {
                    "rows": rows,
                    "client": writer.client,
                    "agency": writer.agency,
                    "requestKey": writer.request_key,
                },
            )
