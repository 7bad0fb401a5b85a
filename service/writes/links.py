"""Create-or-update and removal of relationships between existing nodes.

A relationship is keyed on (type, from, to): there is at most one of each type between
two nodes. Merging a relationship is not protected by any constraint, so the start node
is locked first (see ``lock_token``); without that, concurrent identical links can both
create one, or both believe they created it.
"""

from __future__ import annotations

from typing import Any, Final

from service.store import Transaction
from service.writes.changelog import (
    RECORD_CHANGE,
    Operation,
    change_params,
    link_entity_id,
    logged,
)
from service.writes.locks import lock_token
from service.writes.merge_links import LinkWrite, write_links
from service.writes.outcome import Writer

_LOCK_EXISTING: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
SET a._lock = $lockToken
RETURN properties(r) AS before
"""
_UNLINK: Final = """
MATCH (a:{from_label} {{id: $from}})-[r:{type}]->(b:{to_label} {{id: $to}})
DELETE r
REMOVE a._lock
{record}
"""
_PLAIN_LINK: Final = (
    "{type: type(r), from_id: a.id, to_id: b.id, source: r.source, recorded_by: r.recordedBy}"
)


async def link(
    tx: Transaction,
    *,
    rel_type: str,
    from_label: str,
    from_id: str,
    to_label: str,
    to_id: str,
    values: dict[str, Any],
    source: Any,
    writer: Writer,
    projection: str = _PLAIN_LINK,
    from_field: str = "fromId",
    to_field: str = "toId",
) -> dict[str, Any]:
    """Create or update the relationship; return ``projection`` over a, r, b.

    ``from_field`` and ``to_field`` name the caller's input fields, for error reports.
    """
    [written] = await write_links(
        tx,
        [
            LinkWrite(
                rel_type,
                from_label,
                from_id,
                to_label,
                to_id,
                values,
                source,
                from_field=from_field,
                to_field=to_field,
            )
        ],
        writer,
        projection=projection,
    )
    return dict(written.shape or {})


async def unlink(
    tx: Transaction,
    *,
    rel_type: str,
    from_label: str,
    from_id: str,
    to_label: str,
    to_id: str,
    writer: Writer,
) -> bool:
    """Remove the relationship; False when there was none (so a resend is harmless)."""
    labels = {"from_label": from_label, "to_label": to_label, "type": rel_type}
    ends = {"from": from_id, "to": to_id}
    rows = await tx.run(_LOCK_EXISTING.format(**labels), {**ends, "lockToken": lock_token()})
    if not rows:
        return False
    params = change_params(
        tx,
        writer=writer,
        operation=Operation.UNLINK,
        entity_type=rel_type,
        entity_id=link_entity_id(from_id, to_id),
        before=logged(rows[0]["before"]),
        after=None,
        source=None,
    )
    await tx.run(_UNLINK.format(**labels, record=RECORD_CHANGE), {**ends, **params})
    return True
