"""Turns an Authorization header into a Principal (or None when there is none), and the
one authentication dependency every endpoint uses (``caller``, ``reader``, ``writer``)."""

from __future__ import annotations

import time

from fastapi import Request

from service.auth.api_keys import AGENCY_EXISTS, PREFIX, ApiKeys
from service.auth.jwt_tokens import JwtVerifier
from service.auth.principal import CHALLENGE, AuthenticationFailed, Principal, Scope
from service.http_problems import STORE_FAILURES, Problem, store_problem
from service.logging_setup import bind_client
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


async def caller(request: Request) -> Principal | None:
    """Who sends ``request`` (None: no credentials), for every endpoint alike.

    Bad credentials are a 401 problem with the challenge; a store that cannot be asked
    about an API key is the store's 503 (never a 500), as for any other store call.
    """
    authenticator: Authenticator = request.app.state.runtime.authenticator
    try:
        principal = await authenticator.authenticate(request.headers.get("authorization"))
    except AuthenticationFailed as failure:
        raise Problem(401, str(failure), code="UNAUTHENTICATED", headers=CHALLENGE) from None
    except STORE_FAILURES as error:
        raise store_problem(error) from None
    bind_client(principal.client_id if principal else None)
    return principal


async def reader(request: Request) -> Principal | None:
    """The caller of a read: anyone, unless REQUIRE_AUTH_FOR_READS closes reads."""
    principal = await caller(request)
    if request.app.state.settings.require_auth_for_reads:
        _require(principal, Scope.READ)
    return principal


async def writer(request: Request) -> Principal:
    """The caller of a write: authenticated, with the evidence:write scope."""
    return _require(await caller(request), Scope.WRITE)


def _require(principal: Principal | None, scope: Scope) -> Principal:
    if principal is None:
        raise Problem(
            401, "This service requires a bearer token.", code="UNAUTHENTICATED", headers=CHALLENGE
        )
    if not principal.allows(scope):
        raise Problem(403, f"This client lacks the {scope.value} scope.", code="FORBIDDEN")
    return principal
