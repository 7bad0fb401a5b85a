"""The import's write half: a file's checked records, batch by batch, through the one write
path (``service/writes/merge.py``) that mutations use, with the same checks and the same
change-log entries; a record already in the graph as given counts as unchanged.

Each record's outcome is counted, and listed (position, status, the properties it
changes and the ones it keeps) for every record it creates or updates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from service.graph_file import Sources
from service.writes.merge import Mode, NodeWrite, Runner, Written, write_nodes
from service.writes.merge_links import LinkWrite, write_links
from service.writes.outcome import Writer
from service.writes.provenance import Status

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

    def note(self, counts: Counts, where: str, kind: str, key: str, written: Written) -> None:
        counts.add(written.plan.status)
        if written.plan.status is Status.UNCHANGED:
            return
        self.listed_total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(
                RecordOutcome(
                    where, kind, key, written.plan.status, written.plan.changed, written.plan.kept
                )
            )


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


async def write_node_batch(
    tx: Runner,
    batch: list[tuple[str, NodeWrite]],
    writer: Writer,
    outcomes: Outcomes,
    *,
    mode: Mode,
) -> None:
    done = await write_nodes(tx, [w for _, w in batch], writer, mode=mode)
    for (where, write), written in zip(batch, done, strict=True):
        outcomes.note(outcomes.nodes, where, write.label, write.id, written)
        if written.plan.status is Status.CREATED:
            outcomes.created_nodes.add((write.label, write.id))


async def write_link_batch(
    tx: Runner,
    batch: list[tuple[str, LinkWrite]],
    writer: Writer,
    outcomes: Outcomes,
    *,
    mode: Mode,
) -> None:
    writes = [w for _, w in batch]
    done = await write_links(tx, writes, writer, mode=mode, new_nodes=outcomes.created_nodes)
    for (where, write), written in zip(batch, done, strict=True):
        key = f"{write.from_id}->{write.to_id}"
        outcomes.note(outcomes.relationships, where, write.type, key, written)
