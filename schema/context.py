"""The request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass

from strawberry.fastapi import BaseContext

from service.auth.principal import Principal
from service.settings import Settings
from service.store import Store


@dataclass
class Context(BaseContext):
    store: Store
    settings: Settings
    # The authenticated client, or None for an anonymous caller.
    principal: Principal | None = None

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def authenticated(self) -> bool:
        """Authenticated callers get field suggestions in validation errors."""
        return self.principal is not None
