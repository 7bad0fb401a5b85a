"""The change log, oldest first, filtered and paginated by a keyset on (at, id)."""

from __future__ import annotations

import datetime as dt
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
_SORT: Final = "Change:AT:ASC"


async def changes(
    store: Store, *, filters: dict[str, Any], first: int, after: str | None, max_page_size: int
) -> dict[str, Any]:
    """A connection of change entries with before/after values decoded from JSON."""
    if not 1 <= first <= max_page_size:
        raise BadQueryInput(f"first must be between 1 and {max_page_size}", argument="first")
    given = {name: value for name, value in filters.items() if value is not None}
    conditions = [_FILTERS[name] for name in sorted(given)]
    params: dict[str, Any] = {**given, "limit": first + 1}
    if after:
        cursor = Cursor.decode(after, sort=_SORT)
        try:
            params["cursorAt"] = dt.datetime.fromisoformat(str(cursor.key))
        except ValueError:
            raise BadQueryInput("after is not a cursor this API issued", argument="after") from None
        params["cursorId"] = cursor.id
        conditions.append("(c.at > $cursorAt OR (c.at = $cursorAt AND c.id > $cursorId))")
    where = " AND ".join(conditions) or "true"
    statement = (
        f"CALL () {{ MATCH (c:Change) WHERE {' AND '.join(_FILTERS[n] for n in sorted(given)) or 'true'} "
        "RETURN count(c) AS total } "
        f"CALL () {{ MATCH (c:Change) WHERE {where} WITH c ORDER BY c.at, c.id LIMIT $limit "
        "RETURN collect({id: c.id, at: c.at, client: c.client, agency: c.agency, operation: c.operation, "
        "entity_type: c.entityType, entity_id: c.entityId, before: c.before, after: c.after, source: c.source}) AS rows } "
        "RETURN total, rows"
    )
    [row] = await store.read(statement, params)
    page = row["rows"][:first]
    edges = [
        {
            "cursor": Cursor(_SORT, item["at"].isoformat(), item["id"]).encode(),
            "node": {**item, "before": _decode(item["before"]), "after": _decode(item["after"])},
        }
        for item in page
    ]
    return {
        "edges": edges,
        "total_count": row["total"],
        "page_info": {
            "has_next_page": len(row["rows"]) > first,
            "has_previous_page": after is not None,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)
