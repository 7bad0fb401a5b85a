"""The one write path: every create or update of a node or relationship goes through here.

Mutations (a batch of one), imports and the example-data load (batches of a file's
records) all check their values here, merge them with batched ``UNWIND`` statements
and record one change-log entry per node or relationship that changes, in the same
statement: one statement per label or relationship type per batch, whatever its size.

A batch of nodes: read (and lock, see ``lock_token``) the ones already there; check each
record (a new node needs its required properties, an update only the ones it gives);
decide what changes (``service/writes/provenance.py``); merge and log the changed ones;
unlock the rest. A writer alone on the store (an import under the write gate) takes no
locks and holds the change sequence instead, so its entries are created already
numbered (``service/writes/changelog.py``). Relationships go the same way
(``service/writes/merge_links.py``). A dry run reads the same and writes nothing.

The three steps are functions of their own (``read_label``, ``decide_label``,
``apply_label``): deciding runs no statement, so an import decides one batch in a worker
thread while the store writes the one before (``service/imports/writing.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, LiteralString, Protocol

from service.model import NODE_PROPERTIES, SOURCES
from service.store import Transaction
from service.validation import Problem, check_id, clean_properties, clean_source
from service.writes.changelog import (
    Operation,
    hold_sequence,
    logged,
    logged_after,
    new_change,
    to_json,
)
from service.writes.locks import lock_token
from service.writes.outcome import Writer, WriteRefused
from service.writes.provenance import Plan, Status, plan


class Mode(Enum):
    """How a batch is written.

    LOCKED: other writers may run at once, so nodes are locked before they are read
    (see ``lock_token``). ALONE: the writer holds the store's write gate, so no other
    writes run meanwhile and the locks would only cost writes. DRY_RUN: read and
    decide, write nothing.
    """

    LOCKED = "locked"
    ALONE = "alone"
    DRY_RUN = "dry run"


class Runner(Protocol):
    """What the write path runs statements on: a write transaction, or a dry run's reader."""

    async def run(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class NodeWrite:
    label: str
    id: Any
    values: Mapping[str, Any]  # as given; ``sources`` may list every citation
    source: Any
    citations: Mapping[str, str] = field(default_factory=dict)  # per property, if not source


@dataclass(frozen=True)
class Written:
    """What the write did to one record; ``shape`` is the projection asked for, if any."""

    plan: Plan
    shape: dict[str, Any] | None = None


def refuse(problems: list[Problem]) -> None:
    if problems:
        raise WriteRefused.invalid(problems)


def checked_source(source: Any) -> str:
    text, problem = clean_source(source)
    refuse([problem] if problem else [])
    assert text is not None
    return text


# Stored properties but the store's time-stamps, which no decision reads and the log
# leaves out (changelog.logged): decoding a date-time costs the driver more than
# everything else a row holds, and a re-import reads one row per record.
_READ_NODES: Final = (
    "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) {lock}"
    "RETURN n.id AS id, n {{.*, createdAt: null, updatedAt: null}} AS p"
)
_LOCK: Final = "SET n._lock = $lockToken "
CHANGE: Final = """CREATE (:Change {{id: row.changeId, seq: row.seq, at: datetime(), client: $client,
  agency: $agency, operation: row.operation, entityType: row.entityType, entityId: row.entityId,
  before: row.before, after: row.after, source: row.source, requestKey: $requestKey}})"""
_APPLY_NODES: Final = (
    """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n.createdAt = datetime()
SET n += row.set, n.source = row.source, n.propertySources = row.propertySources,
    n.recordedBy = $client, n.updatedAt = datetime()
REMOVE n._lock
"""
    + CHANGE
    + """
{returning}
"""
)
# Without a projection asked for, one row saying how many were written, not one per node.
COUNT_WRITTEN: Final = "RETURN count(*) AS written"
_UNLOCK_NODES: Final = """
UNWIND $ids AS id MATCH (n:{label} {{id: id}}) REMOVE n._lock RETURN n.id AS id, {projection} AS shape
"""


async def write_nodes(
    tx: Runner,
    writes: Sequence[NodeWrite],
    writer: Writer,
    *,
    projection: str = "null",
    mode: Mode = Mode.LOCKED,
) -> list[Written]:
    """Check, merge and log ``writes`` (each label once); what each did, in their order.

    ``projection`` (over ``n``) is returned for each node as ``Written.shape``. Raises
    WriteRefused, before writing anything of the batch, when a record fails its checks.
    """
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, write in enumerate(writes):
        by_label[write.label].append(index)
    done: dict[int, Written] = {}
    for label, indexes in by_label.items():
        group = [writes[i] for i in indexes]
        for i, written in zip(
            indexes,
            await _write_label(tx, label, group, writer, projection=projection, mode=mode),
            strict=True,
        ):
            done[i] = written
    return [done[i] for i in range(len(writes))]


async def _write_label(
    tx: Runner,
    label: str,
    writes: list[NodeWrite],
    writer: Writer,
    *,
    projection: str,
    mode: Mode,
) -> list[Written]:
    existing = await read_label(tx, label, writes, mode=mode)
    decided = decide_label(tx, label, writes, existing, writer, mode=mode)
    return await apply_label(tx, decided, writer, projection=projection, mode=mode)


@dataclass(frozen=True)
class DecidedNodes:
    """What a batch of one label's nodes does: a plan per record, the rows to write."""

    label: str
    writes: list[NodeWrite]
    plans: list[Plan]
    rows: list[dict[str, Any]]


async def read_label(
    tx: Runner, label: str, writes: Sequence[NodeWrite], *, mode: Mode
) -> dict[Any, dict[str, Any]]:
    """The stored properties of those of ``writes`` already there, by id (locked unless
    the writer is alone, which holds the change sequence from here on instead)."""
    for write in writes:
        if problem := check_id("id", write.id):
            raise WriteRefused.invalid([problem])
    statement = _READ_NODES.format(label=label, lock=_LOCK if mode is Mode.LOCKED else "")
    ids = [w.id for w in writes]
    existing = {
        row["id"]: row["p"]
        for row in await tx.run(statement, {"ids": ids, "lockToken": lock_token()})
    }
    if mode is Mode.ALONE:
        await hold_changes(tx)
    return existing


def decide_label(
    tx: Runner,
    label: str,
    writes: list[NodeWrite],
    existing: Mapping[Any, dict[str, Any]],
    writer: Writer,
    *,
    mode: Mode,
) -> DecidedNodes:
    """Check each record against what is stored and decide what changes; no statement is
    run, so an import decides its next batch in a worker thread while the store writes
    this one. Raises WriteRefused when a record fails its checks."""
    dry_run = mode is Mode.DRY_RUN
    allowed = (*NODE_PROPERTIES[label], SOURCES)
    plans: list[Plan] = []
    rows: list[dict[str, Any]] = []
    for write in writes:
        source = checked_source(write.source)
        before = existing.get(write.id)
        cleaned, problems = clean_properties(write.values, allowed, require=before is None)
        refuse(problems)
        decided = plan(before, cleaned, source=source, given_citations=write.citations)
        plans.append(decided)
        if decided.status is not Status.UNCHANGED and not dry_run:
            rows.append(
                {
                    "id": write.id,
                    "set": cleaned,
                    "source": source,
                    "propertySources": decided.stored_citations,
                    **change_row(
                        tx,
                        writer,
                        operation=Operation.CREATE if before is None else Operation.UPDATE,
                        entity=(label, write.id),
                        before=before,
                        values=cleaned,
                        source=source,
                        decided=decided,
                        node_id=write.id,
                    ),
                }
            )
    return DecidedNodes(label, writes, plans, rows)


async def apply_label(
    tx: Runner, decided: DecidedNodes, writer: Writer, *, projection: str, mode: Mode
) -> list[Written]:
    """Write and log the decided changes; unlock the nodes left as they were."""
    label, writes, plans, rows = decided.label, decided.writes, decided.plans, decided.rows
    if mode is Mode.DRY_RUN:
        return [Written(p) for p in plans]
    shapes: dict[str, Any] = {}
    if rows and projection == "null":
        await tx.run(
            _APPLY_NODES.format(label=label, returning=COUNT_WRITTEN), {"rows": rows, **who(writer)}
        )
    elif rows:
        returning = f"WITH row, n RETURN row.id AS id, {projection} AS shape"
        apply = _APPLY_NODES.format(label=label, returning=returning)
        for row in await tx.run(apply, {"rows": rows, **who(writer)}):
            shapes[row["id"]] = row["shape"]
    left = [w.id for w, p in zip(writes, plans, strict=True) if p.status is Status.UNCHANGED]
    if left and (mode is Mode.LOCKED or projection != "null"):
        unlock = _UNLOCK_NODES.format(label=label, projection=projection)
        for row in await tx.run(unlock, {"ids": left}):
            shapes[row["id"]] = row["shape"]
    return [Written(p, shapes.get(w.id)) for w, p in zip(writes, plans, strict=True)]


async def hold_changes(tx: Runner) -> None:
    """Alone on the store: hold the change sequence, so entries are numbered as written."""
    assert isinstance(tx, Transaction), "a dry run records no changes"
    await hold_sequence(tx)


def who(writer: Writer) -> dict[str, Any]:
    return {"client": writer.client, "agency": writer.agency, "requestKey": writer.request_key}


def change_row(
    tx: Runner,
    writer: Writer,
    *,
    operation: Operation,
    entity: tuple[str, str],
    before: dict[str, Any] | None,
    values: dict[str, Any],
    source: str,
    decided: Plan,
    node_id: str | None = None,
) -> dict[str, Any]:
    """The change-log entry's fields, the same on every path."""
    assert isinstance(tx, Transaction), "a dry run records no changes"
    entity_type, entity_id = entity
    change_id, position = new_change(tx, entity_id)
    after = logged_after(
        before, values, source=source, writer=writer, node_id=node_id, citations=decided.citations
    )
    return {
        "changeId": change_id,
        "seq": position,
        "operation": operation.value,
        "entityType": entity_type,
        "entityId": entity_id,
        "before": to_json(logged(before)),
        "after": to_json(after),
    }
