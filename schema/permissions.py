"""Who may call what: writes need a bearer token with the evidence:write scope.

Refusals set the HTTP status too: 401 (with WWW-Authenticate) when no credentials came,
403 when the client lacks the scope. They are raised before the resolver runs, so a
refused call writes nothing.
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
        response = info.context.response
        if principal is None:
            if response is not None:
                response.status_code = 401
                response.headers["WWW-Authenticate"] = 'Bearer realm="evidence-graph"'
            raise GraphQLError(
                "Authentication required: send 'Authorization: Bearer <token>'",
                extensions={"code": "UNAUTHENTICATED"},
            )
        if not principal.allows(self.scope):
            if response is not None:
                response.status_code = 403
            raise GraphQLError(
                f"This client lacks the {self.scope.value} scope", extensions={"code": "FORBIDDEN"}
            )
        return True


class CanWrite(_NeedsScope):
    scope = Scope.WRITE
