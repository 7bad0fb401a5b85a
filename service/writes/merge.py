"""The one write path: every create or update of a node or relationship goes through here.

Mutations (a batch of one), imports and the example-data load (batches of a file's
records) all check their values here, merge them with batched ``UNWIND`` statements
and record one change-log entry per node or relationship that changes, in the same
statement: one statement per label or relationship type per batch, whatever its size.

A batch of nodes: read (and lock, see ``lock_token``) the ones already there; check each
record (a new node needs its required properties, an update only the ones it gives);
decide what changes (``service/writes/provenance.py``); merge and log the changed ones;
unlock the rest. A batch of relationships: check each; read the ones already there;
lock the start nodes of those that change, merge and log them, in one statement that
also reports which ends were missing. A dry run reads the same and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final, LiteralString, Protocol

from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES, SOURCES
from service.store import Transaction
from service.validation import Problem, check_id, clean_properties, clean_source
from service.writes.changelog import (
    Operation,
    link_entity_id,
    logged,
    logged_after,
    new_change_id,
    to_json,
)
from service.writes.locks import lock_token
from service.writes.outcome import ErrorCode, WriteProblem, Writer, WriteRefused
from service.writes.provenance import Plan, Status, plan

SELF_LINK_REFUSED: Final = frozenset({"VARIANT_OF", "PART_OF"})


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
class LinkWrite:
    type: str
    from_label: str
    from_id: str
    to_label: str
    to_id: str
    values: Mapping[str, Any]
    source: Any
    citations: Mapping[str, str] = field(default_factory=dict)
    from_field: str = "fromId"  # the caller's names of the ends, for error reports
    to_field: str = "toId"


@dataclass(frozen=True)
class Written:
    """What the write did to one record; ``shape`` is the projection asked for, if any."""

    plan: Plan
    shape: dict[str, Any] | None = None


def link_problems(
    rel_type: str, from_label: str, to_label: str, from_id: Any, to_id: Any
) -> list[WriteProblem]:
    """The checks of a relationship that need no store: its ends' labels, and no self-links
    where a node cannot be part or variant of itself."""
    definition = RELATIONSHIP_TYPES[rel_type]
    if from_label not in definition.from_labels or to_label not in definition.to_labels:
        return [
            WriteProblem(
                ErrorCode.VALIDATION, "type", f"{rel_type} cannot join {from_label} to {to_label}"
            )
        ]
    if rel_type in SELF_LINK_REFUSED and from_id == to_id:
        return [
            WriteProblem(ErrorCode.VALIDATION, "toId", f"{rel_type} cannot join a node to itself")
        ]
    return []


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise WriteRefused.invalid(problems)


def _clean_source(source: Any) -> str:
    text, problem = clean_source(source)
    _refuse([problem] if problem else [])
    assert text is not None
    return text


_READ_NODES: Final = (
    "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) {lock}RETURN n.id AS id, properties(n) AS p"
)
_LOCK: Final = "SET n._lock = $lockToken "
_CHANGE: Final = """CREATE (:Change {{id: row.changeId, at: datetime(), client: $client, agency: $agency,
  operation: row.operation, entityType: row.entityType, entityId: row.entityId, before: row.before,
  after: row.after, source: row.source, requestKey: $requestKey}})"""
_APPLY_NODES: Final = (
    """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n.createdAt = datetime()
SET n += row.set, n.source = row.source, n.propertySources = row.propertySources,
    n.recordedBy = $client, n.updatedAt = datetime()
REMOVE n._lock
"""
    + _CHANGE
    + """
WITH row, n
RETURN row.id AS id, {projection} AS shape
"""
)
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
    dry_run = mode is Mode.DRY_RUN
    for write in writes:
        if problem := check_id("id", write.id):
            raise WriteRefused.invalid([problem])
    token = lock_token()
    statement = _READ_NODES.format(label=label, lock=_LOCK if mode is Mode.LOCKED else "")
    existing = {
        row["id"]: row["p"]
        for row in await tx.run(statement, {"ids": [w.id for w in writes], "lockToken": token})
    }
    allowed = (*NODE_PROPERTIES[label], SOURCES)
    plans: list[Plan] = []
    rows: list[dict[str, Any]] = []
    for write in writes:
        source = _clean_source(write.source)
        before = existing.get(write.id)
        cleaned, problems = clean_properties(write.values, allowed, require=before is None)
        _refuse(problems)
        decided = plan(before, cleaned, source=source, given_citations=write.citations)
        plans.append(decided)
        if decided.status is not Status.UNCHANGED and not dry_run:
            rows.append(
                {
                    "id": write.id,
                    "set": cleaned,
                    "source": source,
                    "propertySources": decided.stored_citations,
                    **_change_row(
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
    if dry_run:
        return [Written(p) for p in plans]
    shapes: dict[str, Any] = {}
    if rows:
        apply = _APPLY_NODES.format(label=label, projection=projection)
        for row in await tx.run(apply, {"rows": rows, **_who(writer)}):
            shapes[row["id"]] = row["shape"]
    left = [w.id for w, p in zip(writes, plans, strict=True) if p.status is Status.UNCHANGED]
    if left and (mode is Mode.LOCKED or projection != "null"):
        unlock = _UNLOCK_NODES.format(label=label, projection=projection)
        for row in await tx.run(unlock, {"ids": left}):
            shapes[row["id"]] = row["shape"]
    return [Written(p, shapes.get(w.id)) for w, p in zip(writes, plans, strict=True)]


_READ_LINKS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})-[r:{type}]->(b:{to_label} {{id: row.to}})
RETURN row.from AS from, row.to AS to, properties(r) AS p
"""
# A statement of its own: on the embedded store a node changed and restored within one
# statement does not count as modified, so concurrent writers would not conflict.
_LOCK_STARTS: Final = "UNWIND $ids AS id MATCH (a:{from_label} {{id: id}}) SET a._lock = $lockToken"
# Whether this transaction created the relationship is decided by MERGE itself (the ON
# CREATE marker), not by the earlier read a concurrent transaction may have overtaken:
# exactly one of many identical links logs a LINK.
_APPLY_LINKS: Final = (
    """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})
MATCH (b:{to_label} {{id: row.to}})
MERGE (a)-[r:{type}]->(b)
ON CREATE SET r._created = $lockToken
WITH row, a, b, r, coalesce(r._created = $lockToken, false) AS created
SET r += row.set, r.source = row.source, r.propertySources = row.propertySources,
    r.recordedBy = $client, r.recordedAt = datetime()
REMOVE r._created, a._lock
FOREACH (_ IN CASE WHEN created OR row.isUpdate THEN [1] ELSE [] END |
"""
    + _CHANGE
    + """)
WITH row, a, r, b
RETURN row.from AS from, row.to AS to, {projection} AS shape
"""
)
_SHAPE_LINKS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})-[r:{type}]->(b:{to_label} {{id: row.to}})
RETURN row.from AS from, row.to AS to, {projection} AS shape
"""
_FOUND: Final = "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN n.id AS id"


async def write_links(
    tx: Runner,
    writes: Sequence[LinkWrite],
    writer: Writer,
    *,
    projection: str = "null",
    mode: Mode = Mode.LOCKED,
) -> list[Written]:
    """Check, merge and log relationships between existing nodes; what each did, in order.

    ``projection`` (over ``a``, ``r``, ``b``) is returned as ``Written.shape``. Raises
    WriteRefused when a record fails its checks or an end does not exist.
    """
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, write in enumerate(writes):
        groups[(write.type, write.from_label, write.to_label)].append(index)
    done: dict[int, Written] = {}
    for indexes in groups.values():
        group = [writes[i] for i in indexes]
        written = await _write_group(tx, group, writer, projection=projection, mode=mode)
        done.update(zip(indexes, written, strict=True))
    return [done[i] for i in range(len(writes))]


async def _write_group(
    tx: Runner, writes: list[LinkWrite], writer: Writer, *, projection: str, mode: Mode
) -> list[Written]:
    dry_run = mode is Mode.DRY_RUN
    first = writes[0]
    labels = {"type": first.type, "from_label": first.from_label, "to_label": first.to_label}
    allowed = (*RELATIONSHIP_TYPES[first.type].properties, SOURCES)
    checked = []
    for write in writes:
        problems = link_problems(
            write.type, write.from_label, write.to_label, write.from_id, write.to_id
        )
        if problems:
            raise WriteRefused(problems)
        source = _clean_source(write.source)
        cleaned, invalid = clean_properties(write.values, allowed, require=True)
        _refuse(invalid)
        checked.append((write, source, cleaned))
    ends = [{"from": w.from_id, "to": w.to_id} for w in writes]
    existing = {
        (row["from"], row["to"]): row["p"]
        for row in await tx.run(_READ_LINKS.format(**labels), {"rows": ends})
    }
    plans: list[Plan] = []
    rows: list[dict[str, Any]] = []
    for write, source, cleaned in checked:
        before = existing.get((write.from_id, write.to_id))
        decided = plan(before, cleaned, source=source, given_citations=write.citations)
        plans.append(decided)
        if decided.status is Status.UNCHANGED or dry_run:
            continue
        rows.append(
            {
                "from": write.from_id,
                "to": write.to_id,
                "set": cleaned,
                "source": source,
                "propertySources": decided.stored_citations,
                "isUpdate": before is not None,
                **_change_row(
                    tx,
                    writer,
                    operation=Operation.LINK if before is None else Operation.UPDATE_LINK,
                    entity=(write.type, link_entity_id(write.from_id, write.to_id)),
                    before=before,
                    values=cleaned,
                    source=source,
                    decided=decided,
                ),
            }
        )
    if dry_run:
        return [Written(p) for p in plans]
    shapes: dict[tuple[str, str], Any] = {}
    if rows:
        token = lock_token()
        if mode is Mode.LOCKED:
            starts = sorted({row["from"] for row in rows})
            await tx.run(_LOCK_STARTS.format(**labels), {"ids": starts, "lockToken": token})
        apply = _APPLY_LINKS.format(**labels, projection=projection)
        for row in await tx.run(apply, {"rows": rows, "lockToken": token, **_who(writer)}):
            shapes[(row["from"], row["to"])] = row["shape"]
        if len(shapes) < len({(row["from"], row["to"]) for row in rows}):
            await _refuse_missing_ends(tx, writes, set(shapes))
    unchanged = [
        {"from": w.from_id, "to": w.to_id}
        for w, p in zip(writes, plans, strict=True)
        if p.status is Status.UNCHANGED
    ]
    if unchanged and projection != "null":
        for row in await tx.run(
            _SHAPE_LINKS.format(**labels, projection=projection), {"rows": unchanged}
        ):
            shapes[(row["from"], row["to"])] = row["shape"]
    return [
        Written(p, shapes.get((w.from_id, w.to_id))) for w, p in zip(writes, plans, strict=True)
    ]


async def _refuse_missing_ends(
    tx: Runner, writes: list[LinkWrite], written: set[tuple[str, str]]
) -> None:
    """Refuse the batch, naming every end that does not exist (none: nothing to refuse)."""
    pending = [w for w in writes if (w.from_id, w.to_id) not in written]
    # In the order given, the start of each before its end.
    ends = list(
        dict.fromkeys(
            end
            for w in pending
            for end in ((w.from_field, w.from_label, w.from_id), (w.to_field, w.to_label, w.to_id))
        )
    )
    found: set[tuple[str, str]] = set()
    for label in sorted({label for _, label, _ in ends}):
        ids = sorted({node_id for _, end_label, node_id in ends if end_label == label})
        rows = await tx.run(_FOUND.format(label=label), {"ids": ids})
        found.update((label, row["id"]) for row in rows)
    problems = [
        WriteProblem(ErrorCode.NOT_FOUND, field, f"no {label} has id {node_id!r}")
        for field, label, node_id in ends
        if (label, node_id) not in found
    ]
    if problems:
        raise WriteRefused(problems)


def _who(writer: Writer) -> dict[str, Any]:
    return {"client": writer.client, "agency": writer.agency, "requestKey": writer.request_key}


def _change_row(
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
    after = logged_after(
        before, values, source=source, writer=writer, node_id=node_id, citations=decided.citations
    )
    return {
        "changeId": new_change_id(tx),
        "operation": operation.value,
        "entityType": entity_type,
        "entityId": entity_id,
        "before": to_json(logged(before)),
        "after": to_json(after),
    }
