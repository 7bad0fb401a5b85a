"""Opaque keyset cursors: the sort they belong to, the row's sort key and its id.

A cursor names a position in the sort order rather than an offset, so pages stay
correct while others write: rows added or removed before it shift no later page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from service.plans.errors import BadQueryInput

SortKey = str | int | float


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: SortKey
    id: str

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.key, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, sort: str, argument: str = "after") -> Cursor:
        try:
            padded = text + "=" * (-len(text) % 4)
            sort_name, key, node_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (ValueError, TypeError, binascii.Error):
            raise BadQueryInput(
                f"{argument} is not a cursor this API issued", argument=argument
            ) from None
        if (
            not isinstance(sort_name, str)
            or not isinstance(node_id, str)
            or not isinstance(key, str | int | float)
            or isinstance(key, bool)
        ):
            raise BadQueryInput(f"{argument} is not a cursor this API issued", argument=argument)
        if sort_name != sort:
            raise BadQueryInput(
                f"{argument} belongs to sort {sort_name}, not {sort}; start again without a cursor",
                argument=argument,
            )
        return cls(sort_name, key, node_id)
