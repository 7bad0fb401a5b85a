"""The import: check every record first, then write them all in one transaction.

Pass 1 reads the nodes and notes which relationship ends the file does not contain;
those are looked up in the graph; pass 2 checks the relationships. Any problem rejects
the whole file with every refused record listed (up to IMPORT_MAX_REJECTIONS) and
nothing written. Otherwise one write transaction merges the records in batches, writing
and logging only what changes: importing the same file again changes nothing.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
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
from service.imports.writing import Counts, write_nodes, write_relationships
from service.model import LABELS
from service.store import Store, Transaction
from service.writes.idempotency import DEFAULT_IDEMPOTENCY_WINDOW, WriteKey, write_once
from service.writes.outcome import Writer
from service.writes.retry import again_after_merge_conflicts, through_gate

BATCH: Final = 500
Progress = Callable[[str, int, int], None]  # phase, done, total


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

    @classmethod
    def from_dict(cls, answer: dict[str, Any]) -> ImportReport:
        """The report ``as_dict`` gave (an import's stored answer, replayed)."""
        return cls(
            status=answer["status"],
            records=answer["records"],
            nodes=Counts(**answer["nodes"]),
            relationships=Counts(**answer["relationships"]),
            rejected=[
                RecordProblem(p["where"], p["field"] or "", p["reason"]) for p in answer["rejected"]
            ],
            rejected_total=answer["rejectedTotal"],
            seconds=answer["seconds"],
        )


def _silent(phase: str, done: int, total: int) -> None:
    return None


async def run_import(
    store: Store,
    source: ImportFile,
    *,
    writer: Writer,
    max_rejections: int,
    timeout: float,
    write_key: WriteKey | None = None,
    idempotency_window: float = DEFAULT_IDEMPOTENCY_WINDOW,
    progress: Progress = _silent,
) -> ImportReport:
    """Check the whole file, then write it in one transaction of at most ``timeout`` s.

    The write runs under ``write_key`` (see ``service/writes/idempotency.py``; without one, a
    key of its own): when the reply to its commit is lost, the import is not run again
    but answers what its committed write did.
    """
    started = time.perf_counter()
    if writer.request_key is None:
        writer = replace(writer, request_key=str(uuid.uuid4()))
    if write_key is None:
        write_key = WriteKey.of(
            client=writer.client, request_key=str(writer.request_key), ordinal=1, request=None
        )
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
            await write_nodes(tx, batch, writer, report.nodes)
            done += len(batch)
            progress("writing", done, total)
        for batch in _batches(_valid_relationships(source, sources, labels_of)):
            await write_relationships(tx, batch, writer, report.relationships)
            done += len(batch)
            progress("writing", done, total)
        return report

    run_key: WriteKey = write_key

    async def once() -> ImportReport:
        # Through the write gate as mutations are (waiting at most the import's timeout).
        async with through_gate(store, timeout):
            return await write_once(
                store,
                run_key,
                work,
                encode=ImportReport.as_dict,
                decode=ImportReport.from_dict,
                window=idempotency_window,
                timeout=timeout,
            )

    report = await again_after_merge_conflicts(once)
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
