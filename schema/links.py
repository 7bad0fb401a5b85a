"""Enums naming node labels and relationship types for generic mutations.

Built from the model registry: a request can only ever name a label or type the code
already knows.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from service.model import LABELS, RELATIONSHIP_TYPES


def _enum(name: str, members: dict[str, str], description: str) -> Any:
    return strawberry.enum(Enum(name, members), description=description)  # type: ignore[call-overload]


NodeKind = _enum("NodeKind", {label.upper(): label for label in LABELS}, "A node label.")
LinkKind = _enum("LinkKind", {name: name for name in RELATIONSHIP_TYPES}, "Any relationship type.")
PlainLinkKind = _enum(
    "PlainLinkKind",
    {name: name for name, rel in RELATIONSHIP_TYPES.items() if not rel.properties},
    "A relationship type with no properties of its own (use the specific link mutations for the others).",
)


def labels_for(rel_type: str) -> list[tuple[str, str]]:
    """Every (from label, to label) pair the relationship type allows."""
    rel = RELATIONSHIP_TYPES[rel_type]
    return [(a, b) for a in rel.from_labels for b in rel.to_labels]
