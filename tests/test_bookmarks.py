"""Read your own writes: a write's response carries its bookmark; a request that sends it
back waits for that state; each request has its own bookmarks, never another's."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from service.write_headers import bookmarks_from
from tests.conftest import WriteClient
from tests.fault_proxy import FaultProxy, app_through_proxy

UPSERT = """mutation($input: OutcomeInput!) { upsertOutcome(input: $input) { outcome { id } } }"""
READ = """query($id: ID!) { outcome(id: $id) { name } }"""


@pytest.fixture
async def through_proxy(writes: WriteClient) -> AsyncIterator[tuple[httpx.AsyncClient, FaultProxy]]:
    async with app_through_proxy(writes) as client_and_proxy:
        yield client_and_proxy


async def test_a_write_returns_a_bookmark_that_a_later_read_sends_to_the_store(
    writes: WriteClient, through_proxy: tuple[httpx.AsyncClient, FaultProxy]
) -> None:
    http, proxy = through_proxy
    outcome_id = f"test-bookmark-{uuid.uuid4().hex[:8]}"
    written = await http.post(
        "/graphql",
        json={
            "query": UPSERT,
            "variables": {
                "input": {"id": outcome_id, "name": "Bookmarked", "domain": "OTHER", "source": "x"}
            },
        },
        headers={"authorization": f"Bearer {writes.tokens['writer']}"},
    )
    assert written.status_code == 200, written.text
    token = written.headers["neo4j-bookmark"]
    assert written.json()["extensions"] == {"bookmark": token}
    [bookmark] = bookmarks_from(token)

    proxy.record_sent = True
    unseeded = await http.post("/graphql", json={"query": READ, "variables": {"id": outcome_id}})
    assert unseeded.status_code == 200
    assert bookmark.encode() not in proxy.sent, "a request without it starts from no bookmark"
    assert "neo4j-bookmark" not in unseeded.headers, "a read answers no bookmark"

    proxy.sent.clear()
    seeded = await http.post(
        "/graphql",
        json={"query": READ, "variables": {"id": outcome_id}},
        headers={"neo4j-bookmark": token},
    )
    assert seeded.json() == {"data": {"outcome": {"name": "Bookmarked"}}}
    assert bookmark.encode() in proxy.sent, "the read's transaction waited for the bookmark"


async def test_an_import_returns_a_bookmark(writes: WriteClient) -> None:
    document = {
        "sources": {"s": {"citation": "Bookmark test (2026)"}},
        "nodes": [
            {
                "label": "Outcome",
                "id": f"test-bm-import-{uuid.uuid4().hex[:8]}",
                "source": "s",
                "properties": {"name": "B", "domain": "OTHER"},
            }
        ],
        "relationships": [],
    }
    response = await writes.http.post(
        "/v1/imports", json=document, headers={"authorization": f"Bearer {writes.tokens['writer']}"}
    )
    assert response.status_code == 200, response.text
    assert bookmarks_from(response.headers["neo4j-bookmark"])


async def test_a_bookmark_the_service_did_not_issue_is_refused(writes: WriteClient) -> None:
    response = await writes.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"neo4j-bookmark": "%%%"}
    )
    assert response.status_code == 400
    assert "Neo4j-Bookmark" in response.json()["errors"][0]["message"]
