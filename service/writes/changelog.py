"""The change log: one (:Change) node per write, with the values before and after.

Changes are only ever created, never updated or deleted, so corrections keep their
history. Values are stored as JSON text because Neo4j properties cannot hold maps.

Each entry gets a position (``seq``) in commit order, so that a consumer paging the log
by position sees every entry exactly once. The positions come from one
``(:ChangeSequence)`` node, taken as the last step of the writing transaction: the
transaction locks the node (on Neo4j a write lock held until commit; on the embedded
store a concurrent taker fails at commit and is run again), reads the last position and
numbers its entries after it. So a transaction that numbered its entries after another
also commits after it, and no entry can become visible behind one a consumer has passed.
The cost: writers that record changes serialise on that node from their numbering step
to their commit (measured by ``python -m bench.changefeed``).

A writer that holds the store's write gate (an import on the embedded store) writes
alone, so holding the sequence for its whole transaction costs no one anything: it
takes the sequence before its first entry (``hold_sequence``), gives each entry its
position as it creates it and moves the sequence on at the end. Its entries are
written once, already numbered, instead of being found again and numbered at
commit.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from enum import StrEnum
from typing import Any, Final

from service.store import Transaction
from service.writes.locks import lock_token
from service.writes.outcome import Writer
from service.writes.provenance import PROPERTY_SOURCES, citations


class Operation(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    LINK = "LINK"
    UPDATE_LINK = "UPDATE_LINK"
    UNLINK = "UNLINK"


# A Cypher fragment appended to a write statement; its parameters come from change_params.
RECORD_CHANGE: Final = """
CREATE (:Change {id: $changeId, seq: $changeSeq, at: datetime(), client: $changeClient,
  agency: $changeAgency, operation: $changeOperation, entityType: $changeEntityType,
  entityId: $changeEntityId, before: $changeBefore, after: $changeAfter, source: $changeSource,
  requestKey: $changeRequestKey})
"""
# The last step of a transaction that recorded changes: lock the sequence (before reading
# it, so that concurrent writers cannot read the same last position), then number this
# transaction's entries after it, in the order they were recorded.
# Each entry is found through the index on its entity's id (an entity has few entries),
# so the entries' own ids need no index.
_NUMBER_CHANGES: Final = """
UNWIND range(0, size($entries) - 1) AS i
WITH i, $entries[i] AS entry
MATCH (c:Change {entityId: entry.entityId}) WHERE c.id = entry.id
WITH c, i ORDER BY i
WITH collect(c) AS entries
MATCH (s:ChangeSequence {id: 'changes'})
SET s._lock = $lockToken
WITH s, s.last AS base, entries
SET s.last = base + size(entries)
REMOVE s._lock
WITH base, entries
UNWIND range(0, size(entries) - 1) AS j
WITH entries[j] AS c, base + j + 1 AS position
SET c.seq = position
RETURN count(c) AS numbered
"""
_SEQUENCE_EXISTS: Final = "MATCH (s:ChangeSequence {id: 'changes'}) RETURN s.last AS last"
# Held from before the first entry to the commit: see ``hold_sequence``.
_HOLD_SEQUENCE: Final = """
MATCH (s:ChangeSequence {id: 'changes'})
SET s._lock = $lockToken
RETURN s.last AS last
"""
_MOVE_SEQUENCE: Final = """
MATCH (s:ChangeSequence {id: 'changes'})
WHERE s._lock = $lockToken AND s.last = $held
SET s.last = $last
REMOVE s._lock
RETURN s.last AS last
"""


def new_change(tx: Transaction, entity_id: str) -> tuple[str, int | None]:
    """An id for a change entry about ``entity_id`` this transaction is about to record,
    and its position if the transaction holds the sequence (else None: the entry is
    numbered at commit)."""
    change_id = _entry_id(tx)
    if tx.next_position is not None:
        position = tx.next_position
        tx.next_position += 1
        return change_id, position
    tx.unnumbered_changes.append({"id": change_id, "entityId": entity_id})
    tx.before_commit("number changes", _number_changes)
    return change_id, None


def _entry_id(tx: Transaction) -> str:
    """A new id in the UUID version 4 layout: 74 random bits drawn once per transaction,
    then a counter in the last 48. An import makes one per record, and drawing 16 random
    bytes from the kernel for each cost more than the rest of its entry (0.1 s of CPU per
    10,000 records on a busy 2-core machine)."""
    if tx.entry_id_prefix is None:
        tx.entry_id_prefix = str(uuid.uuid4())[:24]  # xxxxxxxx-xxxx-4xxx-yxxx-
    made = tx.entry_ids_made
    tx.entry_ids_made = made + 1
    return f"{tx.entry_id_prefix}{made:012x}"


async def hold_sequence(tx: Transaction) -> None:
    """Take the change sequence now, for the rest of the transaction, so that the entries
    recorded from here on get their positions as they are created.

    Only for a writer alone on the store (under its write gate): anyone else recording
    changes meanwhile would wait for, or conflict with, this transaction until it
    commits. A transaction that has recorded entries already keeps numbering at commit.
    """
    if tx.next_position is not None or tx.unnumbered_changes:
        return
    token = lock_token()
    rows = await tx.run(_HOLD_SEQUENCE, {"lockToken": token})
    if not rows:
        raise RuntimeError("the change sequence is missing; apply the migrations (make migrate)")
    held = int(rows[0]["last"])
    tx.next_position = held + 1

    async def move_sequence(tx: Transaction) -> None:
        assert tx.next_position is not None
        last = tx.next_position - 1
        moved = await tx.run(_MOVE_SEQUENCE, {"lockToken": token, "held": held, "last": last})
        if not moved:
            raise RuntimeError("the change sequence moved while this transaction held it")

    tx.before_commit("number changes", move_sequence)


async def _number_changes(tx: Transaction) -> None:
    if not tx.unnumbered_changes:
        return
    params = {"entries": tx.unnumbered_changes, "lockToken": lock_token()}
    rows = await tx.run(_NUMBER_CHANGES, params)
    if not rows or (rows[0]["numbered"] == 0 and not await tx.run(_SEQUENCE_EXISTS)):
        # Without the sequence node the entries would stay unnumbered, out of the feed.
        raise RuntimeError("the change sequence is missing; apply the migrations (make migrate)")


def change_params(
    tx: Transaction,
    *,
    writer: Writer,
    operation: Operation,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    source: str | None,
) -> dict[str, Any]:
    change_id, position = new_change(tx, entity_id)
    return {
        "changeId": change_id,
        "changeSeq": position,
        "changeClient": writer.client,
        "changeAgency": writer.agency,
        "changeOperation": operation.value,
        "changeEntityType": entity_type,
        "changeEntityId": entity_id,
        "changeBefore": to_json(before),
        "changeAfter": to_json(after),
        "changeSource": source,
        "changeRequestKey": writer.request_key,
    }


# Set by the store on every write; the entry's own ``at`` says when, so the log leaves them out.
_TIMESTAMPS: Final = frozenset({"createdAt", "updatedAt", "recordedAt"})


def logged(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """Stored properties as the change log keeps them ("before"): facts, id, source,
    recordedBy and the per-property citations as a map, without lock scratch or timestamps.
    Every write path uses this alone."""
    if stored is None:
        return None
    kept = {k: v for k, v in stored.items() if not k.startswith("_") and k not in _TIMESTAMPS}
    if PROPERTY_SOURCES in kept:
        kept[PROPERTY_SOURCES] = citations(stored) or None
    return {k: v for k, v in kept.items() if v is not None}


def logged_after(
    before: dict[str, Any] | None,
    values: dict[str, Any],
    *,
    source: str | None,
    writer: Writer,
    node_id: str | None = None,
    citations: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the log keeps as "after": the stored facts with ``values`` applied (None
    removes one), the source, the citations of properties from other sources, this
    writer as recordedBy and, for a node, its id."""
    after = {
        **(logged(before) or {}),
        **values,
        "source": source,
        PROPERTY_SOURCES: citations or None,
        "recordedBy": writer.client,
    }
    if node_id is not None:
        after["id"] = node_id
    return {k: v for k, v in after.items() if v is not None}


def _iso(value: Any) -> str:
    """Dates and times, the only values JSON has no type for, as ISO 8601 text."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a property value")


# One encoder for every entry (an import writes one or two per record): json.dumps
# would build a new one per call, which costs as much as the encoding itself.
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_iso)


def to_json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return _ENCODER.encode(values)


def link_entity_id(from_id: str, to_id: str) -> str:
    return f"{from_id}->{to_id}"
