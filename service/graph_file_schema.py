"""The JSON Schema of the graph-file / import format, built from the model registry.

Written to docs/graph-file.schema.json by ``make schema``; a test fails when the
committed file drifts from the model.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from service.model import (
    COUNTRY_PROPERTIES,
    DATE_PRECISION_OF,
    NODE_PROPERTIES,
    RELATIONSHIP_TYPES,
    Property,
)
from service.validation import ID_PATTERN

SCHEMA_PATH: Final = Path(__file__).resolve().parent.parent / "docs" / "graph-file.schema.json"


def _property_schema(prop: Property) -> dict[str, Any]:
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    kind = kinds[0]
    item: dict[str, Any]
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        item = {"enum": list(kind.__members__)}
    elif prop.name in DATE_PRECISION_OF:
        item = {
            "type": "string",
            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|[Aa][Ss] [Oo][Ff] \d{4}-\d{2}-\d{2})$",
            "description": "YYYY, YYYY-MM or YYYY-MM-DD, as published; 'as of YYYY-MM-DD' "
            "(the day a source was read showing it) when no date was published; "
            f"{DATE_PRECISION_OF[prop.name]} is set from it.",
        }
    elif prop.name in COUNTRY_PROPERTIES:
        item = {
            "type": "string",
            "minLength": 2,
            "description": "ISO 3166-1 alpha-2 code or English name (UK, England, Wales, "
            "Scotland, Northern Ireland are stored as GB).",
        }
    elif kind is dt.date:
        item = {"type": "string", "format": "date"}
    elif kind is bool:
        item = {"type": "boolean"}
    elif float in kinds:
        item = {"type": "number"}
    elif kind is int:
        item = {"type": "integer"}
    else:
        item = {"type": "string", "minLength": 1}
    return {"type": "array", "items": item, "maxItems": 50} if prop.many else item


def _properties(props: tuple[Property, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {p.name: _property_schema(p) for p in props},
        "required": [p.name for p in props if p.required],
    }


def _property_sources(props: tuple[Property, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "For properties that come from another source than the record's "
        "'source': the key of that source in 'sources', by property name.",
        "additionalProperties": False,
        "properties": {p.name: {"type": "string"} for p in props},
    }


def graph_file_schema() -> dict[str, Any]:
    node_variants = [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["label", "id", "properties"],
            "anyOf": [{"required": ["source"]}, {"required": ["sources"]}],
            "properties": {
                "label": {"const": label},
                "id": {"$ref": "#/$defs/id"},
                "source": {"type": "string", "description": "A key of 'sources'."},
                "sources": {"$ref": "#/$defs/sourceKeys"},
                "propertySources": _property_sources(props),
                "properties": _properties(props),
            },
        }
        for label, props in NODE_PROPERTIES.items()
    ]
    rel_variants = [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", "from", "to"],
            "anyOf": [{"required": ["source"]}, {"required": ["sources"]}],
            "properties": {
                "type": {"const": name},
                "from": {
                    "$ref": "#/$defs/id",
                    "description": f"Id of a {' or '.join(rel.from_labels)}.",
                },
                "to": {
                    "$ref": "#/$defs/id",
                    "description": f"Id of a {' or '.join(rel.to_labels)}.",
                },
                "source": {"type": "string", "description": "A key of 'sources'."},
                "sources": {"$ref": "#/$defs/sourceKeys"},
                "propertySources": _property_sources(rel.properties),
                "properties": _properties(rel.properties),
            },
        }
        for name, rel in RELATIONSHIP_TYPES.items()
    ]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://evidence-graph.example/graph-file.schema.json",
        "title": "Evidence Graph data file",
        "description": "Nodes and relationships of the evidence graph with their sources; the format of "
        "examples/evidence-graph.json and of POST /imports. Generated from service/model.py.",
        "type": "object",
        "additionalProperties": False,
        "required": ["sources", "nodes"],
        "properties": {
            "sources": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "citation": {"type": "string"},
                        "url": {"type": "string", "format": "uri"},
                        "retrieved": {"type": "string", "format": "date"},
                    },
                    "anyOf": [{"required": ["citation"]}, {"required": ["url"]}],
                },
            },
            "nodes": {"type": "array", "items": {"oneOf": node_variants}},
            "relationships": {"type": "array", "items": {"oneOf": rel_variants}},
        },
        "$defs": {
            "id": {"type": "string", "pattern": ID_PATTERN.pattern},
            "sourceKeys": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "Keys of 'sources', every citation of the record; the first "
                "is also stored as its 'source'.",
            },
        },
    }


def export_schema(path: Path = SCHEMA_PATH) -> None:
    path.write_text(json.dumps(graph_file_schema(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    export_schema()
