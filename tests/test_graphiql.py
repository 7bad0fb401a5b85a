"""GraphiQL is served by the service itself and works with no other host; browser apps on
the origins CORS_ALLOW_ORIGINS names may call the API, others may not.

The service runs in its own process (tests/service_process.py) with CORS allowing
http://localhost:PORT only; web/graphiql-check.mjs drives headless Chromium through
GraphiQL (load, run the example query, open the docs) and a cross-origin fetch from each
origin. The screenshot is kept in test-artifacts/graphiql.png.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import ValidationError

from service.app import create_app
from service.routes.graphiql import GRAPHIQL_DIR
from service.settings import Settings
from tests.conftest import StoreAddress
from tests.service_process import ROOT, free_port, running_service

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def service(
    embedded: StoreAddress, store: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The service's URL and the one other origin it allows (the same port on localhost)."""
    port = free_port()
    allowed = f"http://localhost:{port}"
    log = tmp_path_factory.mktemp("graphiql-service") / "service.log"
    with running_service(embedded, log, port=port, cors_allow_origins=allowed) as url:
        yield url, allowed


@pytest.fixture(scope="module")
def seen(service: tuple[str, str]) -> dict[str, Any]:
    url, allowed = service
    assert shutil.which("node"), "node is missing: `make test` installs it"
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it"
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["node", "graphiql-check.mjs", url, allowed, str(ARTIFACTS / "graphiql.png")],
        cwd=ROOT / "web",
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_graphiql_loads_runs_a_query_and_opens_the_docs_with_no_other_host(
    seen: dict[str, Any],
) -> None:
    assert (seen["status"], seen["title"]) == (200, "Evidence Graph GraphiQL")
    result = json.loads(seen["result"])
    assert result["data"]["intervention"]["name"] == "Multi-Agency Safeguarding Hub"
    sectors = {p["agency"]["sector"] for p in result["data"]["intervention"]["participants"]}
    assert {"POLICE", "HEALTH"} <= sectors
    assert seen["docsTitle"] == "Docs"
    assert {"intervention", "interventions", "studies", "subgraph"} <= set(seen["queryFields"])
    hosts = {urlsplit(request).hostname for request in seen["graphiqlRequests"]}
    assert hosts == {"127.0.0.1"}, seen["graphiqlRequests"]
    assert any(r.endswith("/graphiql/vendor/graphiql.min.js") for r in seen["graphiqlRequests"])
    assert seen["failedRequests"] == []
    assert seen["consoleErrors"] == []
    assert (ARTIFACTS / "graphiql.png").stat().st_size > 10_000


def test_browser_app_on_an_allowed_origin_reads_the_api_and_others_are_refused(
    seen: dict[str, Any],
) -> None:
    allowed = seen["allowed"]
    assert allowed["status"] == 200
    assert allowed["body"]["data"]["intervention"]["name"] == "Multi-Agency Safeguarding Hub"
    # Exposed to scripts: the rate-limit state.
    assert allowed["rateLimit"].startswith('"default";r=')
    assert "Failed to fetch" in seen["refused"]["refused"]


def test_preflight_from_an_allowed_origin_is_answered(service: tuple[str, str]) -> None:
    url, allowed = service
    answer = httpx.options(
        f"{url}/graphql",
        headers={
            "Origin": allowed,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == allowed
    assert "POST" in answer.headers["access-control-allow-methods"]
    allowed_headers = answer.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in answer.headers


def test_preflight_from_another_origin_is_refused(service: tuple[str, str]) -> None:
    url, _ = service
    answer = httpx.options(
        f"{url}/graphql",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert answer.status_code == 400
    assert "access-control-allow-origin" not in answer.headers


async def test_graphiql_page_names_no_other_host_and_serves_only_its_folder(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert '<script src="/graphiql/vendor/graphiql.min.js">' in page.text
    assert "http" not in page.text, "no other host referenced"
    for name in ("start.js", "vendor/react.production.min.js", "vendor/graphiql.min.css"):
        assert (await client.get(f"/graphiql/{name}")).status_code == 200, name
    assert (await client.get("/graphiql/../app.py")).status_code == 404
    assert (await client.get("/graphiql/%2e%2e/app.py")).status_code == 404


async def test_large_responses_are_gzipped_and_zips_are_not(client: httpx.AsyncClient) -> None:
    async with client.stream(
        "GET", "/graphiql/vendor/graphiql.min.js", headers={"accept-encoding": "gzip"}
    ) as script:
        assert script.headers["content-encoding"] == "gzip"
        sent = b"".join([chunk async for chunk in script.aiter_raw()])
    assert 0 < len(sent) < (GRAPHIQL_DIR / "vendor" / "graphiql.min.js").stat().st_size / 3
    small = await client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers
    bundle = await client.get("/v1/exports/csv", headers={"accept-encoding": "gzip"})
    assert bundle.status_code == 200
    assert "content-encoding" not in bundle.headers
    cytoscape = await client.get("/v1/exports/cytoscape", headers={"accept-encoding": "gzip"})
    assert cytoscape.headers["content-encoding"] == "gzip"
    assert json.loads(cytoscape.content)["elements"]["nodes"]


async def _preflight(allowed: str, origin: str) -> httpx.Response:
    """A preflight answered by an app allowing ``allowed`` (no store needed to answer it)."""
    app = create_app(Settings(cors_allow_origins=allowed))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.options(
            "/graphql", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
        )


async def test_no_origin_is_allowed_by_default() -> None:
    answer = await _preflight("", "http://localhost:3000")
    assert answer.status_code == 405
    assert "access-control-allow-origin" not in answer.headers


async def test_any_port_of_a_host_is_allowed_as_make_serve_allows_localhost() -> None:
    allowed = "http://localhost:*,http://127.0.0.1:*"
    for origin in ("http://localhost:5173", "http://127.0.0.1:3000"):
        answer = await _preflight(allowed, origin)
        assert answer.headers["access-control-allow-origin"] == origin
    for origin in ("http://localhost.example.org:80", "https://localhost:3000", "http://localhost"):
        answer = await _preflight(allowed, origin)
        assert answer.status_code == 400, origin


def test_origin_settings_refuse_what_is_not_an_origin() -> None:
    for bad in ("localhost:3000", "https://app.example.org/path", "https://*.example.org"):
        with pytest.raises(ValidationError, match="CORS_ALLOW_ORIGINS"):
            Settings(cors_allow_origins=bad)
    assert Settings(cors_allow_origins="http://localhost:*, https://a.org/").cors_origins == [
        "http://localhost:*",
        "https://a.org",
    ]
