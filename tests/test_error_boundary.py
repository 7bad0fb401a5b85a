"""One error boundary: store faults on every endpoint (API-key callers included) are 503
with Retry-After, plain HTTP errors are RFC 9457 problems, every response and log line
carries the request id, credentials never reach a log line, and an export that fails
midway is cut off rather than sent as a complete file. Faults come from the fault proxy
between the service and the store (no mocks), or, for the mid-stream failure, from a
patched graph source."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from service.embedded_store import free_port
from service.exports.source import WholeGraph
from service.http_problems import PROBLEM_JSON
from service.logging_setup import JsonFormatter
from service.store import StoreUnavailable
from tests.conftest import WriteClient
from tests.fault_proxy import FaultProxy, app_through_proxy

QUERY = '{ intervention(id: "mash") { name } }'
MUTATION = (
    'mutation { delete(kind: INTERVENTION, id: "boundary-nothing") { deleted errors { code } } }'
)
RESPONSE_JSON = {"accept": "application/graphql-response+json"}
IMPORT_BODY = json.dumps({"sources": {}, "nodes": []}).encode()


@pytest.fixture
async def down_store(writes: WriteClient) -> AsyncIterator[tuple[httpx.AsyncClient, FaultProxy]]:
    # Room for a whole export on a busy machine; the slow-store test waits longer. Every
    # request reads its API key from the store, so the store being down is met while
    # checking the key (a cached key is tested on its own below).
    async with app_through_proxy(
        writes,
        store_connect_timeout=1.0,
        store_retry_time=0.5,
        store_query_timeout=3.0,
        api_key_cache_seconds=0,
    ) as client_and_proxy:
        yield client_and_proxy


def _bearer(writes: WriteClient, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {writes.tokens[who]}"}


def _assert_store_problem(response: httpx.Response, code: str = "STORE_UNAVAILABLE") -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "5"
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert (body["status"], body["code"]) == (503, code)
    assert body["type"] == f"urn:evidence-graph:problem:{code.lower().replace('_', '-')}"
    assert body["requestId"] == response.headers["x-request-id"]


async def test_api_key_callers_get_503_not_500_when_the_store_is_down(
    writes: WriteClient, down_store: tuple[httpx.AsyncClient, FaultProxy]
) -> None:
    client, proxy = down_store
    reader = _bearer(writes, "reader")
    assert (await client.post("/graphql", json={"query": QUERY}, headers=reader)).status_code == 200
    await proxy.down()
    for headers, body in (
        ({**reader, **RESPONSE_JSON}, {"query": QUERY}),
        ({**_bearer(writes, "writer"), **RESPONSE_JSON}, {"query": MUTATION}),
        ({**reader, "accept": "application/json"}, {"query": QUERY}),
    ):
        response = await client.post("/graphql", json=body, headers=headers)
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        [error] = response.json()["errors"]
        assert error["extensions"]["code"] == "STORE_UNAVAILABLE"
    imported = await client.post(
        "/v1/imports",
        content=IMPORT_BODY,
        headers={**_bearer(writes, "writer"), "content-type": "application/json"},
    )
    _assert_store_problem(imported)
    _assert_store_problem(await client.get("/v1/exports/csv", headers=reader))


async def test_a_cached_api_key_meets_the_store_fault_like_an_anonymous_caller(
    writes: WriteClient,
) -> None:
    """With the key's record cached, the request reaches execution and fails there."""
    async with app_through_proxy(
        writes, store_connect_timeout=1.0, store_retry_time=0.5, api_key_cache_seconds=300
    ) as (client, proxy):
        reader = _bearer(writes, "reader")
        assert (await client.post("/graphql", json={"query": QUERY}, headers=reader)).is_success
        await proxy.down()
        for headers in (reader, {}):
            strict = await client.post(
                "/graphql", json={"query": QUERY}, headers={**headers, **RESPONSE_JSON}
            )
            assert strict.status_code == 503, strict.text
            assert strict.headers["retry-after"] == "5"
            plain = await client.post(
                "/graphql", json={"query": QUERY}, headers={**headers, "accept": "application/json"}
            )
            # application/json: a well-formed GraphQL response is 200, by the specification.
            assert plain.status_code == 200
            assert plain.json()["data"] == {"intervention": None}
            [error] = plain.json()["errors"]
            assert error["extensions"]["code"] == "STORE_UNAVAILABLE"


async def test_imports_and_exports_give_503_problems_for_every_caller_when_the_store_is_down(
    writes: WriteClient, down_store: tuple[httpx.AsyncClient, FaultProxy]
) -> None:
    client, proxy = down_store
    await proxy.down()
    for export in (
        "/v1/exports/csv",
        "/v1/exports/cytoscape",
        "/v1/exports/graphml",
        "/v1/exports/graphml?ids=Intervention:mash&depth=1",
    ):
        _assert_store_problem(await client.get(export))


async def test_a_store_too_slow_for_an_export_is_store_timeout(
    down_store: tuple[httpx.AsyncClient, FaultProxy],
) -> None:
    client, proxy = down_store
    assert (await client.get("/v1/exports/cytoscape")).status_code == 200
    proxy.delay = 10.0
    _assert_store_problem(await client.get("/v1/exports/cytoscape"), code="STORE_TIMEOUT")
    proxy.delay = 0.0


async def test_request_ids_are_honoured_when_sane_and_made_otherwise(
    client: httpx.AsyncClient,
) -> None:
    mine = await client.get("/healthz", headers={"x-request-id": "partner-run-17:3"})
    assert mine.headers["x-request-id"] == "partner-run-17:3"
    for insane in ("", "x" * 200, "id with spaces", "<script>"):
        made = await client.get("/healthz", headers={"x-request-id": insane})
        assert made.headers["x-request-id"] not in (insane, "")
        assert len(made.headers["x-request-id"]) == 32
    first, second = [await client.post("/graphql", json={"query": QUERY}) for _ in range(2)]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_plain_http_errors_are_problem_details(client: httpx.AsyncClient) -> None:
    missing = await client.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM_JSON)
    assert {k: missing.json()[k] for k in ("status", "title", "code")} == {
        "status": 404,
        "title": "Not Found",
        "code": "NOT_FOUND",
    }
    bad_format = await client.get("/v1/exports/pdf")
    assert bad_format.status_code == 422
    body = bad_format.json()
    assert (body["code"], body["argument"]) == ("BAD_USER_INPUT", "export_format")
    bad_ids = await client.get("/v1/exports/graphml", params={"ids": "mash"})
    body = bad_ids.json()
    assert bad_ids.headers["content-type"].startswith(PROBLEM_JSON)
    assert (body["status"], body["code"], body["argument"]) == (400, "BAD_USER_INPUT", "ids")
    assert body["error"] == body["detail"], "the older clients' member is kept"
    anonymous_import = await client.post("/v1/imports", content=IMPORT_BODY)
    assert anonymous_import.status_code == 401
    assert anonymous_import.headers["www-authenticate"].startswith("Bearer")
    assert anonymous_import.json()["code"] == "UNAUTHENTICATED"


class _JsonLines(logging.Handler):
    """Every record logged while installed, formatted by the service's JSON formatter."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.text = io.StringIO()

    def emit(self, record: logging.LogRecord) -> None:
        self.text.write(self.format(record) + "\n")

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.getvalue().splitlines()]


@pytest.fixture
def json_log() -> Iterator[_JsonLines]:
    handler = _JsonLines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_log_lines_are_json_with_request_and_client_ids_and_no_credentials(
    writes: WriteClient, json_log: _JsonLines
) -> None:
    token = writes.tokens["reader"]
    secret = token.rsplit("_", 1)[1]
    response = await writes.http.post(
        f"/graphql?api_key={token}&access_token=abc.def.ghi",
        json={"query": QUERY},
        headers={"authorization": f"Bearer {token}", "x-request-id": "log-check-1"},
    )
    assert response.status_code == 200
    text = json_log.text.getvalue()
    assert secret not in text and "abc.def.ghi" not in text
    [access] = [line for line in json_log.lines() if line["logger"] == "service.access"]
    assert access["requestId"] == "log-check-1"
    assert access["clientId"] == "eif-reader"
    assert access["status"] == 200 and access["method"] == "POST"
    assert isinstance(access["durationMs"], float)
    assert "api_key=[REDACTED]" in access["path"]


async def test_an_unexpected_error_is_a_logged_500_problem_with_the_request_id(
    client: httpx.AsyncClient, json_log: _JsonLines, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("injected fault")

    monkeypatch.setattr("service.routes.exports.subgraph_plan.subgraph", broken)
    response = await client.get(
        "/v1/exports/graphml?ids=Intervention:mash", headers={"x-request-id": "boom-1"}
    )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["requestId"] == "boom-1"
    assert "injected fault" not in response.text
    [logged] = [line for line in json_log.lines() if "exception" in line]
    assert logged["requestId"] == "boom-1" and "injected fault" in logged["exception"]


@pytest.fixture
async def live_server(writes: WriteClient) -> AsyncIterator[str]:
    """The write app served by uvicorn on a loopback port, for what only a real
    connection shows (a response cut off midway)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(writes.app, host="127.0.0.1", port=port, lifespan="off", log_config=None)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_an_export_that_fails_midway_is_cut_off_not_sent_complete(
    live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def failing_edges(self: WholeGraph) -> AsyncIterator[Any]:
        raise StoreUnavailable("injected: the store went away mid-export")
        yield  # an async generator, as the real one

    monkeypatch.setattr(WholeGraph, "edges", failing_edges)
    async with httpx.AsyncClient(base_url=live_server) as http:
        for export in ("/v1/exports/csv", "/v1/exports/cytoscape"):
            received = bytearray()
            with pytest.raises(httpx.RemoteProtocolError):
                async with http.stream("GET", export) as response:
                    assert response.status_code == 200
                    async for chunk in response.aiter_bytes():
                        received.extend(chunk)
            assert received, "the nodes were sent before the failure"


async def test_uvicorns_own_access_log_redacts_keys_in_urls(client: httpx.AsyncClient) -> None:
    """Run by uvicorn directly, with uvicorn's own log configuration (as a container may),
    the access log's request line has the key replaced."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    app = client._transport.app  # type: ignore[attr-defined]
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off"))
    access = logging.getLogger("uvicorn.access")
    collect = Collect()
    access.addHandler(collect)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz?api_key=egk_abc123_TOPSECRET&x=1")
    finally:
        server.should_exit = True
        await task
        access.removeHandler(collect)
    [line] = [line for line in lines if "/healthz" in line]
    assert "TOPSECRET" not in line and "api_key=[REDACTED]" in line
