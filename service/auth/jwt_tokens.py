"""Bearer JWTs issued by a partner's identity provider (OAuth 2 client credentials).

Checked against the configured issuer, audience and keys (a JWKS file or a PEM public
key): signature, ``exp`` and ``nbf``, and an allow-list of asymmetric algorithms. ``none``
and every HMAC algorithm are refused outright, which closes the algorithm-confusion hole
(a token signed with HS256 using the public key as the secret).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK, PyJWKSet

from service.auth.principal import AuthenticationFailed, Principal
from service.errors import SetupError

ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@dataclass(frozen=True)
class JwtSettings:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    agency_claim: str
    leeway_seconds: int
    jwks_file: Path | None = None
    public_key_file: Path | None = None


class JwtVerifier:
    """Verifies tokens with keys loaded once at start-up."""

    def __init__(self, settings: JwtSettings) -> None:
        refused = set(settings.algorithms) - ASYMMETRIC_ALGORITHMS
        if refused:
            raise SetupError(
                f"AUTH_JWT_ALGORITHMS may list only asymmetric algorithms; remove {', '.join(sorted(refused))}"
            )
        self._settings = settings
        self.agency_claim = settings.agency_claim
        self._keys_by_id: dict[str, Any] = {}
        self._single_key: Any = None
        if settings.jwks_file:
            try:
                key_set = PyJWKSet.from_dict(json.loads(settings.jwks_file.read_text()))
            except (OSError, ValueError, jwt.PyJWTError) as error:
                raise SetupError(
                    f"cannot read AUTH_JWT_JWKS_FILE {settings.jwks_file}: {error}"
                ) from None
            self._keys_by_id = {key.key_id: key for key in key_set.keys if key.key_id}
            if len(key_set.keys) == 1:
                self._single_key = key_set.keys[0]
        elif settings.public_key_file:
            try:
                self._single_key = settings.public_key_file.read_bytes()
            except OSError as error:
                raise SetupError(
                    f"cannot read AUTH_JWT_PUBLIC_KEY_FILE {settings.public_key_file}: {error}"
                ) from None
        else:
            raise SetupError("set AUTH_JWT_JWKS_FILE or AUTH_JWT_PUBLIC_KEY_FILE to accept JWTs")

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthenticationFailed("the bearer token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm not in self._settings.algorithms:
            raise AuthenticationFailed(f"JWT algorithm {algorithm!r} is not accepted")
        key = self._key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key.key if isinstance(key, PyJWK) else key,
                algorithms=list(self._settings.algorithms),
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("the JWT has expired") from None
        except jwt.ImmatureSignatureError:
            raise AuthenticationFailed("the JWT is not valid yet (nbf)") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationFailed("the JWT is for another audience") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationFailed(
                "the JWT comes from an issuer this service does not trust"
            ) from None
        except jwt.PyJWTError:
            raise AuthenticationFailed("the JWT signature or claims are not valid") from None
        return _principal(claims, self._settings.agency_claim)

    def _key_for(self, key_id: Any) -> Any:
        if isinstance(key_id, str) and key_id in self._keys_by_id:
            return self._keys_by_id[key_id]
        if self._single_key is not None:
            return self._single_key
        raise AuthenticationFailed("the JWT names a signing key this service does not know")


def _principal(claims: dict[str, Any], agency_claim: str) -> Principal:
    client = claims.get("client_id") or claims.get("azp") or claims.get("sub")
    if not isinstance(client, str) or not client:
        raise AuthenticationFailed("the JWT names no client (client_id, azp or sub)")
    scopes = claims.get("scope", claims.get("scp", ""))
    scope_set = frozenset(scopes.split() if isinstance(scopes, str) else scopes or [])
    agency = claims.get(agency_claim)
    return Principal(
        client_id=client,
        agency_id=agency if isinstance(agency, str) else None,
        scopes=scope_set,
        method="jwt",
    )
