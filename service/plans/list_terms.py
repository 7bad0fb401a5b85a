"""What the lists of each label can be filtered and sorted by, as Cypher fragments.

The root lists (service/plans/listing.py) and the nested connections
(service/plans/nested_pages.py) share them; fragments are written over ``n0`` and
rewritten to the variable in use.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

# Each filter is a WHERE fragment over ``n0`` using a parameter of the filter's own name.
_IDS: Final = "n0.id IN $ids"
FILTERS: Final[dict[str, dict[str, str]]] = {
    "Intervention": {
        "ids": _IDS,
        "kind_in": "n0.kind IN $kind_in",
        "level_of_need_in": "n0.levelOfNeed IN $level_of_need_in",
        # Aliases too: "MASH" finds the Multi-Agency Safeguarding Hub.
        "name_contains": (
            "(toLower(n0.name) CONTAINS toLower($name_contains) OR "
            "any(a IN coalesce(n0.aliases, []) WHERE toLower(a) CONTAINS toLower($name_contains)))"
        ),
        "agency_sector_in": (
            "EXISTS { MATCH (n0)<-[:PARTICIPATES_IN]-(a:Agency) WHERE a.sector IN $agency_sector_in }"
        ),
        "targets_outcome": (
            "EXISTS { MATCH (n0)-[:TARGETS]->(:Outcome)-[:PART_OF*0..4]->(o:Outcome) "
            "WHERE o.id = $targets_outcome }"
        ),
        "uk_tested": "n0.ukTested = $uk_tested",
        "max_cost_rating": "n0.costRating <= $max_cost_rating",
    },
    "Agency": {
        "ids": _IDS,
        "sector_in": "n0.sector IN $sector_in",
        "area_type_in": "n0.areaType IN $area_type_in",
        "name_contains": "toLower(n0.name) CONTAINS toLower($name_contains)",
        "region": "n0.region = $region",
        "participates_in": (
            "EXISTS { MATCH (n0)-[:PARTICIPATES_IN]->(i:Intervention) WHERE i.id = $participates_in }"
        ),
    },
    "Study": {
        "ids": _IDS,
        "design_in": "n0.design IN $design_in",
        "design_rating_in": "n0.designRating IN $design_rating_in",
        "status_in": "n0.status IN $status_in",
        "year_from": "n0.year >= $year_from",
        "year_to": "n0.year <= $year_to",
        "country": "n0.country = $country",
        "title_contains": "toLower(n0.title) CONTAINS toLower($title_contains)",
        "evaluates": "EXISTS { MATCH (n0)-[:EVALUATES]->(i:Intervention) WHERE i.id = $evaluates }",
    },
    "Outcome": {
        "ids": _IDS,
        "domain_in": "n0.domain IN $domain_in",
        "name_contains": "toLower(n0.name) CONTAINS toLower($name_contains)",
        "part_of": "EXISTS { MATCH (n0)-[:PART_OF*1..4]->(o:Outcome) WHERE o.id = $part_of }",
    },
}


@dataclass(frozen=True)
class SortSpec:
    """A sort key expression over ``n0``; nulls sort as ``missing`` so keysets stay total."""

    expression: str
    key_type: type[str] | type[int] | type[float]


SORTS: Final[dict[str, dict[str, SortSpec]]] = {
    "Intervention": {
        "NAME": SortSpec("coalesce(n0.name, '')", str),
        "COST_RATING": SortSpec("coalesce(n0.costRating, 0)", int),
    },
    "Agency": {
        "NAME": SortSpec("coalesce(n0.name, '')", str),
        "SECTOR": SortSpec("coalesce(n0.sector, '')", str),
    },
    "Study": {
        "YEAR": SortSpec("coalesce(n0.year, 0)", int),
        "TITLE": SortSpec("coalesce(n0.title, '')", str),
    },
    "Outcome": {
        "NAME": SortSpec("coalesce(n0.name, '')", str),
        "DOMAIN": SortSpec("coalesce(n0.domain, '')", str),
    },
}


def normalised(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Filter values as the graph stores text: NFC-normalised (service/validation.py), so
    "José" typed with a combining accent finds the stored name."""
    return {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
        for k, v in (filters or {}).items()
    }
