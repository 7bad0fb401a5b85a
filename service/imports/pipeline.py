"""The import: one transaction that checks each batch of records as the batches before it
are written.

The file's outline (its sources, and for JSON its shape) is read first. Then one write
transaction streams the nodes, then the relationships, in batches of BATCH records, as a
pipeline: the read-ahead thread parses and checks batch k+1 (``checking.py``,
``read_ahead.py``) while the write path reads and decides batch k (in a thread of its
own, ``writing.PipelinedWrites``) and the store writes batch k-1, through the write path
mutations use, writing and logging only what changes: importing the same file again
changes nothing. Relationship ends the file does not declare are looked up in the graph
inside the transaction, between two batches, each id once.

Any problem rejects the whole file: from the first one on nothing more is written, the
rest of the file is still checked so that every refused record is listed in file order
(up to IMPORT_MAX_REJECTIONS; ``rejectedTotal`` counts them all), and the transaction is
rolled back, its idempotency record with it. A file whose sources are already refused is
checked without a write transaction. A dry run reads what the write would read, decides
the same and reports it, and writes nothing (not even its idempotency record).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, LiteralString

from service.graph_file import RecordProblem, Sources
from service.imports.checking import CheckedBatch, EndsToLookUp, FileCheck
from service.imports.read_ahead import Ask, read_ahead
from service.imports.readers import ImportFile
from service.imports.writing import (
    Counts,
    Outcomes,
    PipelinedWrites,
    RecordOutcome,
)
from service.model import LABELS
from service.store import Row, Store
from service.writes.idempotency import DEFAULT_IDEMPOTENCY_WINDOW, WriteKey, write_once
from service.writes.merge import Mode, Runner
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


class _Rejected(Exception):
    """Raised out of the transaction to roll it back, carrying the refusal to report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.rejected_total} problems")
        self.report = report


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
    """Check and write the file in one transaction of at most ``timeout`` s, all or nothing
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
    # Off the event loop: the outline walks the whole file.
    outline = await asyncio.to_thread(source.outline)
    source_problems: list[RecordProblem] = []
    sources = Sources.parse(outline.sources, source_problems)
    total = outline.records
    # A file refused already (or a dry run) needs no write transaction: only reads.
    checking_only = dry_run or bool(source_problems)
    # Under the store's write gate (the embedded store) nothing else writes meanwhile.
    mode = (
        Mode.DRY_RUN
        if checking_only
        else Mode.ALONE
        if store.write_gate is not None
        else Mode.LOCKED
    )

    async def work(tx: Runner) -> ImportReport:
        # Run again whole after a merge conflict or a transient failure: from the start
        # of the file, with nothing carried over.
        check = FileCheck(source, sources, list(source_problems), BATCH)
        report = ImportReport("checked" if dry_run else "imported", total, dry_run=dry_run)
        done = 0

        def note(batch: CheckedBatch[Any]) -> None:
            nonlocal done
            done += batch.records
            writing = batch.clean and not dry_run
            progress(f"{'writing' if writing else 'checking'} {batch.kind}", done, total)

        async def look_up(ask: Ask) -> dict[str, set[str]]:
            assert isinstance(ask, EndsToLookUp)
            return await _labels_in_graph(tx, ask.ids)

        # Each clean batch is read and decided while the one before is written, the
        # first relationships while the last nodes are; once a problem is found, what is
        # still pending is dropped with the transaction.
        writes = PipelinedWrites(tx, writer, report.outcomes, mode=mode)
        async with read_ahead(check.steps(), look_up) as batches:
            async for batch in batches:
                if batch.clean and not check.problems:  # (the thread may be a batch ahead)
                    if batch.kind == "nodes":
                        await writes.nodes(batch.writes)
                    else:
                        await writes.links(batch.writes)
                note(batch)
        if check.problems:
            raise _Rejected(
                ImportReport(
                    "rejected",
                    total,
                    rejected=check.problems[:max_rejections],
                    rejected_total=len(check.problems),
                )
            )
        await writes.flush()
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
        report = await (
            work(_DryRun(store)) if checking_only else again_after_merge_conflicts(once)
        )
    except _Rejected as rejected:
        report = rejected.report
    except WriteRefused as refused:
        # The graph changed between a batch's checks and its write (an end deleted meanwhile).
        refusals = [RecordProblem("", p.field or "", p.message) for p in refused.problems]
        report = ImportReport("rejected", total, rejected=refusals, rejected_total=len(refusals))
    report.seconds = time.perf_counter() - started
    return report


async def _labels_in_graph(tx: Runner, ids: frozenset[str]) -> dict[str, set[str]]:
    """Which of ``ids`` exist in the graph already, and under which labels.

    One id at a time through UNWIND, label by label: the embedded store leaves the id
    index unused for ``n.id IN $list`` and inside UNION subqueries (docs/embedded-store.md).
    """
    found: dict[str, set[str]] = defaultdict(set)
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        for label in LABELS:
            rows = await tx.run(
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
