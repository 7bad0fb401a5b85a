"""The import's write half: a file's checked records, batch by batch, through the one write
path (``service/writes/merge.py``) that mutations use, with the same checks and the same
change-log entries; a record already in the graph as given counts as unchanged.

Each record's outcome is counted, and listed (position, status, the properties it
changes and the ones it keeps) for every record it creates or updates.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final, TypeVar

from service.graph_file import Sources
from service.writes.merge import (
    DecidedNodes,
    Mode,
    NodeWrite,
    Runner,
    apply_label,
    decide_label,
    read_label,
)
from service.writes.merge_links import (
    DecidedLinks,
    LinkWrite,
    apply_group,
    decide_group,
    read_group,
)
from service.writes.outcome import Writer
from service.writes.provenance import Plan, Status

# Records listed one by one in a report; the counts cover them all.
MAX_LISTED: Final = 1_000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, status: Status) -> None:
        setattr(self, status.value, getattr(self, status.value) + 1)


@dataclass(frozen=True)
class RecordOutcome:
    """What the import does to one record it creates or updates."""

    where: str
    kind: str  # a node label or a relationship type
    id: str  # the node's id, or 'fromId->toId'
    status: Status
    changed: tuple[str, ...]
    kept: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "kind": self.kind,
            "id": self.id,
            "status": self.status.value,
            "changed": list(self.changed),
            "kept": list(self.kept),
        }

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> RecordOutcome:
        return cls(
            item["where"],
            item["kind"],
            item["id"],
            Status(item["status"]),
            tuple(item["changed"]),
            tuple(item["kept"]),
        )


@dataclass
class Outcomes:
    """The counts, and the records created or updated (the first MAX_LISTED of them)."""

    nodes: Counts = field(default_factory=Counts)
    relationships: Counts = field(default_factory=Counts)
    listed: list[RecordOutcome] = field(default_factory=list)
    listed_total: int = 0
    # (label, id) of the nodes the import created: their relationships are not looked for
    # (merge_links.write_links). Not part of the report.
    created_nodes: set[tuple[str, str]] = field(default_factory=set)

    def note(self, counts: Counts, where: str, kind: str, key: str, plan: Plan) -> Status:
        counts.add(plan.status)
        if plan.status is not Status.UNCHANGED:
            self.listed_total += 1
            if len(self.listed) < MAX_LISTED:
                self.listed.append(
                    RecordOutcome(where, kind, key, plan.status, plan.changed, plan.kept)
                )
        return plan.status


def node_write(raw: dict[str, Any], sources: Sources) -> NodeWrite:
    """A checked node record as the write path takes it: its values as given, its
    citations resolved (several become ``sources``, as a mutation's do)."""
    citations = sources.resolve_all("", raw, [])
    values = dict(raw.get("properties") or {})
    if len(citations) > 1:
        values["sources"] = citations
    return NodeWrite(raw["label"], raw["id"], values, citations[0], _per_property(raw, sources))


def link_write(raw: dict[str, Any], ends: tuple[str, str], sources: Sources) -> LinkWrite:
    """A checked relationship record, its ends' labels resolved, as the write path takes it."""
    citations = sources.resolve_all("", raw, [])
    values = dict(raw.get("properties") or {})
    if len(citations) > 1:
        values["sources"] = citations
    from_label, to_label = ends
    return LinkWrite(
        raw["type"],
        from_label,
        raw["from"],
        to_label,
        raw["to"],
        values,
        citations[0],
        _per_property(raw, sources),
    )


def _per_property(raw: dict[str, Any], sources: Sources) -> dict[str, str]:
    given = raw.get("propertySources") or {}
    return {name: sources.texts[key] for name, key in given.items()}


class PipelinedWrites:
    """An import's batches written in order, each decided in a worker thread while the
    store writes the batch before it.

    Per batch: read what is stored of its records (a statement), decide in a worker
    thread (checks, provenance, the change-log entries, numbered in record order), and
    write it once the next batch is read and being decided (or at ``flush``). A batch is
    read before the one ahead of it is written: the file holds each node and each
    relationship once (the checks refuse one given twice), so writing a batch cannot
    change what the next one reads. That holds from the last nodes to the first
    relationships too: writing nodes creates or removes no relationship, and the
    relationships of nodes this import creates are not looked for. What each record does
    is noted in ``outcomes`` as it is decided.
    """

    def __init__(self, tx: Runner, writer: Writer, outcomes: Outcomes, *, mode: Mode) -> None:
        self._tx = tx
        self._writer = writer
        self._outcomes = outcomes
        self._mode = mode
        self._pending: list[Callable[[], Awaitable[object]]] = []

    async def nodes(self, batch: list[tuple[str, NodeWrite]]) -> None:
        tx, mode = self._tx, self._mode
        groups = _grouped(batch, lambda write: write.label)
        read = [
            (writes, await read_label(tx, writes[0].label, writes, mode=mode)) for writes in groups
        ]
        decided = await self._decide_while_writing(
            lambda: [
                decide_label(tx, writes[0].label, writes, existing, self._writer, mode=mode)
                for writes, existing in read
            ]
        )
        by_record = _plans_by_record(decided)
        for where, write in batch:
            status = self._outcomes.note(
                self._outcomes.nodes, where, write.label, write.id, by_record[id(write)]
            )
            if status is Status.CREATED:
                self._outcomes.created_nodes.add((write.label, write.id))
        self._pending = [
            partial(apply_label, tx, group, self._writer, projection="null", mode=mode)
            for group in decided
        ]

    async def links(self, batch: list[tuple[str, LinkWrite]]) -> None:
        tx, mode, created = self._tx, self._mode, self._outcomes.created_nodes
        groups = _grouped(batch, lambda write: (write.type, write.from_label, write.to_label))
        read = [
            (writes, await read_group(tx, writes, mode=mode, new_nodes=created))
            for writes in groups
        ]
        decided = await self._decide_while_writing(
            lambda: [
                decide_group(tx, writes, existing, self._writer, mode=mode)
                for writes, existing in read
            ]
        )
        by_record = _plans_by_record(decided)
        for where, write in batch:
            key = f"{write.from_id}->{write.to_id}"
            self._outcomes.note(
                self._outcomes.relationships, where, write.type, key, by_record[id(write)]
            )
        self._pending = [
            partial(apply_group, tx, group, self._writer, projection="null", mode=mode)
            for group in decided
        ]

    async def flush(self) -> None:
        """Write the batch decided last."""
        pending, self._pending = self._pending, []
        for apply in pending:
            await apply()

    async def _decide_while_writing(self, decide: Callable[[], list[_Decided]]) -> list[_Decided]:
        deciding = asyncio.ensure_future(asyncio.to_thread(decide))
        try:
            await self.flush()
        except BaseException:
            # The thread cannot be stopped: let it finish, and drop what it decided.
            await asyncio.wait([deciding])
            if not deciding.cancelled():
                deciding.exception()
            raise
        return await deciding


_Decided = TypeVar("_Decided", DecidedNodes, DecidedLinks)
_Write = TypeVar("_Write", NodeWrite, LinkWrite)


def _plans_by_record(decided: list[DecidedNodes] | list[DecidedLinks]) -> dict[int, Plan]:
    return {
        id(write): plan
        for group in decided
        for write, plan in zip(group.writes, group.plans, strict=True)
    }


def _grouped(
    batch: list[tuple[str, _Write]], key: Callable[[_Write], object]
) -> list[list[_Write]]:
    """The batch's writes by ``key`` (a label, or a type and its ends' labels), in order."""
    groups: dict[object, list[_Write]] = defaultdict(list)
    for _, write in batch:
        groups[key(write)].append(write)
    return list(groups.values())
