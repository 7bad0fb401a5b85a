"""Each stored property with the one type every export writes it as.

The types come from the model's registry, so a key has the same type on every node or
edge that carries it (GraphML and GEXF declare one type per key; the neo4j-admin import
header declares one per column).
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any, Final, Literal

from service.model import (
    NODE_PROPERTIES,
    PROVENANCE,
    RELATIONSHIP_TIMESTAMPS,
    RELATIONSHIP_TYPES,
    TIMESTAMPS,
    Property,
)

Kind = Literal["string", "long", "double", "boolean", "date", "datetime", "string[]"]


def _kind(prop: Property) -> Kind:
    if prop.many:
        return "string[]"
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    if bool in kinds:
        return "boolean"
    if float in kinds:
        return "double"
    if int in kinds:
        return "long"
    if dt.datetime in kinds:
        return "datetime"
    if dt.date in kinds:
        return "date"
    if all(kind is str or issubclass(kind, StrEnum) for kind in kinds):
        return "string"
    raise TypeError(f"no export type for {prop}")


NODE_COLUMNS: Final[dict[str, dict[str, Kind]]] = {
    label: {p.name: _kind(p) for p in properties + PROVENANCE + TIMESTAMPS}
    for label, properties in NODE_PROPERTIES.items()
}
EDGE_COLUMNS: Final[dict[str, dict[str, Kind]]] = {
    name: {p.name: _kind(p) for p in rel.properties + PROVENANCE + RELATIONSHIP_TIMESTAMPS}
    for name, rel in RELATIONSHIP_TYPES.items()
}


def typed(value: Any, kind: Kind) -> Any:
    """The value as its export type: numbers as int or float, dates as ISO strings."""
    if kind == "long":
        return int(value)
    if kind == "double":
        return float(value)
    if kind == "boolean":
        return bool(value)
    if kind == "string[]":
        return [str(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def typed_properties(properties: dict[str, Any], columns: dict[str, Kind]) -> dict[str, Any]:
    """Known properties, typed, in registry order; ``id`` and unset ones left out."""
    return {
        name: typed(properties[name], kind)
        for name, kind in columns.items()
        if properties.get(name) is not None
    }


def flat(value: Any) -> Any:
    """A list as a JSON array string, for formats whose attributes cannot hold lists."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
