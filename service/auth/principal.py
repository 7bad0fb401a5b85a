"""An authenticated caller and what it may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    READ = "evidence:read"
    WRITE = "evidence:write"
    ADMIN = "admin"


_KNOWN = frozenset(s.value for s in Scope)
# Each scope grants the ones listed with it: a writer may read, an admin may do anything.
_IMPLIED = {
    Scope.READ: {Scope.READ},
    Scope.WRITE: {Scope.WRITE, Scope.READ},
    Scope.ADMIN: {Scope.ADMIN, Scope.WRITE, Scope.READ},
}


@dataclass(frozen=True)
class Principal:
    """A client of one agency, with the scopes its credential carries."""

    client_id: str
    agency_id: str | None
    scopes: frozenset[str]
    method: str  # "jwt" or "api-key"

    def allows(self, scope: Scope) -> bool:
        known = (Scope(s) for s in self.scopes if s in _KNOWN)
        return any(scope in _IMPLIED[s] for s in known)


# The header a 401 carries, naming the scheme to use.
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="evidence-graph"'}


class AuthenticationFailed(Exception):
    """Credentials were given but are not valid; the message is safe to show the caller."""
