"""The change log in commit order, filtered and paginated by each entry's position.

Positions (``seq``) are given in commit order (``service/writes/changelog.py``), so a
cursor holding the last position read names exactly the entries still to come: a
consumer that saves its last cursor and asks again sees every change once, in order.
"""

from __future__ import annotations

import json
from typing import Any, Final

from service.plans.cursor import Cursor
from service.plans.errors import BadQueryInput
from service.store import Store

_FILTERS: Final = {
    "since": "c.at >= $since",
    "entity_id": "c.entityId = $entity_id",
    "entity_type": "c.entityType = $entity_type",
    "client": "c.client = $client",
}
_SORT: Final = "Change:POSITION"


async def changes(
    store: Store, *, filters: dict[str, Any], first: int, after: str | None, max_page_size: int
) -> dict[str, Any]:
    """A connection of change entries with before/after values decoded from JSON."""
    if not 1 <= first <= max_page_size:
        raise BadQueryInput(f"first must be between 1 and {max_page_size}", argument="first")
    given = {name: value for name, value in filters.items() if value is not None}
    # Entries are numbered as the last step of their transaction: none without one is committed.
    conditions = ["c.seq IS NOT NULL", *(_FILTERS[name] for name in sorted(given))]
    params: dict[str, Any] = {**given, "limit": first + 1}
    if after:
        cursor = Cursor.decode(after, sort=_SORT)
        if not isinstance(cursor.key, int) or isinstance(cursor.key, bool):
            raise BadQueryInput("after is not a cursor this API issued", argument="after")
        params["afterSeq"] = cursor.key
    page_conditions = [*conditions, "c.seq > $afterSeq"] if after else conditions
    statement = (
        f"CALL () {{ MATCH (c:Change) WHERE {' AND '.join(conditions)} RETURN count(c) AS total }} "
        f"CALL () {{ MATCH (c:Change) WHERE {' AND '.join(page_conditions)} "
        "WITH c ORDER BY c.seq LIMIT $limit "
        "RETURN collect({id: c.id, seq: c.seq, at: c.at, client: c.client, agency: c.agency, "
        "operation: c.operation, entity_type: c.entityType, entity_id: c.entityId, "
        "before: c.before, after: c.after, source: c.source, request_key: c.requestKey}) AS rows } "
        "RETURN total, rows"
    )
    [row] = await store.read(statement, params)
    # collect() keeps the ORDER BY order; sorting again costs nothing and guards against a
    # store that does not.
    rows = sorted(row["rows"], key=lambda item: item["seq"])
    page = rows[:first]
    edges = [
        {
            "cursor": Cursor(_SORT, item["seq"], item["id"]).encode(),
            "node": {
                **item,
                "position": item["seq"],
                "before": _decode(item["before"]),
                "after": _decode(item["after"]),
            },
        }
        for item in page
    ]
    return {
        "edges": edges,
        "total_count": row["total"],
        "page_info": {
            "has_next_page": len(rows) > first,
            "has_previous_page": after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)
