"""The request context every resolver receives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from strawberry.fastapi import BaseContext

from service.auth.principal import Principal
from service.settings import Settings
from service.store import Store
from service.write_headers import BOOKMARK, bookmark_token


@dataclass
class Context(BaseContext):
    # The request's own view of the store (its bookmarks, see Store.for_request).
    store: Store
    settings: Settings
    # The authenticated client, or None for an anonymous caller.
    principal: Principal | None = None
    # The client's Idempotency-Key (None: it sent none).
    sent_key: str | None = None
    _writes: int = 0
    _made_key: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def authenticated(self) -> bool:
        """Authenticated callers get field suggestions in validation errors."""
        return self.principal is not None

    @property
    def request_key(self) -> str:
        """The key the request's writes run under: the client's Idempotency-Key, or one
        made at the first write (a read, most requests, never needs one)."""
        if self.sent_key is not None:
            return self.sent_key
        if self._made_key is None:
            self._made_key = str(uuid.uuid4())
        return self._made_key

    def next_write_ordinal(self) -> int:
        """1 for the request's first write, 2 for the next (mutations run in order)."""
        self._writes += 1
        return self._writes

    async def bookmark(self) -> str | None:
        """The bookmark token to send back after a write, or None when nothing was written."""
        if not self.store.wrote:
            return None
        bookmarks = await self.store.bookmarks()
        return bookmark_token(bookmarks) if bookmarks else None

    async def response_headers(self) -> dict[str, str]:
        token = await self.bookmark()
        return {BOOKMARK: token} if token else {}
