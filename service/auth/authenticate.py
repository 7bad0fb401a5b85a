"""Turns an Authorization header into a Principal (or None when there is none)."""

from __future__ import annotations

from service.auth.api_keys import PREFIX, ApiKeys
from service.auth.jwt_tokens import JwtVerifier
from service.auth.principal import AuthenticationFailed, Principal
from service.store import Store


class Authenticator:
    def __init__(
        self, store: Store, jwt_verifier: JwtVerifier | None, *, api_key_cache_seconds: float = 30.0
    ) -> None:
        self._api_keys = ApiKeys(store, cache_seconds=api_key_cache_seconds)
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
            return await self._api_keys.verify(token)
        if self._jwt is None:
            raise AuthenticationFailed(
                "this service accepts API keys only (no JWT issuer is configured)"
            )
        return self._jwt.verify(token)
