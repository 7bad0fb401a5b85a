"""A plain tree of requested fields, built by the schema layer from a GraphQL query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Selection:
    """Requested fields by their Python name, each with its own sub-selection."""

    fields: Mapping[str, Selection] = field(default_factory=dict)
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Selection | None:
        return self.fields.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.fields


def select(*names: str, **nested: Selection) -> Selection:
    """Build a selection by hand: ``select("id", "name", participants=select(...))``."""
    fields: dict[str, Selection] = {name: Selection() for name in names}
    fields.update(nested)
    return Selection(fields)
