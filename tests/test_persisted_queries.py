"""Documents are prepared once; clients may send a hash instead (APQ); an allow-list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from schema.documents import DocumentCache, PreparedDocument
from schema.limits import Limits
from service.app import create_app
from service.errors import SetupError
from service.persisted_queries import document_hash, read_allow_list
from service.settings import Settings
from service.store import Store
from tests.conftest import GraphQL, StoreAddress, settings_for

QUERY = 'query Mash { intervention(id: "mash") { id name } }'
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _apq(query: str | None = None, digest: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "extensions": {
            "persistedQuery": {"version": 1, "sha256Hash": digest or document_hash(query or "")}
        }
    }
    if query is not None:
        body["query"] = query
    return body


async def test_a_repeated_document_is_validated_once(app: FastAPI, gql: GraphQL) -> None:
    documents: DocumentCache = app.state.graphql_schema.documents
    query = '{ intervention(id: "mash") { id kind } }'
    await gql(query)
    size, misses = len(documents), documents.misses
    entry = documents.peek(Limits.of(app.state.settings), query)
    for _ in range(3):
        assert await gql(query) == {"intervention": {"id": "mash", "kind": "SYSTEM_ARRANGEMENT"}}
    # Only a miss parses and validates; the entry is the one prepared the first time.
    assert (len(documents), documents.misses) == (size, misses)
    assert documents.peek(Limits.of(app.state.settings), query) is entry is not None


async def test_variables_and_cost_are_checked_on_every_request(gql: GraphQL) -> None:
    query = """query ($n: Int, $k: [InterventionKind!]) {
      interventions(first: $n, filter: {kindIn: $k}) { edges { node {
        participants { agency { participations { intervention {
          studies { findings { outcomes { name } } }
        } } } } } } } }"""
    refused = await gql.raw(query, n=100)
    assert refused["errors"][0]["extensions"]["limit"] == "MAX_QUERY_COST"
    bad_variable = await gql.raw(query, n=1, k=["NOT_A_KIND"])
    assert "NOT_A_KIND" in bad_variable["errors"][0]["message"]
    answered = await gql(query, n=1)
    assert len(answered["interventions"]["edges"]) == 1


def test_the_document_cache_keeps_the_most_recently_used() -> None:
    cache = DocumentCache(size=2)
    limits = Limits.of(Settings(load_example_data=False))
    entries = {name: PreparedDocument(document=None, errors=(), limits=limits) for name in "abc"}  # type: ignore[arg-type]
    cache.put("a", entries["a"])
    cache.put("b", entries["b"])
    assert cache.get(limits, "a") is entries["a"]
    cache.put("c", entries["c"])
    assert cache.get(limits, "b") is None, "the least recently used went"
    assert cache.get(limits, "a") is entries["a"]
    assert cache.get(limits, "c") is entries["c"]
    assert len(cache) == 2


async def test_an_unknown_hash_asks_for_the_document(client: httpx.AsyncClient) -> None:
    unknown = _apq(digest="0" * 64)
    response = await client.post("/graphql", json=unknown)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    strict = await client.post("/graphql", json=unknown, headers={"accept": GRAPHQL_RESPONSE})
    assert strict.status_code == 400
    assert strict.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_registered_hash_runs_by_post_and_by_get(client: httpx.AsyncClient) -> None:
    query = 'query Persisted { intervention(id: "mash") { name } }'
    expected = {"data": {"intervention": {"name": "Multi-Agency Safeguarding Hub"}}}
    registered = await client.post("/graphql", json=_apq(query))
    assert registered.json() == expected
    by_post = await client.post("/graphql", json=_apq(digest=document_hash(query)))
    assert by_post.json() == expected
    extensions = json.dumps(_apq(digest=document_hash(query))["extensions"])
    by_get = await client.get("/graphql", params={"extensions": extensions})
    assert by_get.status_code == 200
    assert by_get.json() == expected


async def test_a_hash_that_does_not_match_the_document_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json=_apq(QUERY, digest="a" * 64))
    assert response.status_code == 400
    assert "sha256Hash" in response.json()["errors"][0]["message"]


def _manifest(path: Path, *bodies: str) -> Path:
    operations = [
        {"id": document_hash(body), "name": "op", "type": "query", "body": body} for body in bodies
    ]
    path.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}
        )
    )
    return path


@pytest.fixture
async def allow_listed(
    embedded: StoreAddress, store: Store, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """An app that runs only QUERY."""
    manifest = _manifest(tmp_path / "operations.json", QUERY)
    app = create_app(
        settings_for(embedded, load_example_data=False, allowed_operations_file=manifest)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_the_allow_list_runs_only_its_operations(allow_listed: httpx.AsyncClient) -> None:
    expected = {"data": {"intervention": {"id": "mash", "name": "Multi-Agency Safeguarding Hub"}}}
    by_text = await allow_listed.post("/graphql", json={"query": QUERY})
    assert by_text.json() == expected
    by_hash = await allow_listed.post("/graphql", json=_apq(digest=document_hash(QUERY)))
    assert by_hash.json() == expected
    other = '{ intervention(id: "mash") { id } }'
    for body in ({"query": other}, _apq(other), _apq(digest=document_hash(other))):
        refused = await allow_listed.post("/graphql", json=body)
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


def test_an_allow_list_whose_ids_are_not_hashes_of_its_bodies_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "operations.json"
    path.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "abc", "body": QUERY}],
            }
        )
    )
    with pytest.raises(SetupError, match="SHA-256"):
        read_allow_list(path)
    assert read_allow_list(_manifest(path, QUERY)) == {document_hash(QUERY): QUERY}
