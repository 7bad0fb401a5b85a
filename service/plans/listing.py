"""Connection plans: filtered, sorted, keyset-paginated lists of one label.

One statement returns the page (one row more than asked when the page info asks whether
another page follows in the direction of reading), and, only when selected, the total
count and whether rows lie beyond the cursor the page starts from (service/plans/paging.py).
"""

from __future__ import annotations

from typing import Any

from service.plans.errors import BadQueryInput
from service.plans.filter_logic import filter_condition
from service.plans.list_terms import FILTERS, SORTS, normalised
from service.plans.paging import Keyset, PageRequest, Window, page_of, rows_to_read, window_of
from service.plans.projection import node_map
from service.plans.selection import Selection
from service.store import Store

__all__ = ["PageRequest", "connection", "connection_statement", "window"]


def sort_name(label: str, request: PageRequest) -> str:
    """The sort a cursor belongs to: a cursor of another sort or direction is refused."""
    return f"{label}:{request.sort}:{request.direction}"


def window(label: str, request: PageRequest, *, default_size: int, max_size: int) -> Window:
    """The checked window of a root list request."""
    if request.sort not in SORTS[label]:
        raise BadQueryInput(f"cannot sort {label} by {request.sort}", argument="sort")
    return window_of(
        first=request.first,
        last=request.last,
        after=request.after,
        before=request.before,
        sort_name=sort_name(label, request),
        key_types=(SORTS[label][request.sort].key_type,),
        default_size=default_size,
        max_size=max_size,
    )


def connection_statement(
    label: str, request: PageRequest, page: Window, selection: Selection
) -> tuple[str, dict[str, Any]]:
    """The Cypher and parameters that answer one connection field."""
    page_info = selection.get("page_info") or Selection()
    params: dict[str, Any] = {"limit": rows_to_read(page, page_info)}
    where = filter_condition(label, FILTERS, normalised(request.filters), params)
    sort = SORTS[label][request.sort]
    # The sort key is written out where it is used rather than projected first: a
    # projection of every matching row before the LIMIT cost the embedded store about a
    # sixth of the statement (bench/statement_cost.py compares it with hand-written Cypher).
    keyset = Keyset(page, request.direction == "ASC", key=sort.expression, tie="n0.id", prefix="")
    node_selection = _node_selection(selection)
    # The page comes first, outside any subquery: wrapped in CALL () {} the embedded
    # store took about twice as long for the same page. Counts follow only when selected.
    parts = [
        f"MATCH (n0:{label}){_where(where, keyset.condition(params))} "
        f"WITH n0 ORDER BY {keyset.order()} LIMIT $limit "
        f"WITH collect({{sortKey: {sort.expression}, "
        f"node: {node_map(label, 'n0', node_selection, params=params)}}}) AS rows"
    ]
    total = "null AS total"
    if "total_count" in selection:
        parts.append(f"CALL () {{ MATCH (n0:{label}){_where(where)} RETURN count(n0) AS total }}")
        total = "total"
    beyond_flag = "false AS beyond"
    wanted = "has_next_page" if page.backward else "has_previous_page"
    if wanted in page_info and (beyond := keyset.beyond(params)) is not None:
        parts.append(
            f"CALL () {{ MATCH (n0:{label}){_where(where, beyond)} RETURN count(n0) > 0 AS beyond }}"
        )
        beyond_flag = "beyond"
    parts.append(f"RETURN {total}, {beyond_flag}, rows")
    return " ".join(parts), params


async def connection(
    store: Store,
    *,
    label: str,
    request: PageRequest,
    selection: Selection,
    max_page_size: int,
    default_page_size: int | None = None,
) -> dict[str, Any]:
    """A Relay connection as plain dicts: edges, page_info and total_count.

    A request without first or last gets ``default_page_size`` rows (MAX_PAGE_SIZE when
    the caller gives none)."""
    page = window(
        label,
        request,
        default_size=max_page_size if default_page_size is None else default_page_size,
        max_size=max_page_size,
    )
    statement, params = connection_statement(label, request, page, selection)
    [row] = await store.read(statement, params)
    return page_of(
        row["rows"],
        window=page,
        sort_name=sort_name(label, request),
        total=row["total"],
        beyond=row["beyond"],
    )


def _where(*conditions: str) -> str:
    """A WHERE clause of the conditions that say something (none: no clause)."""
    kept = [condition for condition in conditions if condition != "true"]
    if not kept:
        return ""
    return " WHERE " + (kept[0] if len(kept) == 1 else " AND ".join(f"({c})" for c in kept))


def _node_selection(selection: Selection) -> Selection:
    edges = selection.get("edges") or Selection()
    return edges.get("node") or Selection()
