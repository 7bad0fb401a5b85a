"""The import's checks, batch by batch, in the order the file's records are written.

``FileCheck`` turns a file's nodes, then its relationships, into checked batches: each
record is checked as ``service/graph_file.py`` says (a node's label, id, citations and
properties, then whether the file declares it twice; a relationship's type, its ends'
labels, citations and properties, then whether the file lists it twice), every problem
is added to one list in file order, and a batch carries the records to write only while
that list is empty. Once a problem is found the rest of the file is still checked, so
that the refusal lists every problem, but nothing more is prepared for writing.

The steps run in the read-ahead thread (``service/imports/read_ahead.py``). All nodes are
read before any relationship, so a relationship's ends are known when it is checked: a
node of the file by its label; an id the file does not declare by asking the loop to
look it up in the graph (``EndsToLookUp``), once per id, for the batch that first
names it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from service.graph_file import (
    RecordProblem,
    Sources,
    check_node,
    check_relationship,
    declared_node,
)
from service.imports.read_ahead import Ask
from service.imports.readers import ImportFile, Record
from service.imports.writing import link_write, node_write
from service.writes.merge import NodeWrite
from service.writes.merge_links import LinkWrite

W = TypeVar("W")


@dataclass(frozen=True)
class CheckedBatch(Generic[W]):
    """A batch of records, checked; ``writes`` holds them all while ``clean``, none after."""

    kind: Literal["nodes", "relationships"]
    records: int
    clean: bool  # no problem found in the file so far, this batch included
    writes: list[tuple[str, W]]


@dataclass(frozen=True)
class EndsToLookUp(Ask):
    """Relationship ends the file does not declare: their labels in the graph, by id
    (ids that are not there are left out), are sent back."""

    ids: frozenset[str]


class FileCheck:
    """One pass over a file's records, its problems gathered in ``problems``."""

    def __init__(
        self, source: ImportFile, sources: Sources, problems: list[RecordProblem], batch: int
    ) -> None:
        self._source = source
        self._sources = sources
        self.problems = problems
        self._batch = batch
        # Every node id the file declares, and every id looked up in the graph, with labels.
        self._labels_of: dict[str, set[str]] = {}
        self._looked_up: set[str] = set()
        self._seen_nodes: set[tuple[str, str]] = set()
        self._seen_links: set[tuple[str, str, str]] = set()

    def steps(self) -> Generator[CheckedBatch[Any] | EndsToLookUp, dict[str, set[str]], None]:
        """The nodes' batches, then the relationships' steps, as one pass: the thread goes
        on to the first relationships as soon as it has checked the last nodes, while
        those are still being written."""
        yield from self.node_batches()
        yield from self.link_steps()

    def node_batches(self) -> Generator[CheckedBatch[NodeWrite], None, None]:
        for records in _chunks(self._source.nodes(), self._batch):
            writes = []
            for where, raw in records:
                self._check_node(where, raw)
                if not self.problems:
                    writes.append((where, node_write(raw, self._sources)))
            yield self._checked("nodes", records, writes)

    def link_steps(
        self,
    ) -> Generator[CheckedBatch[LinkWrite] | EndsToLookUp, dict[str, set[str]], None]:
        for records in _chunks(self._source.relationships(), self._batch):
            unknown = {
                end
                for _, raw in records
                if isinstance(raw, dict)
                for end in (raw.get("from"), raw.get("to"))
                if isinstance(end, str)
                and end not in self._labels_of
                and end not in self._looked_up
            }
            if unknown:
                found = yield EndsToLookUp(frozenset(unknown))
                for node_id, labels in found.items():
                    self._labels_of.setdefault(node_id, set()).update(labels)
                self._looked_up |= unknown
            writes = []
            for where, raw in records:
                ends = self._check_link(where, raw)
                if ends is not None and not self.problems:
                    writes.append((where, link_write(raw, ends, self._sources)))
            yield self._checked("relationships", records, writes)

    def _checked(
        self,
        kind: Literal["nodes", "relationships"],
        records: list[Record],
        writes: list[tuple[str, W]],
    ) -> CheckedBatch[W]:
        clean = not self.problems
        return CheckedBatch(kind, len(records), clean, writes if clean else [])

    def _check_node(self, where: str, raw: Any) -> None:
        check_node(where, raw, self._sources, self.problems)
        if declared := declared_node(raw):
            node_id, label = declared
            if (label, node_id) in self._seen_nodes:
                self.problems.append(
                    RecordProblem(where, "id", f"{label} {node_id!r} appears twice in the file")
                )
            self._seen_nodes.add((label, node_id))
            self._labels_of.setdefault(node_id, set()).add(label)

    def _check_link(self, where: str, raw: Any) -> tuple[str, str] | None:
        """The labels of a relationship's ends, if it passes."""
        rel = check_relationship(where, raw, self._sources, self._labels_of, self.problems)
        if rel is None:
            return None
        key = (rel.type, rel.from_id, rel.to_id)
        if key in self._seen_links:
            self.problems.append(
                RecordProblem(where, "", f"{rel.type} {rel.from_id} -> {rel.to_id} appears twice")
            )
        self._seen_links.add(key)
        return rel.from_label, rel.to_label


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
