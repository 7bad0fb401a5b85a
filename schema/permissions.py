"""Who may call what: writes need a bearer token with the evidence:write scope.

Refusals carry the codes UNAUTHENTICATED (no credentials) and FORBIDDEN (no scope),
which the HTTP layer answers as 401 (with WWW-Authenticate) and 403. They are raised
before the resolver runs, so a refused call writes nothing.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission
from strawberry.types import Info

from service.auth.principal import Scope


class _NeedsScope(BasePermission):
    scope: Scope

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        if principal is None:
            raise GraphQLError(
                "Authentication required: send 'Authorization: Bearer <token>'",
                extensions={"code": "UNAUTHENTICATED"},
            )
        if not principal.allows(self.scope):
            raise GraphQLError(
                f"This client lacks the {self.scope.value} scope", extensions={"code": "FORBIDDEN"}
            )
        return True


class CanWrite(_NeedsScope):
    scope = Scope.WRITE
