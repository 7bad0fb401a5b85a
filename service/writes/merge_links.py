"""The write path's relationships: create-or-update of relationships between existing
nodes in batches, with the checks, the change-log entries and the modes of the nodes'
half (``service/writes/merge.py``).

A batch: check each record; read the relationships already there; lock the start nodes
of those that change (unless the writer is alone), merge and log them in one statement
that also tells which ends were missing. A writer alone creates the ones the read did not
find and updates the others, one statement each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final

from service.model import RELATIONSHIP_TYPES, SOURCES
from service.validation import clean_properties
from service.writes.changelog import Operation, link_entity_id
from service.writes.locks import lock_token
from service.writes.merge import (
    CHANGE,
    COUNT_WRITTEN,
    Mode,
    Runner,
    Written,
    change_row,
    checked_source,
    hold_changes,
    refuse,
    who,
)
from service.writes.outcome import ErrorCode, WriteProblem, Writer, WriteRefused
from service.writes.provenance import Plan, Status, plan

SELF_LINK_REFUSED: Final = frozenset({"VARIANT_OF", "PART_OF"})


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


# Without the time-stamp, as the nodes' read (merge._READ_NODES).
_READ_LINKS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})-[r:{type}]->(b:{to_label} {{id: row.to}})
RETURN row.from AS from, row.to AS to, r {{.*, recordedAt: null}} AS p
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
    + CHANGE
    + """)
{returning}
"""
)
# Alone (under the write gate) nothing can create or remove a relationship between the
# read and the write, so the read tells which to create and which to update (no MERGE,
# which would look through the start node's relationships again), and there is no lock.
_APPLY_LINKS_ALONE: Final = (
    """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})
MATCH (b:{to_label} {{id: row.to}})
{write} (a)-[r:{type}]->(b)
SET r += row.set, r.source = row.source, r.propertySources = row.propertySources,
    r.recordedBy = $client, r.recordedAt = datetime()
"""
    + CHANGE
    + """
{returning}
"""
)
_RETURN_SHAPES: Final = (
    "WITH row, a, r, b RETURN row.from AS from, row.to AS to, {projection} AS shape"
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
    new_nodes: AbstractSet[tuple[str, str]] = frozenset(),
) -> list[Written]:
    """Check, merge and log relationships between existing nodes; what each did, in order.

    ``projection`` (over ``a``, ``r``, ``b``) is returned as ``Written.shape``.
    ``new_nodes`` (label, id) are nodes this transaction created: no other transaction
    can see them before it commits, so no relationship reaches them but the ones this
    transaction writes, and a relationship with such an end is not looked for. Raises
    WriteRefused when a record fails its checks or an end does not exist.
    """
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, write in enumerate(writes):
        groups[(write.type, write.from_label, write.to_label)].append(index)
    done: dict[int, Written] = {}
    for indexes in groups.values():
        group = [writes[i] for i in indexes]
        written = await _write_group(
            tx, group, writer, projection=projection, mode=mode, new_nodes=new_nodes
        )
        done.update(zip(indexes, written, strict=True))
    return [done[i] for i in range(len(writes))]


async def _write_group(
    tx: Runner,
    writes: list[LinkWrite],
    writer: Writer,
    *,
    projection: str,
    mode: Mode,
    new_nodes: AbstractSet[tuple[str, str]],
) -> list[Written]:
    existing = await read_group(tx, writes, mode=mode, new_nodes=new_nodes)
    decided = decide_group(tx, writes, existing, writer, mode=mode)
    return await apply_group(tx, decided, writer, projection=projection, mode=mode)


@dataclass(frozen=True)
class DecidedLinks:
    """What a batch of one type's relationships (between the same labels) does."""

    writes: list[LinkWrite]
    plans: list[Plan]
    rows: list[dict[str, Any]]


def _labels(write: LinkWrite) -> dict[str, str]:
    return {"type": write.type, "from_label": write.from_label, "to_label": write.to_label}


async def read_group(
    tx: Runner,
    writes: list[LinkWrite],
    *,
    mode: Mode,
    new_nodes: AbstractSet[tuple[str, str]] = frozenset(),
) -> dict[tuple[str, str], dict[str, Any]]:
    """The stored properties of those of ``writes`` already there, by (from, to); the
    writer alone holds the change sequence from here on. Raises WriteRefused for a
    relationship its ends' labels do not allow, before any statement."""
    for write in writes:
        problems = link_problems(
            write.type, write.from_label, write.to_label, write.from_id, write.to_id
        )
        if problems:
            raise WriteRefused(problems)
    ends = [
        {"from": w.from_id, "to": w.to_id}
        for w in writes
        if (w.from_label, w.from_id) not in new_nodes and (w.to_label, w.to_id) not in new_nodes
    ]
    existing = (
        {
            (row["from"], row["to"]): row["p"]
            for row in await tx.run(_READ_LINKS.format(**_labels(writes[0])), {"rows": ends})
        }
        if ends
        else {}
    )
    if mode is Mode.ALONE:
        await hold_changes(tx)
    return existing


def decide_group(
    tx: Runner,
    writes: list[LinkWrite],
    existing: Mapping[tuple[str, str], dict[str, Any]],
    writer: Writer,
    *,
    mode: Mode,
) -> DecidedLinks:
    """Check each record's values and decide what changes; no statement is run (see
    merge.decide_label). Raises WriteRefused when a record fails its checks."""
    dry_run = mode is Mode.DRY_RUN
    allowed = (*RELATIONSHIP_TYPES[writes[0].type].properties, SOURCES)
    plans: list[Plan] = []
    rows: list[dict[str, Any]] = []
    for write in writes:
        source = checked_source(write.source)
        cleaned, invalid = clean_properties(write.values, allowed, require=True)
        refuse(invalid)
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
                **change_row(
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
    return DecidedLinks(writes, plans, rows)


async def apply_group(
    tx: Runner, decided: DecidedLinks, writer: Writer, *, projection: str, mode: Mode
) -> list[Written]:
    """Write and log the decided changes; refuse the batch if an end does not exist."""
    writes, plans, rows = decided.writes, decided.plans, decided.rows
    if mode is Mode.DRY_RUN:
        return [Written(p) for p in plans]
    labels = _labels(writes[0])
    shapes: dict[tuple[str, str], Any] = {}
    if rows:
        token = lock_token()
        statements: list[tuple[str, dict[str, str], list[dict[str, Any]]]]
        if mode is Mode.LOCKED:
            starts = sorted({row["from"] for row in rows})
            await tx.run(_LOCK_STARTS.format(**labels), {"ids": starts, "lockToken": token})
            statements = [(_APPLY_LINKS, {}, rows)]
        else:
            created = [row for row in rows if not row["isUpdate"]]
            updated = [row for row in rows if row["isUpdate"]]
            statements = [
                (_APPLY_LINKS_ALONE, {"write": write}, part)
                for write, part in (("CREATE", created), ("MATCH", updated))
                if part
            ]
        written = 0
        for template, chosen, part in statements:
            params = {"rows": part, "lockToken": token, **who(writer)}
            if projection == "null":
                # A row survives its MATCHes only if both ends exist.
                statement = template.format(**labels, **chosen, returning=COUNT_WRITTEN)
                [counted] = await tx.run(statement, params)
                written += counted["written"]
            else:
                returning = _RETURN_SHAPES.format(projection=projection)
                statement = template.format(**labels, **chosen, returning=returning)
                for row in await tx.run(statement, params):
                    shapes[(row["from"], row["to"])] = row["shape"]
                written = len(shapes)
        if written < len({(row["from"], row["to"]) for row in rows}):
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
