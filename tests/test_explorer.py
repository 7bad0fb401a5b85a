"""The explorer page in headless Chromium: it loads, draws the MASH network with its
agencies, shows a clicked node's properties and expands it.

The service runs as `python -m service serve` on a free loopback port against the
session's embedded store; web/explorer-check.mjs (playwright-core) drives Chromium and
reports what it saw. The screenshot is kept in test-artifacts/explorer.png.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.embedded_store import EmbeddedStore
from service.store import Store
from tests.conftest import GraphQL

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def service_url(embedded: EmbeddedStore, store: Store, tmp_path: Path) -> Iterator[str]:
    """The service in a process of its own; ``store`` makes sure the example data is in."""
    port = _free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "NEO4J_URI": embedded.uri,
        "NEO4J_USER": embedded.user,
        "NEO4J_PASSWORD": embedded.password,
        "NEO4J_DATABASE": embedded.database,
        "LOAD_EXAMPLE_DATA": "false",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "service.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "service.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
async def mash_subgraph_keys(gql: GraphQL) -> set[str]:
    data = await gql('{ subgraph(ids: ["Intervention:mash"], depth: 1) { nodes { key } } }')
    return {node["key"] for node in data["subgraph"]["nodes"]}


def _run_browser(url: str) -> dict[str, Any]:
    assert shutil.which("node"), "node is missing: `make test` installs it"
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it"
    assert (ROOT / "web" / "node_modules" / "playwright-core").exists(), "run `make vendor`"
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["node", "explorer-check.mjs", url, str(ARTIFACTS / "explorer.png")],
        cwd=ROOT / "web",
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


def test_explorer_draws_mash_and_shows_a_clicked_node(
    service_url: str, mash_subgraph_keys: set[str]
) -> None:
    seen = _run_browser(service_url)
    assert (seen["status"], seen["title"]) == (200, "Evidence Graph explorer")
    assert {"Intervention:mash", "Agency:agency-police", "Intervention:pcit"} <= set(
        seen["pickerOptions"]
    )
    drawn = {node["key"]: node for node in seen["drawn"]}
    assert drawn["Intervention:mash"]["name"] == "Multi-Agency Safeguarding Hub"
    agencies = {key for key, node in drawn.items() if node["label"] == "Agency"}
    assert {
        "Agency:agency-police",
        "Agency:agency-health",
        "Agency:agency-education",
        "Agency:agency-probation",
        "Agency:agency-childrens-social-care",
    } <= agencies
    # The drawing is the subgraph one hop around MASH, the same that /exports gives.
    assert set(drawn) == mash_subgraph_keys
    assert seen["drawnEdges"] >= 9
    assert seen["url"].endswith("/explore?focus=Intervention%3Amash")

    details = seen["details"]
    assert details["label"] == "Agency · Agency:agency-police"
    assert details["properties"]["sector"] == "POLICE"
    assert details["properties"]["id"] == "agency-police"
    assert details["heading"] == details["properties"]["name"]

    # Expanding the EIF review adds the other interventions it evaluated, keeping the rest.
    assert set(drawn) < set(seen["afterExpand"])
    assert "Intervention:pcit" in seen["afterExpand"]

    # The download links ask /exports for what is drawn.
    assert seen["downloads"] == [
        f"/exports/{fmt}?ids=Intervention%3Amash&depth=1"
        for fmt in ("graphml", "gexf", "cytoscape", "csv")
    ]
    assert seen["downloadsAfterExpand"] == (
        "/exports/graphml?ids=Intervention%3Amash"
        "&ids=Study%3Astudy-eif-2017-child-protection&depth=1"
    )

    assert seen["offsiteRequests"] == []
    assert seen["failedRequests"] == []
    assert seen["consoleErrors"] == []
    assert (ARTIFACTS / "explorer.png").stat().st_size > 10_000


async def test_explorer_files_are_served_and_nothing_outside(client: httpx.AsyncClient) -> None:
    page = await client.get("/explore")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/explore/vendor/cytoscape.min.js">' in page.text
    assert "http" not in page.text.replace("http-equiv", ""), "no other host referenced"
    script = await client.get("/explore/explorer.js")
    assert script.status_code == 200
    assert (await client.get("/explore/../app.py")).status_code == 404
    assert (await client.get("/explore/%2e%2e/app.py")).status_code == 404
