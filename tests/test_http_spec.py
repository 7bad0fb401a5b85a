"""GraphQL over HTTP by the specification: the graphql-http audit suite (npm) against the
running service, plus the rules it does not audit (406, 413, 415, 405 with Allow)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from service.embedded_store import free_port

TOOLS = Path(__file__).resolve().parent.parent / "tools"


@pytest.fixture(scope="session")
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The session app served by uvicorn on a free loopback port; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn did not start"
        await asyncio.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_graphql_http_audit_suite_passes_every_audit(
    served: str, capsys: pytest.CaptureFixture[str]
) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for the audit suite (make test installs tools/)"
    process = await asyncio.create_subprocess_exec(
        node,
        str(TOOLS / "audit-graphql-http.mjs"),
        f"{served}/graphql",
        cwd=TOOLS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    report = json.loads(stdout)
    failed = [r for r in report["results"] if r["status"] != "ok"]
    with capsys.disabled():
        print(f"\ngraphql-http server audits: {report['passed']}/{report['total']} passed")  # noqa: T201
    assert failed == []
    assert report["total"] >= 40


async def test_post_without_an_acceptable_media_type_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406


async def test_post_of_another_media_type_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content="{ __typename }", headers={"content-type": "application/graphql"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"][0]["message"]


async def test_body_over_the_limit_is_413_naming_it(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    limit = app.state.settings.max_body_bytes
    response = await client.post(
        "/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * limit}}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "MAX_BODY_BYTES",
        "value": limit,
    }


async def test_mutation_over_get_is_405_with_allow_post(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_validation_failure_is_400_without_data_for_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ intervention(id: "mash") { budget } }'},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert "data" not in response.json()


async def test_validation_failure_is_200_for_application_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ intervention(id: "mash") { budget } }'},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"


async def test_a_batch_is_answered_in_order(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json=[
            {"query": '{ intervention(id: "mash") { name } }'},
            {"query": '{ agency(id: "agency-police") { id } }'},
        ],
    )
    assert response.status_code == 200
    assert response.json() == [
        {"data": {"intervention": {"name": "Multi-Agency Safeguarding Hub"}}},
        {"data": {"agency": {"id": "agency-police"}}},
    ]
