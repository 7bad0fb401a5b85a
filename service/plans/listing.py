"""Connection plans: filtered, sorted, keyset-paginated lists of one label.

One statement returns the page (one row more than asked, to know whether another page
follows), and, only when selected, the total count and whether rows precede the cursor.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from service.plans.cursor import Cursor
from service.plans.errors import BadQueryInput
from service.plans.filter_logic import filter_condition
from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Store

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
    key_type: type[str] | type[int]


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


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: str | None = None
    sort: str = "NAME"
    direction: Literal["ASC", "DESC"] = "ASC"
    filters: Mapping[str, Any] | None = None


def connection_statement(
    label: str, request: PageRequest, cursor: Cursor | None, selection: Selection
) -> tuple[str, dict[str, Any]]:
    """The Cypher and parameters that answer one connection field."""
    # Stored text is NFC-normalised (service/validation.py), so filter text is too: "José"
    # typed with a combining accent finds the stored name.
    filters = {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
        for k, v in (request.filters or {}).items()
    }
    params: dict[str, Any] = {"limit": request.first + 1}
    where = filter_condition(label, FILTERS, filters, params)
    sort = SORTS[label][request.sort]
    ascending = request.direction == "ASC"
    after, before = (">", "<") if ascending else ("<", ">")
    order = "" if ascending else " DESC"
    matched = f"MATCH (n0:{label}) WHERE {where} WITH n0, {sort.expression} AS sortKey"

    node_selection = _node_selection(selection)
    page_info = selection.get("page_info") or Selection()
    keyset = ""
    if cursor is not None:
        params.update(cursorKey=cursor.key, cursorId=cursor.id)
        keyset = f" WHERE sortKey {after} $cursorKey OR (sortKey = $cursorKey AND n0.id {after} $cursorId)"
    # The page comes first, outside any subquery: wrapped in CALL () {} the embedded
    # store took about twice as long for the same page. Counts follow only when selected.
    parts = [
        f"{matched}{keyset} WITH n0, sortKey ORDER BY sortKey{order}, n0.id{order} LIMIT $limit "
        f"WITH collect({{sortKey: sortKey, node: {node_map(label, 'n0', node_selection)}}}) AS rows"
    ]
    total = "null AS total"
    if "total_count" in selection:
        parts.append(f"CALL () {{ MATCH (n0:{label}) WHERE {where} RETURN count(n0) AS total }}")
        total = "total"
    has_previous = "false AS hasPrevious"
    if cursor is not None and "has_previous_page" in page_info:
        parts.append(
            f"CALL () {{ {matched} WHERE sortKey {before} $cursorKey "
            f"OR (sortKey = $cursorKey AND n0.id {before}= $cursorId) "
            "RETURN count(n0) > 0 AS hasPrevious }"
        )
        has_previous = "hasPrevious"
    parts.append(f"RETURN {total}, {has_previous}, rows")
    return " ".join(parts), params


async def connection(
    store: Store, *, label: str, request: PageRequest, selection: Selection, max_page_size: int
) -> dict[str, Any]:
    """A Relay connection as plain dicts: edges, page_info and total_count."""
    if not 1 <= request.first <= max_page_size:
        raise BadQueryInput(f"first must be between 1 and {max_page_size}", argument="first")
    if request.sort not in SORTS[label]:
        raise BadQueryInput(f"cannot sort {label} by {request.sort}", argument="sort")
    sort_name = f"{label}:{request.sort}:{request.direction}"
    cursor = Cursor.decode(request.after, sort=sort_name) if request.after else None
    if cursor is not None and not isinstance(cursor.key, SORTS[label][request.sort].key_type):
        raise BadQueryInput("after is not a cursor this API issued", argument="after")
    statement, params = connection_statement(label, request, cursor, selection)
    [row] = await store.read(statement, params)
    rows = row["rows"]
    page = rows[: request.first]

    def cursor_of(item: dict[str, Any]) -> str:
        return Cursor(sort_name, item["sortKey"], item["node"]["id"]).encode()

    # Cursors are encoded only where selected: for a page of 20, encoding them all cost
    # a third as much as shaping the page.
    edge_selection = selection.get("edges") or Selection()
    page_info = selection.get("page_info") or Selection()
    with_cursors = "cursor" in edge_selection
    edges = [
        {"cursor": cursor_of(item) if with_cursors else None, "node": item["node"]} for item in page
    ]
    return {
        "edges": edges,
        "total_count": row["total"],
        "page_info": {
            "has_next_page": len(rows) > request.first,
            "has_previous_page": row["hasPrevious"],
            "start_cursor": cursor_of(page[0]) if page and "start_cursor" in page_info else None,
            "end_cursor": cursor_of(page[-1]) if page and "end_cursor" in page_info else None,
        },
    }


def _node_selection(selection: Selection) -> Selection:
    edges = selection.get("edges") or Selection()
    return edges.get("node") or Selection()
