"""Writes whose COMMIT reply is lost: run once, logged once, answered with what they did.

The fault-injecting proxy passes a COMMIT to the store and drops the connection before
the store's reply gets back, so the driver cannot know whether the write took effect.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.store import CommitOutcomeUnknown, Transaction
from tests.conftest import WriteClient, settings_for
from tests.fault_proxy import FaultProxy

SOURCE = "https://example.org/evidence/retries"
UPSERT = """mutation($input: InterventionInput!) {
  upsertIntervention(input: $input) { intervention { id name createdAt } errors { code message } } }"""
LINK = """mutation($agency: ID!, $intervention: ID!) {
  linkDelivery(input: {agencyId: $agency, interventionId: $intervention, status: ACTIVE, source: "x"}) {
    delivery { status agency { id } intervention { id } } errors { code } } }"""
DELETE = (
    """mutation($id: ID!) { delete(kind: INTERVENTION, id: $id) { deleted errors { code } } }"""
)


class Proxied:
    """The write client's store, reached through the fault proxy by an app of its own."""

    def __init__(self, http: httpx.AsyncClient, proxy: FaultProxy, writes: WriteClient) -> None:
        self.http = http
        self.proxy = proxy
        self.writes = writes

    async def post(self, query: str, key: str | None = None, **variables: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.writes.tokens['writer']}"}
        if key is not None:
            headers["idempotency-key"] = f'"{key}"'
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def entries(self, entity_id: str) -> list[str]:
        rows = await self.writes.store.read(
            "MATCH (c:Change {entityId: $id}) RETURN c.operation AS op ORDER BY c.seq",
            {"id": entity_id},
        )
        return [row["op"] for row in rows]


@pytest.fixture
async def proxied(writes: WriteClient) -> AsyncIterator[Proxied]:
    address = urlsplit(writes.embedded.uri)
    if address.scheme not in ("bolt", "neo4j"):
        pytest.skip("the fault proxy passes plain Bolt only, not TLS")
    proxy = FaultProxy(address.hostname or "127.0.0.1", address.port or 7687)
    await proxy.start()
    settings = settings_for(
        writes.embedded,
        neo4j_uri=f"bolt://127.0.0.1:{proxy.port}",
        load_example_data=False,
        store_retry_time=3.0,
    )
    app: FastAPI = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield Proxied(http, proxy, writes)
    finally:
        await proxy.stop()


def _fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_a_mutation_whose_commit_reply_is_lost_takes_effect_once_and_answers_it(
    proxied: Proxied,
) -> None:
    node_id = _fresh("test-cut-upsert")
    payload = {"id": node_id, "name": "Cut commit", "kind": "SERVICE", "source": SOURCE}
    proxied.proxy.cut_reply_to_commit()
    response = await proxied.post(UPSERT, input=payload)
    assert proxied.proxy.commit_cuts == 1, "the proxy cut the reply to a COMMIT"
    body = response.json()
    assert response.status_code == 200, body
    answer = body["data"]["upsertIntervention"]
    assert answer["errors"] == []
    assert answer["intervention"]["id"] == node_id
    count = "MATCH (n:Intervention {id: $id}) RETURN count(n) AS n"
    assert await proxied.writes.count(count, id=node_id) == 1
    assert await proxied.entries(node_id) == ["CREATE"]


async def test_a_link_whose_commit_reply_is_lost_is_logged_once(proxied: Proxied) -> None:
    intervention = _fresh("test-cut-link")
    await proxied.post(
        UPSERT, input={"id": intervention, "name": "L", "kind": "SERVICE", "source": SOURCE}
    )
    proxied.proxy.cut_reply_to_commit()
    response = await proxied.post(
        LINK, key=_fresh("link"), agency="agency-norfolk", intervention=intervention
    )
    assert proxied.proxy.commit_cuts == 1
    answer = response.json()["data"]["linkDelivery"]
    assert answer == {
        "delivery": {
            "status": "ACTIVE",
            "agency": {"id": "agency-norfolk"},
            "intervention": {"id": intervention},
        },
        "errors": [],
    }
    assert await proxied.entries(f"agency-norfolk->{intervention}") == ["LINK"]


async def test_a_delete_whose_commit_reply_is_lost_reports_the_deletion(proxied: Proxied) -> None:
    node_id = _fresh("test-cut-delete")
    await proxied.post(
        UPSERT, input={"id": node_id, "name": "D", "kind": "SERVICE", "source": SOURCE}
    )
    proxied.proxy.cut_reply_to_commit()
    response = await proxied.post(DELETE, id=node_id)
    assert proxied.proxy.commit_cuts == 1
    assert "data" in response.json(), response.json()
    assert response.json()["data"]["delete"] == {"deleted": True, "errors": []}, (
        "a blind re-run would find nothing to delete and answer false"
    )
    assert await proxied.entries(node_id) == ["CREATE", "DELETE"]


async def test_an_import_whose_commit_reply_is_lost_reports_what_it_created(
    proxied: Proxied,
) -> None:
    prefix = _fresh("test-cut-import")
    document = {
        "sources": {"s": {"citation": "Retry test register (2026)"}},
        "nodes": [
            {
                "label": "Outcome",
                "id": f"{prefix}-{n}",
                "source": "s",
                "properties": {"name": f"Outcome {n}", "domain": "OTHER"},
            }
            for n in range(20)
        ],
        "relationships": [
            {"type": "PART_OF", "from": f"{prefix}-{n}", "to": f"{prefix}-0", "source": "s"}
            for n in range(1, 20)
        ],
    }
    key = _fresh("import")
    headers = {
        "authorization": f"Bearer {proxied.writes.tokens['writer']}",
        "idempotency-key": key,
    }
    proxied.proxy.cut_reply_to_commit()
    response = await proxied.http.post("/v1/imports", json=document, headers=headers)
    assert proxied.proxy.commit_cuts == 1
    report = response.json()
    assert response.status_code == 200, report
    assert report["nodes"] == {"created": 20, "updated": 0, "unchanged": 0}
    assert report["relationships"] == {"created": 19, "updated": 0, "unchanged": 0}
    entries = await proxied.writes.count(
        "MATCH (c:Change) WHERE c.entityId STARTS WITH $p RETURN count(c) AS n", p=prefix
    )
    assert entries == 39

    resent = await proxied.http.post("/v1/imports", json=document, headers=headers)
    assert resent.status_code == 200
    assert resent.json()["nodes"]["created"] == 20, "a resend with the key gets the first answer"
    other = await proxied.http.post(
        "/v1/imports",
        json={**document, "nodes": document["nodes"][:1], "relationships": []},
        headers=headers,
    )
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_a_resend_with_the_same_key_gets_the_first_answer_and_writes_nothing(
    proxied: Proxied,
) -> None:
    node_id, key = _fresh("test-resend"), _fresh("resend")
    payload = {"id": node_id, "name": "Resent", "kind": "SERVICE", "source": SOURCE}
    first = (await proxied.post(UPSERT, key=key, input=payload)).json()
    again = (await proxied.post(UPSERT, key=key, input=payload)).json()
    assert first["data"] == again["data"]
    assert await proxied.entries(node_id) == ["CREATE"]
    deleted = (await proxied.post(DELETE, key=_fresh("del"), id=node_id)).json()
    assert deleted["data"]["delete"]["deleted"] is True
    replayed = (await proxied.post(UPSERT, key=key, input=payload)).json()
    assert replayed["data"] == first["data"], (
        "the key's answer is replayed even though the node is gone"
    )
    assert await proxied.entries(node_id) == ["CREATE", "DELETE"]


async def test_the_same_key_for_a_different_request_is_refused_with_422(
    proxied: Proxied,
) -> None:
    key = _fresh("reuse")
    payload = {"id": _fresh("test-reuse"), "name": "One", "kind": "SERVICE", "source": SOURCE}
    assert (await proxied.post(UPSERT, key=key, input=payload)).status_code == 200
    refused = await proxied.post(UPSERT, key=key, input={**payload, "name": "Another"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"


async def test_work_without_a_key_is_not_run_again_after_a_lost_commit_reply(
    proxied: Proxied, writes: WriteClient
) -> None:
    """The store itself: a write that cannot recognise its own result is never re-run."""
    app_store = proxied.http._transport.app.state.runtime.store  # type: ignore[attr-defined]
    marker = _fresh("test-unkeyed")

    async def work(tx: Transaction) -> None:
        await tx.run("CREATE (:Outcome {id: $id, name: 'x', domain: 'OTHER'})", {"id": marker})

    proxied.proxy.cut_reply_to_commit()
    with pytest.raises(CommitOutcomeUnknown):
        await app_store.write(work)
    assert proxied.proxy.commit_cuts == 1
    count = "MATCH (n:Outcome {id: $id}) RETURN count(n) AS n"
    assert await writes.count(count, id=marker) == 1, "committed once, not run again"
