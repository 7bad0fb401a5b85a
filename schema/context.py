"""The request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.fastapi import BaseContext

from service.settings import Settings
from service.store import Store


@dataclass
class Context(BaseContext):
    store: Store
    settings: Settings
    # Who is calling, once authentication exists (issue 3); None is an anonymous caller.
    caller: str | None = None

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def authenticated(self) -> bool:
        """Authenticated callers get field suggestions in validation errors."""
        return self.caller is not None
