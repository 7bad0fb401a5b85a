"""API keys for simple set-ups: issued and revoked from the command line.

A key reads ``egk_<key id>_<secret>``. Only a SHA-256 hash of the secret is stored
(the secret is 32 random bytes, so a slow password hash adds nothing), in an
``(:ApiClient)`` node outside the evidence model. The key is shown once, at issue, and
never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Final

from service.auth.principal import AuthenticationFailed, Principal, Scope
from service.store import Store
from service.validation import check_id

PREFIX: Final = "egk_"

_FIND: Final = """
MATCH (k:ApiClient {id: $id})
RETURN k.hash AS hash, k.name AS name, k.agencyId AS agencyId, k.scopes AS scopes, k.revokedAt IS NOT NULL AS revoked
"""
AGENCY_EXISTS: Final = "RETURN EXISTS { MATCH (:Agency {id: $agency}) } AS found"
_CREATE: Final = """
CREATE (k:ApiClient {id: $id, name: $name, agencyId: $agency, scopes: $scopes, hash: $hash, createdAt: datetime()})
"""
_REVOKE: Final = """
MATCH (k:ApiClient {id: $id})
SET k.revokedAt = coalesce(k.revokedAt, datetime())
RETURN k.id AS id
"""
_LIST: Final = """
MATCH (k:ApiClient)
RETURN k.id AS id, k.name AS name, k.agencyId AS agencyId, k.scopes AS scopes,
       k.createdAt AS createdAt, k.revokedAt AS revokedAt
ORDER BY createdAt
"""


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    token: str


class ApiKeyRequestError(ValueError):
    """An issue or revoke request that cannot be carried out; the message says why."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def issue_key(store: Store, *, name: str, agency_id: str, scopes: list[str]) -> IssuedKey:
    """Create a key for a client of ``agency_id``; the token is returned only here."""
    if check_id("agency", agency_id):
        raise ApiKeyRequestError(f"agency id {agency_id!r} is not a valid id")
    unknown = set(scopes) - {s.value for s in Scope}
    if unknown or not scopes:
        raise ApiKeyRequestError(f"scopes must be among {', '.join(s.value for s in Scope)}")
    if not name.strip():
        raise ApiKeyRequestError("the client needs a name")
    if not (await store.read(AGENCY_EXISTS, {"agency": agency_id}))[0]["found"]:
        raise ApiKeyRequestError(
            f"no agency has id {agency_id!r}; every client belongs to an agency in the graph"
        )
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    await store.write_one(
        _CREATE,
        {
            "id": key_id,
            "name": name.strip(),
            "agency": agency_id,
            "scopes": sorted(set(scopes)),
            "hash": _hash(secret),
        },
    )
    return IssuedKey(key_id=key_id, token=f"{PREFIX}{key_id}_{secret}")


async def revoke_key(store: Store, *, key_id: str) -> None:
    if not await store.write_one(_REVOKE, {"id": key_id}):
        raise ApiKeyRequestError(f"no key has id {key_id!r}")


async def list_keys(store: Store) -> list[dict[str, Any]]:
    return await store.read(_LIST)


async def verify_key(store: Store, token: str) -> Principal:
    """The key's client, or AuthenticationFailed for a malformed, unknown or revoked key."""
    body = token[len(PREFIX) :]
    key_id, _, secret = body.partition("_")
    if not key_id or not secret:
        raise AuthenticationFailed("the API key is malformed")
    rows = await store.read(_FIND, {"id": key_id})
    # Compare even when the key is unknown, so timing does not tell which ids exist.
    stored = rows[0]["hash"] if rows else "0" * 64
    if not hmac.compare_digest(stored, _hash(secret)) or not rows:
        raise AuthenticationFailed("the API key is not valid")
    if rows[0]["revoked"]:
        raise AuthenticationFailed("the API key has been revoked")
    return Principal(
        client_id=rows[0]["name"],
        agency_id=rows[0]["agencyId"],
        scopes=frozenset(rows[0]["scopes"] or []),
        method="api-key",
    )
