"""Turns an Authorization header into a Principal (or None when there is none)."""

from __future__ import annotations

import time

from service.auth.api_keys import AGENCY_EXISTS, PREFIX, ApiKeys
from service.auth.jwt_tokens import JwtVerifier
from service.auth.principal import AuthenticationFailed, Principal
from service.store import Store


class Authenticator:
    def __init__(
        self, store: Store, jwt_verifier: JwtVerifier | None, *, api_key_cache_seconds: float = 30.0
    ) -> None:
        self._store = store
        self._api_keys = ApiKeys(store, cache_seconds=api_key_cache_seconds)
        self._jwt = jwt_verifier
        # Agencies found in the graph, with when: like API-key records, a JWT's agency is
        # read from the store at most once per cache window, not on every request.
        self._cache_seconds = api_key_cache_seconds
        self._known_agencies: dict[str, float] = {}

    async def authenticate(self, authorization: str | None) -> Principal | None:
        """The caller, None for no credentials, AuthenticationFailed for bad ones."""
        if authorization is None:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthenticationFailed("use 'Authorization: Bearer <token>'")
        if token.startswith(PREFIX):
            return await self._api_keys.verify(token)
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
        seen = self._known_agencies.get(principal.agency_id)
        if seen is not None and time.monotonic() - seen < self._cache_seconds:
            return
        found = await self._store.read(AGENCY_EXISTS, {"agency": principal.agency_id})
        if found[0]["found"]:
            self._known_agencies[principal.agency_id] = time.monotonic()
        else:
            raise AuthenticationFailed(
                f"the token's agency {principal.agency_id!r} is not in the graph; "
                "an administrator adds the agency first"
            )
