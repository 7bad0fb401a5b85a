"""The HTTP header fields of the write path: a client's idempotency key, and bookmarks.

``Idempotency-Key`` follows the IETF draft "The Idempotency-Key HTTP Header Field"
(draft-ietf-httpapi-idempotency-key-header): a String Structured Field, e.g.
``Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"`` (the quotes may be left out).

``Neo4j-Bookmark`` carries the store's bookmarks after a write, as one opaque token. A
request that sends it back reads at least the state that write left, on any replica.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Final

IDEMPOTENCY_KEY: Final = "Idempotency-Key"
BOOKMARK: Final = "Neo4j-Bookmark"
_KEY: Final = re.compile(r'^"?([\x21\x23-\x7e]{1,255})"?$')


class BadHeader(ValueError):
    """A header field the service cannot use; the message names it."""


def idempotency_key(value: str | None) -> str | None:
    """The client's key, or None when it sent none."""
    if value is None:
        return None
    match = _KEY.match(value.strip())
    if not match:
        raise BadHeader(
            f"{IDEMPOTENCY_KEY} must be a quoted string of 1 to 255 visible ASCII characters"
        )
    return match.group(1)


def bookmarks_from(value: str | None) -> list[str]:
    """The bookmarks a ``Neo4j-Bookmark`` token holds (none when absent)."""
    if value is None or not value.strip():
        return []
    try:
        text = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
        bookmarks = json.loads(text)
    except (ValueError, binascii.Error):
        raise BadHeader(f"{BOOKMARK} is not a bookmark this service issued") from None
    if not isinstance(bookmarks, list) or not all(isinstance(b, str) for b in bookmarks):
        raise BadHeader(f"{BOOKMARK} is not a bookmark this service issued")
    return bookmarks


def bookmark_token(bookmarks: list[str]) -> str:
    raw = json.dumps(sorted(bookmarks), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
