"""Authentication and scopes: every failure is 401 or 403 and writes nothing."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from service.app import create_app
from service.auth.api_keys import issue_key, revoke_key
from tests.conftest import WriteClient, settings_for

ISSUER = "https://idp.partner.example"
AUDIENCE = "evidence-graph"
CREATE = """mutation { upsertAgency(input: {id: "test-auth-agency", name: "Auth probe", sector: OTHER,
            source: "https://example.org"}) { agency { id recordedBy } errors { code } } }"""
EVIDENCE = (
    "MATCH (n) WHERE NOT n:Change AND NOT n:ApiClient AND NOT n:Migration"
    " AND NOT n:WriteRequest AND NOT n:ChangeSequence RETURN count(n) AS n"
)


async def _refused(
    writes: WriteClient, status: int, headers: dict[str, str] | None = None
) -> httpx.Response:
    before = (
        await writes.count(EVIDENCE),
        await writes.count("MATCH (c:Change) RETURN count(c) AS n"),
    )
    response = await writes.http.post("/graphql", json={"query": CREATE}, headers=headers or {})
    assert response.status_code == status, response.text
    after = (
        await writes.count(EVIDENCE),
        await writes.count("MATCH (c:Change) RETURN count(c) AS n"),
    )
    assert after == before, "nothing written"
    return response


async def test_a_mutation_without_a_token_is_401(writes: WriteClient) -> None:
    response = await _refused(writes, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not-a-jwt",
        "Bearer egk_nosuchkey_secret",
        "Bearer egk_",
        "token abc",
    ],
)
async def test_malformed_or_unknown_credentials_are_401(writes: WriteClient, header: str) -> None:
    response = await _refused(writes, 401, {"authorization": header})
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_key_with_a_wrong_secret_is_401(writes: WriteClient) -> None:
    key_id = writes.tokens["writer"].split("_")[1]
    await _refused(writes, 401, {"authorization": f"Bearer egk_{key_id}_wrongsecret"})


async def test_a_revoked_key_is_401(writes: WriteClient) -> None:
    issued = await issue_key(
        writes.store, name="short-lived", agency_id="agency-lga", scopes=["evidence:write"]
    )
    await revoke_key(writes.store, key_id=issued.key_id)
    response = await _refused(writes, 401, {"authorization": f"Bearer {issued.token}"})
    assert "revoked" in _message(response)


async def test_a_read_only_key_cannot_write(writes: WriteClient) -> None:
    response = await _refused(writes, 403, {"authorization": f"Bearer {writes.tokens['reader']}"})
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_reads_are_open_and_keys_are_stored_only_as_hashes(writes: WriteClient) -> None:
    assert (await writes('{ intervention(id: "mash") { id } }', token=None))["intervention"] == {
        "id": "mash"
    }
    stored = await writes.store.read("MATCH (k:ApiClient) RETURN properties(k) AS p")
    secrets = [token.split("_", 2)[2] for token in writes.tokens.values()]
    dumped = json.dumps([row["p"] for row in stored], default=str)
    assert stored and not any(secret in dumped for secret in secrets)


async def test_an_admin_key_may_write(writes: WriteClient) -> None:
    data = await writes(CREATE, token="admin")
    assert data["upsertAgency"]["agency"] == {"id": "test-auth-agency", "recordedBy": "eif-admin"}


async def test_issuing_a_key_needs_an_agency_of_the_graph(writes: WriteClient) -> None:
    from service.auth.api_keys import ApiKeyRequestError

    with pytest.raises(ApiKeyRequestError, match="no agency has id 'agency-ghost'"):
        await issue_key(
            writes.store, name="ghost", agency_id="agency-ghost", scopes=["evidence:write"]
        )
    with pytest.raises(ApiKeyRequestError, match="scopes must be among"):
        await issue_key(writes.store, name="odd", agency_id="agency-lga", scopes=["root"])


# JWTs from a partner's identity provider -------------------------------------------------


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def public_pem(signing_key: rsa.RSAPrivateKey) -> bytes:
    return signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
async def jwt_client(
    writes: WriteClient, public_pem: bytes, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the write store that also accepts the partner's JWTs."""
    key_file = tmp_path_factory.mktemp("keys") / "partner.pem"
    key_file.write_bytes(public_pem)
    settings = settings_for(
        writes.embedded,
        load_example_data=False,
        auth_jwt_issuer=ISSUER,
        auth_jwt_audience=AUDIENCE,
        auth_jwt_public_key_file=key_file,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def _token(key: Any, *, algorithm: str = "RS256", kid: str | None = None, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "client_id": "partner-etl",
        "agency_id": "agency-lga",
        "scope": "evidence:read evidence:write",
        "iat": now,
        "exp": now + 300,
        **overrides,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": kid} if kid else None)


async def _post(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": CREATE}, headers={"authorization": f"Bearer {token}"}
    )


async def test_a_valid_jwt_may_write_as_its_client(
    jwt_client: httpx.AsyncClient, signing_key: Any
) -> None:
    response = await _post(jwt_client, _token(signing_key))
    assert response.status_code == 200, response.text
    agency = response.json()["data"]["upsertAgency"]["agency"]
    assert agency == {"id": "test-auth-agency", "recordedBy": agency["recordedBy"]}
    assert agency["recordedBy"] in {"partner-etl", "eif-admin"}, (
        "written now, or already by the admin test"
    )


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": int(time.time()) - 3600}, "expired"),
        ({"nbf": int(time.time()) + 3600}, "not valid yet"),
        ({"aud": "someone-else"}, "another audience"),
        ({"iss": "https://evil.example"}, "does not trust"),
        ({"exp": None}, "not valid"),
    ],
)
async def test_bad_jwt_claims_are_401(
    writes: WriteClient,
    jwt_client: httpx.AsyncClient,
    signing_key: Any,
    claims: dict[str, Any],
    reason: str,
) -> None:
    before = await writes.count("MATCH (c:Change) RETURN count(c) AS n")
    response = await _post(jwt_client, _token(signing_key, **claims))
    assert response.status_code == 401
    assert reason in _message(response)
    assert await writes.count("MATCH (c:Change) RETURN count(c) AS n") == before


@pytest.mark.parametrize(
    ("agency", "reason"),
    [
        ("agency-ghost", "the token's agency 'agency-ghost' is not in the graph"),
        (None, "the token names no agency (claim 'agency_id')"),
    ],
)
async def test_a_jwt_of_an_agency_not_in_the_graph_is_401_as_a_key_would_be(
    writes: WriteClient,
    jwt_client: httpx.AsyncClient,
    signing_key: Any,
    agency: str | None,
    reason: str,
) -> None:
    before = await writes.count("MATCH (c:Change) RETURN count(c) AS n")
    response = await _post(jwt_client, _token(signing_key, agency_id=agency))
    assert response.status_code == 401
    assert reason in _message(response)
    assert await writes.count("MATCH (c:Change) RETURN count(c) AS n") == before


async def test_alg_none_is_refused(jwt_client: httpx.AsyncClient) -> None:
    unsigned = _token(None, algorithm="none")
    response = await _post(jwt_client, unsigned)
    assert response.status_code == 401
    assert "'none' is not accepted" in _message(response)


async def test_algorithm_confusion_is_refused(
    jwt_client: httpx.AsyncClient, public_pem: bytes
) -> None:
    """A token signed with HS256 using the public key as the shared secret."""
    import base64
    import hashlib
    import hmac

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(
        json.dumps(
            {
                "iss": ISSUER,
                "aud": AUDIENCE,
                "client_id": "forger",
                "scope": "admin",
                "exp": int(time.time()) + 300,
            }
        ).encode()
    )
    signature = b64(hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    response = await _post(jwt_client, f"{header}.{payload}.{signature}")
    assert response.status_code == 401
    assert "'HS256' is not accepted" in _message(response)


async def test_a_jwt_signed_by_another_key_is_refused(jwt_client: httpx.AsyncClient) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = await _post(jwt_client, _token(other))
    assert response.status_code == 401


async def test_a_jwt_without_the_write_scope_is_403(
    jwt_client: httpx.AsyncClient, signing_key: Any
) -> None:
    response = await _post(jwt_client, _token(signing_key, scope="evidence:read"))
    assert response.status_code == 403


async def test_reads_can_be_closed(writes: WriteClient) -> None:
    app = create_app(
        settings_for(writes.embedded, load_example_data=False, require_auth_for_reads=True)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            query = {"query": '{ intervention(id: "mash") { id } }'}
            assert (await client.post("/graphql", json=query)).status_code == 401
            reader = {"authorization": f"Bearer {writes.tokens['reader']}"}
            response = await client.post("/graphql", json=query, headers=reader)
            assert response.json() == {"data": {"intervention": {"id": "mash"}}}
            export = "/v1/exports/cytoscape?ids=Intervention:mash&depth=1"
            assert (await client.get(export)).status_code == 401
            assert (await client.get(export, headers=reader)).status_code == 200


async def test_jwks_keys_are_chosen_by_kid(
    writes: WriteClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first, second = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)
    )
    keys = []
    for kid, key in (("k1", first), ("k2", second)):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    jwks = tmp_path_factory.mktemp("jwks") / "jwks.json"
    jwks.write_text(json.dumps({"keys": keys}))
    settings = settings_for(
        writes.embedded,
        load_example_data=False,
        auth_jwt_issuer=ISSUER,
        auth_jwt_audience=AUDIENCE,
        auth_jwt_jwks_file=jwks,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await _post(client, _token(second, kid="k2"))).status_code == 200
            assert (await _post(client, _token(second, kid="k1"))).status_code == 401
            unknown_kid = _token(second, kid="k9")
            response = await _post(client, unknown_kid)
            assert response.status_code == 401 and "signing key" in _message(response)


def _message(response: httpx.Response) -> str:
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    message: str = error["message"]
    return message
