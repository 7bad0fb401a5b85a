"""Reads and checks a graph data file (nodes, relationships, sources) against the model.

The format is the one ``examples/evidence-graph.json`` uses: ``sources`` by key, then
``nodes`` ({label, id, source, properties}) and ``relationships`` ({type, from, to,
source, properties}). Every problem is collected, so one run reports them all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES, Property

_ID: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")


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


def read_graph_file(path: Path) -> GraphFile:
    """Parse and check the file; raise GraphFileError listing every problem found."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GraphFileError(path, [f"cannot read JSON: {error}"]) from None
    problems: list[str] = []
    sources = {key: _citation(value) for key, value in document.get("sources", {}).items()}
    nodes = [_node(i, raw, sources, problems) for i, raw in enumerate(document.get("nodes", []))]
    labels: dict[str, str] = {}
    for i, node in enumerate(nodes):
        if node.id in labels:
            problems.append(f"nodes[{i}]: id {node.id!r} is used twice")
        labels[node.id] = node.label
    relationships = [
        _relationship(i, raw, sources, labels, problems)
        for i, raw in enumerate(document.get("relationships", []))
    ]
    seen: set[tuple[str, str, str]] = set()
    for i, rel in enumerate(relationships):
        key = (rel.type, rel.from_id, rel.to_id)
        if key in seen:
            problems.append(
                f"relationships[{i}]: {rel.type} {rel.from_id} -> {rel.to_id} is listed twice"
            )
        seen.add(key)
    if problems:
        raise GraphFileError(path, problems)
    return GraphFile(nodes=nodes, relationships=relationships)


def _citation(source: dict[str, str]) -> str:
    citation = source.get("citation", "").strip()
    url = source.get("url", "").strip()
    return f"{citation} {url}".strip()


def _node(i: int, raw: dict[str, Any], sources: dict[str, str], problems: list[str]) -> NodeRecord:
    where = f"nodes[{i}]"
    label, node_id = raw.get("label", ""), raw.get("id", "")
    if label not in NODE_PROPERTIES:
        problems.append(f"{where}: unknown label {label!r}")
        return NodeRecord(label, node_id, "", {})
    if not isinstance(node_id, str) or not _ID.match(node_id):
        problems.append(f"{where}: id {node_id!r} must be a lowercase slug (a-z, 0-9, -)")
    source = _source(where, raw.get("source"), sources, problems)
    properties = _properties(where, raw.get("properties", {}), NODE_PROPERTIES[label], problems)
    return NodeRecord(label, node_id, source, properties)


def _relationship(
    i: int,
    raw: dict[str, Any],
    sources: dict[str, str],
    labels: dict[str, str],
    problems: list[str],
) -> RelationshipRecord:
    where = f"relationships[{i}]"
    rel_type, from_id, to_id = raw.get("type", ""), raw.get("from", ""), raw.get("to", "")
    definition = RELATIONSHIP_TYPES.get(rel_type)
    if definition is None:
        problems.append(f"{where}: unknown relationship type {rel_type!r}")
        return RelationshipRecord(rel_type, from_id, "", to_id, "", "", {})
    from_label, to_label = labels.get(from_id, ""), labels.get(to_id, "")
    for end, node_id, label, allowed in (
        ("from", from_id, from_label, definition.from_labels),
        ("to", to_id, to_label, definition.to_labels),
    ):
        if not label:
            problems.append(f"{where}: {end} node {node_id!r} is not in the file")
        elif label not in allowed:
            problems.append(f"{where}: {rel_type} cannot go {end} {label} node {node_id!r}")
    source = _source(where, raw.get("source"), sources, problems)
    properties = _properties(where, raw.get("properties", {}), definition.properties, problems)
    return RelationshipRecord(rel_type, from_id, from_label, to_id, to_label, source, properties)


def _source(where: str, key: Any, sources: dict[str, str], problems: list[str]) -> str:
    if key not in sources:
        problems.append(f"{where}: source {key!r} is not defined under 'sources'")
        return ""
    return sources[key]


def _properties(
    where: str, raw: dict[str, Any], allowed: tuple[Property, ...], problems: list[str]
) -> dict[str, Any]:
    by_name = {p.name: p for p in allowed}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        prop = by_name.get(name)
        if prop is None:
            problems.append(f"{where}: unknown property {name!r}")
            continue
        items = value if prop.many and isinstance(value, list) else [value]
        if prop.many and not isinstance(value, list):
            problems.append(f"{where}.{name}: expected a list")
            continue
        converted = [_convert(f"{where}.{name}", item, prop, problems) for item in items]
        values[name] = converted if prop.many else converted[0]
    for prop in allowed:
        if prop.required and prop.name not in raw:
            problems.append(f"{where}: required property {prop.name!r} is missing")
    return values


def _convert(where: str, value: Any, prop: Property, problems: list[str]) -> Any:
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    for kind in kinds:
        if kind is dt.date and isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                break
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            if value in kind.__members__:
                return value
            problems.append(f"{where}: {value!r} is not one of {', '.join(kind.__members__)}")
            return value
        # bool is an int in Python; a number field must not take true/false.
        if isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool):
            return value
    problems.append(f"{where}: {value!r} is not a valid {'/'.join(k.__name__ for k in kinds)}")
    return value
