"""Reads and checks a graph data file (sources, nodes, relationships) against the model.

The format is the one ``examples/evidence-graph.json`` uses and ``docs/graph-file.schema.json``
describes: ``sources`` by key, then ``nodes`` ({label, id, source, properties}) and
``relationships`` ({type, from, to, source, properties}). Every problem is collected with
its position, so one run reports them all. The record checks are shared with the bulk
import, which streams the same format.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES
from service.validation import check_id, clean_properties, clean_text
from service.writes.merge_links import link_problems


class GraphFileError(ValueError):
    """The file does not fit the model; ``problems`` lists every reason, by position."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        super().__init__(f"{path}: {shown}")
        self.problems = problems


@dataclass(frozen=True)
class NodeRecord:
    label: str
    id: str
    source: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class RelationshipRecord:
    type: str
    from_id: str
    from_label: str
    to_id: str
    to_label: str
    source: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class GraphFile:
    nodes: list[NodeRecord]
    relationships: list[RelationshipRecord]


@dataclass(frozen=True)
class RecordProblem:
    """One refused field of one record: where it is, which field, and why."""

    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.where}.{self.field}: {self.reason}"
            if self.field
            else f"{self.where}: {self.reason}"
        )


@dataclass
class Sources:
    """The file's sources by key, as the citation text stored on each fact."""

    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, problems: list[RecordProblem]) -> Sources:
        texts = {}
        for key, value in (raw or {}).items() if isinstance(raw, dict) else []:
            entry = value if isinstance(value, dict) else {}
            citation, url = entry.get("citation"), entry.get("url", "")
            retrieved = entry.get("retrieved")
            if retrieved is not None and not _is_iso_date(retrieved):
                problems.append(
                    RecordProblem(f"sources.{key}", "retrieved", "must be a date (YYYY-MM-DD)")
                )
                continue
            when = f" (retrieved {retrieved})" if retrieved else ""
            text, problem = clean_text(
                "citation", f"{citation or ''} {url or ''}".strip() + when, max_length=2_000
            )
            if problem or text is None or not (citation or url):
                problems.append(
                    RecordProblem(f"sources.{key}", "citation", "needs a citation or url")
                )
                continue
            texts[key] = text
        if not isinstance(raw, dict | None):
            problems.append(RecordProblem("sources", "", "must be an object of source keys"))
        return cls(texts)

    def resolve(self, where: str, key: Any, problems: list[RecordProblem]) -> str:
        if _missing(key):
            problems.append(
                RecordProblem(where, "source", "is missing: give the URL or citation of the fact")
            )
            return ""
        if not isinstance(key, str) or key not in self.texts:
            problems.append(
                RecordProblem(where, "source", f"{key!r} is not defined under 'sources'")
            )
            return ""
        return self.texts[key]

    def resolve_all(
        self, where: str, raw: dict[str, Any], problems: list[RecordProblem]
    ) -> list[str]:
        """Every citation of a record: ``source`` first, then ``sources`` in order, once each.

        A record needs at least one of the two; the first citation is also its ``source``.
        """
        keys: list[Any] = []
        if "source" in raw or "sources" not in raw:
            keys.append(raw.get("source"))
        listed = raw.get("sources", [])
        if not isinstance(listed, list) or ("sources" in raw and not listed):
            problems.append(
                RecordProblem(where, "sources", "must be a non-empty list of source keys")
            )
            listed = []
        keys += [key for key in listed if key not in keys]
        return [self.resolve(where, key, problems) for key in keys]


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _with_sources(properties: dict[str, Any], citations: list[str]) -> dict[str, Any]:
    """Several citations are stored as the ``sources`` list beside the first as ``source``."""
    if len(citations) > 1:
        return {**properties, "sources": citations}
    return properties


def check_node(
    where: str, raw: Any, sources: Sources, problems: list[RecordProblem]
) -> NodeRecord | None:
    """The checked node, or None with the reasons added to ``problems``."""
    if not isinstance(raw, dict):
        problems.append(RecordProblem(where, "", "must be an object"))
        return None
    label, node_id = raw.get("label"), raw.get("id")
    before = len(problems)
    if label not in NODE_PROPERTIES:
        problems.append(RecordProblem(where, "label", _unknown("label", label, NODE_PROPERTIES)))
        return None
    if _missing(node_id):
        problems.append(RecordProblem(where, "id", "is missing: every record needs an id"))
    elif problem := check_id("id", node_id):
        problems.append(RecordProblem(where, "id", f"{node_id!r} {problem.reason}"))
    citations = sources.resolve_all(where, raw, problems)
    properties = _properties(where, raw.get("properties", {}), label, problems)
    _check_property_sources(where, raw, sources, problems)
    if len(problems) > before:
        return None
    return NodeRecord(label, node_id, citations[0], _with_sources(properties, citations))  # type: ignore[arg-type]


def declared_node(raw: Any) -> tuple[str, str] | None:
    """(id, label) a node record declares, valid or not.

    A node refused for its properties still anchors its relationships, so that their own
    problems are reported rather than a misleading "does not exist".
    """
    if not isinstance(raw, dict):
        return None
    node_id, label = raw.get("id"), raw.get("label")
    return (node_id, label) if isinstance(node_id, str) and label in NODE_PROPERTIES else None


def fitting_label(allowed: Collection[str], found: set[str]) -> str | None:
    """The label an end is taken as: the first the relationship type allows that a node
    with this id has (ids are unique per label only)."""
    if len(found) == 1:  # nearly always: a file's ids are seldom reused across labels
        [label] = found
        return label if label in allowed else None
    return next((label for label in allowed if label in found), None)


def check_relationship(
    where: str,
    raw: Any,
    sources: Sources,
    labels_of: dict[str, set[str]],
    problems: list[RecordProblem],
) -> RelationshipRecord | None:
    """The checked relationship, its ends resolved through ``labels_of`` (id → labels)."""
    if not isinstance(raw, dict):
        problems.append(RecordProblem(where, "", "must be an object"))
        return None
    rel_type, from_id, to_id = raw.get("type"), raw.get("from"), raw.get("to")
    definition = RELATIONSHIP_TYPES.get(rel_type) if isinstance(rel_type, str) else None
    if definition is None:
        problems.append(
            RecordProblem(
                where, "type", _unknown("relationship type", rel_type, RELATIONSHIP_TYPES)
            )
        )
        return None
    before = len(problems)
    ends = []
    for end, node_id, allowed in (
        ("from", from_id, definition.from_labels),
        ("to", to_id, definition.to_labels),
    ):
        found = labels_of.get(node_id, set()) if isinstance(node_id, str) else set()
        fitting = fitting_label(allowed, found)
        if _missing(node_id):
            problems.append(RecordProblem(where, end, f"is missing: the id of the {end} node"))
        elif not found:
            problems.append(RecordProblem(where, end, f"node {node_id!r} does not exist"))
        elif not fitting:
            problems.append(
                RecordProblem(
                    where,
                    end,
                    f"{rel_type} cannot go {end} {'/'.join(sorted(found))} node {node_id!r}",
                )
            )
        ends.append(fitting or "")
    if isinstance(from_id, str) and isinstance(to_id, str) and all(ends):
        problems += [
            RecordProblem(where, "to" if p.field == "toId" else str(p.field), p.message)
            for p in link_problems(str(rel_type), ends[0], ends[1], from_id, to_id)
        ]
    citations = sources.resolve_all(where, raw, problems)
    _check_property_sources(where, raw, sources, problems)
    props_raw = raw.get("properties", {})
    cleaned, found_problems = clean_properties(
        props_raw if isinstance(props_raw, dict) else {}, definition.properties, require=True
    )
    problems += [RecordProblem(where, p.field, p.reason) for p in found_problems]
    if len(problems) > before:
        return None
    return RelationshipRecord(
        str(rel_type),
        str(from_id),
        ends[0],
        str(to_id),
        ends[1],
        citations[0],
        _with_sources(cleaned, citations),
    )


def _check_property_sources(
    where: str, raw: dict[str, Any], sources: Sources, problems: list[RecordProblem]
) -> None:
    """``propertySources``: for some of the record's properties, the key of the source
    that gave it, when not the record's own ``source``."""
    given = raw.get("propertySources")
    if given is None:
        return
    properties = raw.get("properties")
    named = properties if isinstance(properties, dict) else {}
    if not isinstance(given, dict):
        problems.append(
            RecordProblem(where, "propertySources", "must map property names to source keys")
        )
        return
    for name, key in given.items():
        if name not in named:
            problems.append(
                RecordProblem(
                    where, "propertySources", f"{name!r} is not one of the record's properties"
                )
            )
        elif not isinstance(key, str) or key not in sources.texts:
            problems.append(
                RecordProblem(
                    where, "propertySources", f"{key!r} (for {name}) is not defined under 'sources'"
                )
            )


def _properties(where: str, raw: Any, label: str, problems: list[RecordProblem]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.append(RecordProblem(where, "properties", "must be an object"))
        return {}
    cleaned, found = clean_properties(raw, NODE_PROPERTIES[label], require=True)
    problems += [RecordProblem(where, p.field, p.reason) for p in found]
    return cleaned


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _unknown(what: str, value: Any, known: Iterable[str]) -> str:
    """Reported in words: a missing value says so, and an unknown one lists the known ones."""
    choices = ", ".join(sorted(known))
    if _missing(value):
        return f"is missing: give one of {choices}"
    return f"unknown {what} {value!r}: use one of {choices}"


def read_graph_files(paths: list[Path]) -> GraphFile:
    """Several files read in order as one graph: a later file may link to the nodes of an
    earlier one (the starter catalogue reuses the example data's outcomes and agencies)."""
    nodes: list[NodeRecord] = []
    relationships: list[RelationshipRecord] = []
    for path in paths:
        known: dict[str, set[str]] = {}
        for node in nodes:
            known.setdefault(node.id, set()).add(node.label)
        graph = read_graph_file(path, known=known)
        nodes += graph.nodes
        relationships += graph.relationships
    return GraphFile(nodes=nodes, relationships=relationships)


def read_graph_file(path: Path, *, known: dict[str, set[str]] | None = None) -> GraphFile:
    """Parse and check a whole file; raise GraphFileError listing every problem found.

    ``known`` gives the labels of nodes defined elsewhere (an earlier file) by id, which
    this file's relationships may link to but its nodes may not define again.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GraphFileError(path, [f"cannot read JSON: {error}"]) from None
    problems: list[RecordProblem] = []
    sources = Sources.parse(document.get("sources"), problems)
    nodes = []
    earlier = known or {}
    labels_of: dict[str, set[str]] = {key: set(value) for key, value in earlier.items()}
    for i, raw in enumerate(document.get("nodes", [])):
        node = check_node(f"nodes[{i}]", raw, sources, problems)
        # A node refused for its properties still anchors its relationships, so that
        # their own problems are reported rather than a misleading "does not exist".
        node_id, label = (
            (raw.get("id"), raw.get("label")) if isinstance(raw, dict) else (None, None)
        )
        if isinstance(node_id, str) and label in NODE_PROPERTIES:
            if node_id in labels_of:
                problems.append(RecordProblem(f"nodes[{i}]", "id", f"{node_id!r} is used twice"))
            labels_of.setdefault(node_id, set()).add(label)
        if node is not None:
            nodes.append(node)
    relationships = []
    seen: set[tuple[str, str, str]] = set()
    for i, raw in enumerate(document.get("relationships", [])):
        rel = check_relationship(f"relationships[{i}]", raw, sources, labels_of, problems)
        if rel is None:
            continue
        key = (rel.type, rel.from_id, rel.to_id)
        if key in seen:
            problems.append(
                RecordProblem(
                    f"relationships[{i}]",
                    "",
                    f"{rel.type} {rel.from_id} -> {rel.to_id} is listed twice",
                )
            )
        seen.add(key)
        relationships.append(rel)
    if problems:
        raise GraphFileError(path, [str(p) for p in problems])
    return GraphFile(nodes=nodes, relationships=relationships)
