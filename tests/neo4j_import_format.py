"""A checker for CSV files in the layout ``neo4j-admin database import`` reads.

Rules from the Neo4j Operations Manual, "Import" (neo4j-admin database import: CSV header
format, ID spaces, property data types, array delimiter):
https://neo4j.com/docs/operations-manual/current/tools/neo4j-admin/neo4j-admin-import/
Node files have one ``:ID`` column (optionally ``name:ID(space)``) and may have ``:LABEL``;
relationship files have ``:START_ID``, ``:END_ID`` and ``:TYPE``; other columns are
``name`` or ``name:type`` with a type from the documented list, ``[]`` for arrays.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

_TYPES = {
    "int", "long", "float", "double", "boolean", "byte", "short", "char", "string",
    "point", "date", "localtime", "time", "localdatetime", "datetime", "duration",
}  # fmt: skip
_FIELD = re.compile(
    r"^(?P<name>[^:]*)(?::(?P<kind>[A-Z_]+|[a-z]+(?:\[\])?)(?:\((?P<space>[^)]*)\))?)?$"
)


@dataclass
class ImportedGraph:
    nodes: dict[str, dict[str, dict[str, object]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    relationships: list[tuple[str, str, str, str, str, dict[str, object]]] = field(
        default_factory=list
    )


def _value(text: str, kind: str, array_delimiter: str) -> object:
    if kind.endswith("[]"):
        return [_value(item, kind[:-2], array_delimiter) for item in text.split(array_delimiter)]
    if kind in {"int", "long", "short", "byte"}:
        return int(text)
    if kind in {"float", "double"}:
        return float(text)
    if kind == "boolean":
        if text not in {"true", "false"}:
            raise ValueError(f"not a boolean: {text!r}")
        return text == "true"
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    return text


def _header(row: list[str], required: set[str]) -> list[tuple[str, str, str | None]]:
    columns = []
    for cell in row:
        match = _FIELD.match(cell)
        if not match:
            raise ValueError(f"bad header field {cell!r}")
        name, kind, space = match["name"], match["kind"] or "string", match["space"]
        if kind.isupper():
            if kind not in {"ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"}:
                raise ValueError(f"unknown field kind {cell!r}")
        elif kind.removesuffix("[]") not in _TYPES:
            raise ValueError(f"unknown property type in {cell!r}")
        columns.append((name, kind, space))
    missing = required - {kind for _name, kind, _space in columns}
    if missing:
        raise ValueError(f"header {row} lacks {sorted(missing)}")
    return columns


def read_import(
    node_files: dict[str, str], relationship_files: dict[str, str], *, array_delimiter: str
) -> ImportedGraph:
    """Parse the files as neo4j-admin would; raise ValueError on anything it would refuse."""
    graph = ImportedGraph()
    for name, text in node_files.items():
        rows = list(csv.reader(io.StringIO(text)))
        columns = _header(rows[0], {"ID"})
        for row in rows[1:]:
            if len(row) != len(columns):
                raise ValueError(f"{name}: row has {len(row)} fields, header {len(columns)}")
            properties: dict[str, object] = {}
            node_id = space = label = None
            for (prop, kind, column_space), cell in zip(columns, row, strict=True):
                if kind == "ID":
                    node_id, space = cell, column_space or ""
                    if prop:
                        properties[prop] = cell
                elif kind == "LABEL":
                    label = cell
                elif cell != "":
                    properties[prop] = _value(cell, kind, array_delimiter)
            assert node_id is not None and space is not None
            if node_id in graph.nodes[space]:
                raise ValueError(f"{name}: duplicate id {node_id!r} in ID space {space!r}")
            graph.nodes[space][node_id] = properties
            graph.labels[(space, node_id)] = label or ""
    for name, text in relationship_files.items():
        rows = list(csv.reader(io.StringIO(text)))
        columns = _header(rows[0], {"START_ID", "END_ID", "TYPE"})
        for row in rows[1:]:
            ends: dict[str, tuple[str, str]] = {}
            properties = {}
            rel_type = ""
            for (prop, kind, column_space), cell in zip(columns, row, strict=True):
                if kind in {"START_ID", "END_ID"}:
                    ends[kind] = (column_space or "", cell)
                elif kind == "TYPE":
                    rel_type = cell
                elif cell != "":
                    properties[prop] = _value(cell, kind, array_delimiter)
            for side, (space, node_id) in ends.items():
                if node_id not in graph.nodes.get(space, {}):
                    raise ValueError(f"{name}: {side} {node_id!r} not in ID space {space!r}")
            (start_space, start), (end_space, end) = ends["START_ID"], ends["END_ID"]
            graph.relationships.append((rel_type, start_space, start, end_space, end, properties))
    return graph
