"""The import: check every record first, then write them all in one transaction.

Pass 1 reads the nodes and notes which relationship ends the file does not contain;
those are looked up in the graph; pass 2 checks the relationships. Any problem rejects
the whole file with every refused record listed (up to IMPORT_MAX_REJECTIONS) and
nothing written. Otherwise one write transaction merges the records in batches, writing
and logging only what changes: importing the same file again changes nothing.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final

from service.graph_file import (
    NodeRecord,
    RecordProblem,
    RelationshipRecord,
    Sources,
    check_node,
    check_relationship,
    declared_node,
)
from service.imports.readers import ImportFile
from service.model import LABELS
from service.store import Store, Transaction
from service.writes.changelog import Operation, link_entity_id, to_json
from service.writes.nodes import NOT_FACTS
from service.writes.outcome import Writer
from service.writes.retry import write_merging

BATCH: Final = 500
Progress = Callable[[str, int, int], None]  # phase, done, total


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    status: str  # "imported" or "rejected"
    records: int
    nodes: Counts = field(default_factory=Counts)
    relationships: Counts = field(default_factory=Counts)
    rejected: list[RecordProblem] = field(default_factory=list)
    rejected_total: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "records": self.records,
            "nodes": vars(self.nodes),
            "relationships": vars(self.relationships),
            "rejectedTotal": self.rejected_total,
            "rejected": [
                {"where": p.where, "field": p.field or None, "reason": p.reason}
                for p in self.rejected
            ],
            "seconds": round(self.seconds, 3),
        }


def _silent(phase: str, done: int, total: int) -> None:
    return None


async def run_import(
    store: Store,
    source: ImportFile,
    *,
    writer: Writer,
    max_rejections: int,
    timeout: float,
    progress: Progress = _silent,
) -> ImportReport:
    """Check the whole file, then write it in one transaction of at most ``timeout`` s."""
    started = time.perf_counter()
    problems = _Problems(max_rejections)
    sources = Sources.parse(source.sources(), problems.items)
    labels_of: dict[str, set[str]] = {}
    seen_nodes: set[tuple[str, str]] = set()
    node_count = 0
    for where, raw in source.nodes():
        node_count += 1
        check_node(where, raw, sources, problems.items)
        if declared := declared_node(raw):
            node_id, label = declared
            if (label, node_id) in seen_nodes:
                problems.items.append(
                    RecordProblem(where, "id", f"{label} {node_id!r} appears twice in the file")
                )
            seen_nodes.add((label, node_id))
            labels_of.setdefault(node_id, set()).add(label)
        if node_count % BATCH == 0:
            progress("checking nodes", node_count, 0)
    missing = {
        end
        for _, raw in source.relationships()
        if isinstance(raw, dict)
        for end in (raw.get("from"), raw.get("to"))
        if isinstance(end, str) and end not in labels_of
    }
    for node_id, labels in (await _labels_in_graph(store, missing)).items():
        labels_of.setdefault(node_id, set()).update(labels)
    seen_links: set[tuple[str, str, str]] = set()
    rel_count = 0
    for where, raw in source.relationships():
        rel_count += 1
        rel = check_relationship(where, raw, sources, labels_of, problems.items)
        if rel is not None:
            key = (rel.type, rel.from_id, rel.to_id)
            if key in seen_links:
                problems.items.append(
                    RecordProblem(
                        where, "", f"{rel.type} {rel.from_id} -> {rel.to_id} appears twice"
                    )
                )
            seen_links.add(key)
        if rel_count % BATCH == 0:
            progress("checking relationships", rel_count, 0)
    total = node_count + rel_count
    if problems.items:
        report = ImportReport(
            "rejected", total, rejected=problems.shown(), rejected_total=len(problems.items)
        )
        report.seconds = time.perf_counter() - started
        return report

    async def work(tx: Transaction) -> ImportReport:
        report = ImportReport("imported", total)
        done = 0
        for batch in _batches(_valid_nodes(source, sources)):
            await _write_nodes(tx, batch, writer, report.nodes)
            done += len(batch)
            progress("writing", done, total)
        for batch in _batches(_valid_relationships(source, sources, labels_of)):
            await _write_relationships(tx, batch, writer, report.relationships)
            done += len(batch)
            progress("writing", done, total)
        return report

    report = await write_merging(store, work, timeout=timeout)
    report.seconds = time.perf_counter() - started
    return report


class _Problems:
    def __init__(self, limit: int) -> None:
        self.items: list[RecordProblem] = []
        self._limit = limit

    def shown(self) -> list[RecordProblem]:
        return self.items[: self._limit]


async def _labels_in_graph(store: Store, ids: set[str]) -> dict[str, set[str]]:
    """Which of ``ids`` exist in the graph already, and under which labels.

    One id at a time through UNWIND, label by label: the embedded store leaves the id
    index unused for ``n.id IN $list`` and inside UNION subqueries (docs/embedded-store.md).
    """
    found: dict[str, set[str]] = defaultdict(set)
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        for label in LABELS:
            rows = await store.read(
                f"UNWIND $ids AS x MATCH (n:{label} {{id: x}}) RETURN n.id AS id", {"ids": chunk}
            )
            for row in rows:
                found[row["id"]].add(label)
    return found


def _valid_nodes(source: ImportFile, sources: Sources) -> Iterator[NodeRecord]:
    for where, raw in source.nodes():
        node = check_node(where, raw, sources, [])
        assert node is not None, f"{where} passed the check pass but not the write pass"
        yield node


def _valid_relationships(
    source: ImportFile, sources: Sources, labels_of: dict[str, set[str]]
) -> Iterator[RelationshipRecord]:
    for where, raw in source.relationships():
        rel = check_relationship(where, raw, sources, labels_of, [])
        assert rel is not None, f"{where} passed the check pass but not the write pass"
        yield rel


def _batches(records: Iterator[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


_EXISTING_NODES: Final = (
    "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id, properties(n) AS p"
)
_MERGE_NODES: Final = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n.createdAt = datetime()
SET n += row.set, n.source = row.source, n.recordedBy = $client, n.updatedAt = datetime()
CREATE (:Change {{id: randomUUID(), at: datetime(), client: $client, agency: $agency, operation: row.operation,
  entityType: '{label}', entityId: row.id, before: row.before, after: row.after, source: row.source}})
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
CREATE (:Change {{id: randomUUID(), at: datetime(), client: $client, agency: $agency, operation: row.operation,
  entityType: '{type}', entityId: row.entityId, before: row.before, after: row.after, source: row.source}})
"""
_LINK_BOOKKEEPING: Final = frozenset({"recordedAt", "recordedBy"})


def _change(
    before: dict[str, Any] | None,
    values: dict[str, Any],
    source: str,
    bookkeeping: frozenset[str],
    operations: tuple[Operation, Operation],
) -> dict[str, Any] | None:
    """The row to write, or None when the record is already in the graph as given.

    Like the mutations, a record sets the properties it gives and leaves the others.
    """
    old = {
        k: v for k, v in (before or {}).items() if k not in bookkeeping and not k.startswith("_")
    }
    new = {**old, **values, "source": source}
    if before is not None and new == old:
        return None
    create, update = operations
    return {
        "set": values,
        "source": source,
        "operation": (create if before is None else update).value,
        "before": None if before is None else to_json(old),
        "after": to_json(new),
    }


async def _write_nodes(
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
                existing.get(node.id),
                node.properties,
                node.source,
                NOT_FACTS,
                (Operation.CREATE, Operation.UPDATE),
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
                {"rows": rows, "client": writer.client, "agency": writer.agency},
            )


async def _write_relationships(
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
                {"rows": rows, "client": writer.client, "agency": writer.agency},
            )
