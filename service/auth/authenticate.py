"""Turns an Authorization header into a Principal (or None when there is none)."""

from __future__ import annotations

from service.auth.api_keys import AGENCY_EXISTS, PREFIX, verify_key
from service.auth.jwt_tokens import JwtVerifier
from service.auth.principal import AuthenticationFailed, Principal
from service.store import Store


class Authenticator:
    def __init__(self, store: Store, jwt_verifier: JwtVerifier | None) -> None:
        self._store = store
        self._jwt = jwt_verifier

    async def authenticate(self, authorization: str | None) -> Principal | None:
        """The caller, None for no credentials, AuthenticationFailed for bad ones."""
        if authorization is None:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed("use 'Authorization: Bearer <token>'")
        if token.startswith(PREFIX):
            return await verify_key(self._store, token)
        if self._jwt is None:
            raise AuthenticationFailed(
                "this service accepts API keys only (no JWT issuer is configured)"
            )
        principal = self._jwt.verify(token)
        await self._check_agency(principal)
        return principal

    async def _check_agency(self, principal: Principal) -> None:
        """A JWT's client belongs to an agency of the graph, as every API key's does."""
        if principal.agency_id is None:
            claim = self._jwt.agency_claim if self._jwt else "agency_id"
            raise AuthenticationFailed(f"the token names no agency (claim {claim!r})")
        found = await self._store.read(AGENCY_EXISTS, {"agency": principal.agency_id})
        if not found[0]["found"]:
            raise AuthenticationFailed(
                f"the token's agency {principal.agency_id!r} is not in the graph; "
                "an administrator adds the agency first"
            )
