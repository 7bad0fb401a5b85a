"""Store faults, for real: a fault-injecting TCP proxy between the service and the
embedded store drops, delays and cuts connections; no mocks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.embedded_store import free_port, start_embedded_store
from service.settings import Settings
from tests.conftest import StoreAddress, embedded_settings, settings_for
from tests.fault_proxy import FaultProxy

QUERY = '{ intervention(id: "mash") { name } }'
RESPONSE_JSON = {"accept": "application/graphql-response+json"}


@pytest.fixture
async def proxy(embedded: StoreAddress) -> AsyncIterator[FaultProxy]:
    address = urlsplit(embedded.uri)
    if address.scheme not in ("bolt", "neo4j"):
        pytest.skip("the fault proxy passes plain Bolt only, not TLS")
    fault_proxy = FaultProxy(address.hostname or "127.0.0.1", address.port or 7687)
    await fault_proxy.start()
    yield fault_proxy
    await fault_proxy.stop()


@pytest.fixture
async def proxied(
    embedded: StoreAddress, proxy: FaultProxy, store: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app that reaches the session store (already prepared) through the proxy."""
    settings = settings_for(
        embedded,
        neo4j_uri=f"bolt://127.0.0.1:{proxy.port}",
        load_example_data=False,
        rate_limit_requests=0,
        store_connect_timeout=1.0,
        store_query_timeout=1.0,
        store_retry_time=1.0,
    )
    app: FastAPI = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def _timed_post(client: httpx.AsyncClient, **headers: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
    return response, time.perf_counter() - started


async def test_store_gone_gives_a_fast_503_and_the_first_request_after_it_returns_succeeds(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    assert (await proxied.post("/graphql", json={"query": QUERY})).status_code == 200
    await proxy.down()
    response, elapsed = await _timed_post(proxied, **RESPONSE_JSON)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["STORE_UNAVAILABLE"]
    assert elapsed < 4, f"took {elapsed:.1f} s"
    assert (await proxied.get("/readyz")).status_code == 503

    await proxy.up()
    response, _ = await _timed_post(proxied, **RESPONSE_JSON)
    assert response.status_code == 200
    assert response.json() == {"data": {"intervention": {"name": "Multi-Agency Safeguarding Hub"}}}
    assert (await proxied.get("/readyz")).status_code == 200


async def test_store_gone_is_200_with_null_data_for_application_json(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    """application/json keeps the older rule: a well-formed GraphQL response is 200."""
    await proxy.down()
    response, _ = await _timed_post(proxied, accept="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"intervention": None}
    assert body["errors"][0]["extensions"]["code"] == "STORE_UNAVAILABLE"


async def test_store_that_stops_answering_gives_store_timeout_not_a_hang(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    assert (await proxied.post("/graphql", json={"query": QUERY})).status_code == 200
    proxy.delay = 30.0
    response, elapsed = await _timed_post(proxied, **RESPONSE_JSON)
    assert response.status_code == 503
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["STORE_TIMEOUT"]
    assert elapsed < 3, f"took {elapsed:.1f} s with STORE_QUERY_TIMEOUT=1"

    proxy.delay = 0.0
    response, _ = await _timed_post(proxied, **RESPONSE_JSON)
    assert response.status_code == 200, response.text


async def test_read_cut_mid_response_is_retried_and_answers(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    assert (await proxied.post("/graphql", json={"query": QUERY})).status_code == 200
    proxy.cut_next_response()
    response, _ = await _timed_post(proxied, **RESPONSE_JSON)
    assert proxy.cuts == 1
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"intervention": {"name": "Multi-Agency Safeguarding Hub"}}}


async def test_store_that_cuts_every_response_gives_store_unavailable_quickly(
    proxied: httpx.AsyncClient, proxy: FaultProxy
) -> None:
    """Retries stop within STORE_RETRY_TIME rather than going on for ever."""
    proxy.cut_next_response(times=1000)
    response, elapsed = await _timed_post(proxied, **RESPONSE_JSON)
    assert response.status_code == 503
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["STORE_UNAVAILABLE"]
    assert proxy.cuts >= 2, "the read was retried"
    assert elapsed < 4, f"took {elapsed:.1f} s"


async def _wait_ready(client: httpx.AsyncClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while (await client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, "the service did not become ready"
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_starts_without_its_store_then_prepares_it_and_survives_a_store_restart(
    tmp_path: Path,
) -> None:
    """NEO4J_URI down at start-up: the service starts, is not ready, and answers 503; when
    the store comes up it applies migrations and example data by itself. Later the store
    process is stopped and started again: the first request after that succeeds."""
    port = free_port()
    store_settings = embedded_settings(tmp_path / "data", embedded_bolt_port=port)
    app = create_app(
        Settings(
            neo4j_uri=f"bolt://127.0.0.1:{port}",
            neo4j_user="root",
            neo4j_password=store_settings.embedded_password,
            neo4j_database=store_settings.embedded_database,
            store_connect_timeout=1.0,
            store_retry_time=0.5,
            rate_limit_requests=0,
        )
    )
    started = time.perf_counter()
    async with app.router.lifespan_context(app):
        assert time.perf_counter() - started < 5, "start-up did not wait for the store"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/healthz")).status_code == 200
            readiness = await client.get("/readyz")
            assert readiness.status_code == 503
            assert readiness.json()["status"].startswith("store unavailable")
            response, _ = await _timed_post(client, **RESPONSE_JSON)
            assert response.status_code == 503

            embedded = await start_embedded_store(store_settings)
            try:
                await _wait_ready(client)
                response, _ = await _timed_post(client, **RESPONSE_JSON)
                assert response.json() == {
                    "data": {"intervention": {"name": "Multi-Agency Safeguarding Hub"}}
                }, "example data was loaded once the store answered"
            finally:
                await embedded.stop()

            response, _ = await _timed_post(client, **RESPONSE_JSON)
            assert response.status_code == 503
            embedded = await start_embedded_store(store_settings)
            try:
                response, _ = await _timed_post(client, **RESPONSE_JSON)
                assert response.status_code == 200, response.text
                assert response.json()["data"]["intervention"]["name"] == (
                    "Multi-Agency Safeguarding Hub"
                )
            finally:
                await embedded.stop()
