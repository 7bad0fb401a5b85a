"""What each label exposes to the API: stored properties and navigable relationships.

Field names here are the API's Python names (snake_case); the graph stores camelCase
properties. Every relationship is navigable from both ends; relationships with domain
properties of their own (role, amount, status...) are exposed as edge objects that
carry those properties and both end nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from service.model import (
    NODE_PROPERTIES,
    PROVENANCE,
    RELATIONSHIP_TIMESTAMPS,
    RELATIONSHIP_TYPES,
    TIMESTAMPS,
)

Direction = Literal["out", "in"]


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _scalars(label: str) -> dict[str, str]:
    """API field name -> graph property name, for every stored property of ``label``."""
    properties = ("id", *(p.name for p in NODE_PROPERTIES[label] + PROVENANCE + TIMESTAMPS))
    return {snake_case(name): name for name in properties}


@dataclass(frozen=True)
class NodeLink:
    """A field that follows ``rel`` to nodes of ``target`` (a list, or one node or null)."""

    rel: str
    direction: Direction
    target: str
    many: bool = True


@dataclass(frozen=True)
class EdgeShape:
    """An edge object: the relationship's own properties plus its two ends by field name.

    ``ends`` maps a field to (side, label); a side may allow several labels (FUNDS goes
    to an Intervention or a Study), each under its own field.
    """

    rel: str
    ends: tuple[tuple[str, Literal["from", "to"], str], ...]

    @property
    def scalars(self) -> dict[str, str]:
        rel = RELATIONSHIP_TYPES[self.rel]
        return {
            snake_case(p.name): p.name
            for p in rel.properties + PROVENANCE + RELATIONSHIP_TIMESTAMPS
        }


@dataclass(frozen=True)
class EdgeLink:
    """A field listing edge objects of ``shape`` seen from one end (``direction``)."""

    shape: str
    direction: Direction


EDGE_SHAPES: Final[dict[str, EdgeShape]] = {
    "Participation": EdgeShape(
        "PARTICIPATES_IN", (("agency", "from", "Agency"), ("intervention", "to", "Intervention"))
    ),
    "Delivery": EdgeShape(
        "DELIVERS", (("agency", "from", "Agency"), ("intervention", "to", "Intervention"))
    ),
    "Funding": EdgeShape(
        "FUNDS",
        (
            ("funder", "from", "Agency"),
            ("intervention", "to", "Intervention"),
            ("study", "to", "Study"),
        ),
    ),
    "StudyRole": EdgeShape("CONDUCTED", (("agency", "from", "Agency"), ("study", "to", "Study"))),
}

Link = NodeLink | EdgeLink

LINKS: Final[dict[str, dict[str, Link]]] = {
    "Intervention": {
        "participants": EdgeLink("Participation", "in"),
        "deliveries": EdgeLink("Delivery", "in"),
        "funding": EdgeLink("Funding", "in"),
        "developers": NodeLink("DEVELOPED", "in", "Agency"),
        "studies": NodeLink("EVALUATES", "in", "Study"),
        "findings": NodeLink("OF", "in", "Finding"),
        "targets": NodeLink("TARGETS", "out", "Outcome"),
        "ratings": NodeLink("RATES", "in", "Rating"),
        "caveats": NodeLink("QUALIFIES", "in", "Caveat"),
        "developer_people": NodeLink("DEVELOPED", "in", "Person"),
        "variant_of": NodeLink("VARIANT_OF", "out", "Intervention", many=False),
        "variants": NodeLink("VARIANT_OF", "in", "Intervention"),
    },
    "Agency": {
        "participations": EdgeLink("Participation", "out"),
        "deliveries": EdgeLink("Delivery", "out"),
        "funding": EdgeLink("Funding", "out"),
        "developed": NodeLink("DEVELOPED", "out", "Intervention"),
        "study_roles": EdgeLink("StudyRole", "out"),
        "ratings_issued": NodeLink("ISSUED", "out", "Rating"),
    },
    "Study": {
        "interventions": NodeLink("EVALUATES", "out", "Intervention"),
        "findings": NodeLink("REPORTS", "out", "Finding"),
        "agencies": EdgeLink("StudyRole", "in"),
        "funding": EdgeLink("Funding", "in"),
        "trial": NodeLink("REPORTS_ON", "out", "Trial", many=False),
        "caveats": NodeLink("QUALIFIES", "in", "Caveat"),
    },
    "Finding": {
        "study": NodeLink("REPORTS", "in", "Study", many=False),
        "intervention": NodeLink("OF", "out", "Intervention", many=False),
        "outcomes": NodeLink("ON_OUTCOME", "out", "Outcome"),
    },
    "Outcome": {
        "part_of": NodeLink("PART_OF", "out", "Outcome", many=False),
        "narrower": NodeLink("PART_OF", "in", "Outcome"),
        "targeted_by": NodeLink("TARGETS", "in", "Intervention"),
        "findings": NodeLink("ON_OUTCOME", "in", "Finding"),
        "ratings": NodeLink("SCOPED_TO", "in", "Rating"),
    },
    "Rating": {
        "issuer": NodeLink("ISSUED", "in", "Agency", many=False),
        "intervention": NodeLink("RATES", "out", "Intervention", many=False),
        "outcomes": NodeLink("SCOPED_TO", "out", "Outcome"),
        "caveats": NodeLink("QUALIFIES", "in", "Caveat"),
    },
    "Trial": {
        "publications": NodeLink("REPORTS_ON", "in", "Study"),
    },
    "Caveat": {
        "ratings": NodeLink("QUALIFIES", "out", "Rating"),
        "interventions": NodeLink("QUALIFIES", "out", "Intervention"),
        "studies": NodeLink("QUALIFIES", "out", "Study"),
    },
    "Person": {
        "developed": NodeLink("DEVELOPED", "out", "Intervention"),
    },
}

SCALARS: Final[dict[str, dict[str, str]]] = {label: _scalars(label) for label in NODE_PROPERTIES}

# Fields the schema computes in Python from stored scalars: field -> the scalars it reads,
# which the projection then fetches even when they were not selected themselves.
COMPUTED: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "Rating": {
        "common_scale": ("scheme", "value"),
        "common_scale_label": ("scheme", "value"),
        "mixed_evidence": ("scheme", "value"),
    },
}

# How lists of each label are ordered when they appear nested inside another node:
# (graph property, descending?) pairs, always ending with the id so order is total.
NESTED_ORDER: Final[dict[str, tuple[tuple[str, bool], ...]]] = {
    "Intervention": (("name", False), ("id", False)),
    "Agency": (("name", False), ("id", False)),
    "Study": (("year", True), ("title", False), ("id", False)),
    "Finding": (("measure", False), ("id", False)),
    "Outcome": (("name", False), ("id", False)),
    "Rating": (("ratedOn", True), ("scheme", False), ("id", False)),
    "Trial": (("name", False), ("id", False)),
    "Caveat": (("kind", False), ("id", False)),
    "Person": (("name", False), ("id", False)),
}
