"""The change log: one (:Change) node per write, with the values before and after.

Changes are only ever created, never updated or deleted, so corrections keep their
history. Values are stored as JSON text because Neo4j properties cannot hold maps.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from typing import Any, Final

from service.writes.outcome import Writer


class Operation(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    LINK = "LINK"
    UPDATE_LINK = "UPDATE_LINK"
    UNLINK = "UNLINK"


# A Cypher fragment appended to a write statement; its parameters come from change_params.
RECORD_CHANGE: Final = """
CREATE (:Change {id: randomUUID(), at: datetime(), client: $changeClient, agency: $changeAgency,
  operation: $changeOperation, entityType: $changeEntityType, entityId: $changeEntityId,
  before: $changeBefore, after: $changeAfter, source: $changeSource})
"""


def change_params(
    *,
    writer: Writer,
    operation: Operation,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    source: str | None,
) -> dict[str, Any]:
    return {
        "changeClient": writer.client,
        "changeAgency": writer.agency,
        "changeOperation": operation.value,
        "changeEntityType": entity_type,
        "changeEntityId": entity_id,
        "changeBefore": to_json(before),
        "changeAfter": to_json(after),
        "changeSource": source,
    }


def to_json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(
        {k: _plain(v) for k, v in sorted(values.items())}, ensure_ascii=False, sort_keys=True
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def link_entity_id(from_id: str, to_id: str) -> str:
    return f"{from_id}->{to_id}"
