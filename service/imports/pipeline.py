"""The import: check every record first, then write them all in one transaction.

Pass 1 reads the nodes and notes which relationship ends the file does not contain;
those are looked up in the graph; pass 2 checks the relationships. Any problem rejects
the whole file with every refused record listed (up to IMPORT_MAX_REJECTIONS) and
nothing written. Otherwise one write transaction merges the records in batches through
the write path mutations use, writing and logging only what changes: importing the same
file again changes nothing. A dry run reads what the write would read, decides the same
and reports it, and writes nothing (not even its idempotency record).
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, LiteralString

from service.graph_file import (
    RecordProblem,
    Sources,
    check_node,
    check_relationship,
    declared_node,
    end_labels,
)
from service.imports.read_ahead import read_ahead
from service.imports.readers import ImportFile
from service.imports.writing import (
    Counts,
    Outcomes,
    PipelinedWrites,
    RecordOutcome,
    link_write,
    node_write,
)
from service.model import LABELS
from service.store import Row, Store
from service.writes.idempotency import DEFAULT_IDEMPOTENCY_WINDOW, WriteKey, write_once
from service.writes.merge import Mode, NodeWrite, Runner
from service.writes.merge_links import LinkWrite
from service.writes.outcome import Writer, WriteRefused
from service.writes.retry import again_after_merge_conflicts, through_gate

BATCH: Final = 2000
Progress = Callable[[str, int, int], None]  # phase, done, total


@dataclass
class ImportReport:
    status: str  # "imported", "rejected", or "checked" (a dry run that would import)
    records: int
    outcomes: Outcomes = field(default_factory=Outcomes)
    rejected: list[RecordProblem] = field(default_factory=list)
    rejected_total: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def nodes(self) -> Counts:
        return self.outcomes.nodes

    @property
    def relationships(self) -> Counts:
        return self.outcomes.relationships

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "dryRun": self.dry_run,
            "records": self.records,
            "nodes": vars(self.nodes),
            "relationships": vars(self.relationships),
            "writtenTotal": self.outcomes.listed_total,
            "written": [outcome.as_dict() for outcome in self.outcomes.listed],
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
            outcomes=Outcomes(
                nodes=Counts(**answer["nodes"]),
                relationships=Counts(**answer["relationships"]),
                listed=[RecordOutcome.from_dict(item) for item in answer["written"]],
                listed_total=answer["writtenTotal"],
            ),
            dry_run=answer["dryRun"],
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
    dry_run: bool = False,
) -> ImportReport:
    """Check the whole file, then write it in one transaction of at most ``timeout`` s
    (a dry run: decide and report the same, and write nothing).

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

    # Under the store's write gate (the embedded store) nothing else writes meanwhile.
    mode = Mode.DRY_RUN if dry_run else Mode.ALONE if store.write_gate is not None else Mode.LOCKED

    async def work(tx: Runner) -> ImportReport:
        report = ImportReport("checked" if dry_run else "imported", total, dry_run=dry_run)
        done = 0
        writes = PipelinedWrites(tx, writer, report.outcomes, mode=mode)
        async with read_ahead(_batches(_valid_nodes(source, sources))) as node_batches:
            async for node_batch in node_batches:
                await writes.nodes(node_batch)
                done += len(node_batch)
                progress("writing", done, total)
        await writes.flush()
        links = _batches(_valid_relationships(source, sources, labels_of))
        async with read_ahead(links) as link_batches:
            async for link_batch in link_batches:
                await writes.links(link_batch)
                done += len(link_batch)
                progress("writing", done, total)
        await writes.flush()
        return report

    if dry_run:
        report = await work(_DryRun(store))
        report.seconds = time.perf_counter() - started
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

    try:
        report = await again_after_merge_conflicts(once)
    except WriteRefused as refused:
        # The graph changed between the checks and the write (an end deleted meanwhile).
        refusals = [RecordProblem("", p.field or "", p.message) for p in refused.problems]
        report = ImportReport("rejected", total, rejected=refusals, rejected_total=len(refusals))
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


class _DryRun:
    """A dry run's view of the store: the write path's reads, each on its own."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        return await self._store.read(query, params)


def _valid_nodes(source: ImportFile, sources: Sources) -> Iterator[tuple[str, NodeWrite]]:
    for where, raw in source.nodes():
        assert isinstance(raw, dict), f"{where} passed the check pass but not the write pass"
        yield where, node_write(raw, sources)


def _valid_relationships(
    source: ImportFile, sources: Sources, labels_of: dict[str, set[str]]
) -> Iterator[tuple[str, LinkWrite]]:
    # Every record passed check_relationship in the check pass; the write path checks its
    # values again, so here the ends' labels are all there is to work out.
    for where, raw in source.relationships():
        assert isinstance(raw, dict), f"{where} passed the check pass but not the write pass"
        yield where, link_write(raw, end_labels(raw, labels_of), sources)


def _batches(records: Iterator[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
