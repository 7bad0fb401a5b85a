"""The interfaces every node and edge object shares: provenance, and a node's id and times."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry


@strawberry.interface(description="Where a fact came from and who recorded it.")
class Provenance:
    source: str | None = strawberry.field(description="URL or citation of the source.")
    sources: list[str] | None = strawberry.field(
        description="Every citation of the fact when more than one was given; source is the first."
    )
    property_sources: str | None = strawberry.field(
        description="A JSON object naming, for each property that came from another source "
        "than source (the latest write's), the citation it came from, e.g. "
        '{"costRating": "EIF Guidebook ..."}; null when every property comes from source.'
    )
    recorded_by: str | None = strawberry.field(description="The client that wrote the fact.")

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        # Query plans return plain maps; each field's declared type says what it holds.
        return isinstance(obj, dict | cls)


@strawberry.interface(description="A node of the graph: a stable id and its timestamps.")
class GraphNode(Provenance):
    id: strawberry.ID
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
