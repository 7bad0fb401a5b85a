"""The explorer page in headless Chromium: it loads, draws the MASH network with its
agencies, shows a clicked node's properties and expands it; its second view draws the
evidence gap map as a heatmap and shows a clicked cell's numbers.

The service runs as `python -m service serve` on a free loopback port against the
session's embedded store; web/explorer-check.mjs (playwright-core) drives Chromium once
through both views and reports what it saw. The screenshots are kept in
test-artifacts/explorer.png and test-artifacts/explorer-gap-map.png.
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
# The gap map names a cell "<intervention> TIMES <outcome>", with the multiplication sign.
TIMES = "\N{MULTIPLICATION SIGN}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def service_url(
    embedded: EmbeddedStore, store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The service in a process of its own; ``store`` makes sure the example data is in."""
    tmp_path = tmp_path_factory.mktemp("explorer-service")
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


@pytest.fixture(scope="module")
def seen(service_url: str) -> dict[str, Any]:
    """What Chromium saw going through both views, once for the module's tests."""
    return _run_browser(service_url)


@pytest.fixture
async def gap_map(gql: GraphQL) -> dict[str, Any]:
    data = await gql(
        """{ evidenceGapMap {
            interventions { id }
            domains { domain outcomes { id } }
            cells { interventionId outcomeId status studyCount findingCount
                    strongest { eifValue commonScale } }
        } }"""
    )
    gap_map: dict[str, Any] = data["evidenceGapMap"]
    return gap_map


def _run_browser(url: str) -> dict[str, Any]:
    assert shutil.which("node"), "node is missing: `make test` installs it"
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it"
    assert (ROOT / "web" / "node_modules" / "playwright-core").exists(), "run `make vendor`"
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            "node",
            "explorer-check.mjs",
            url,
            str(ARTIFACTS / "explorer.png"),
            str(ARTIFACTS / "explorer-gap-map.png"),
        ],
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
    seen: dict[str, Any], mash_subgraph_keys: set[str]
) -> None:
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


def test_explorer_gap_map_view_draws_the_api_gap_map_and_a_clicked_cell(
    seen: dict[str, Any], gap_map: dict[str, Any]
) -> None:
    """The second view draws every cell evidenceGapMap gives, marked with its status and
    strength, outcomes grouped by domain; MASH x child maltreatment is drawn as the
    absolute gap the README names; a click shows a cell's numbers."""
    drawn = seen["gapMap"]
    assert drawn["url"].endswith("view=gap-map")
    assert drawn["networkHidden"] is True
    assert drawn["interventions"] == [row["id"] for row in gap_map["interventions"]]
    assert drawn["outcomes"] == [o["id"] for d in gap_map["domains"] for o in d["outcomes"]]
    assert [span for _, span in drawn["domains"]] == [
        len(d["outcomes"]) for d in gap_map["domains"]
    ]
    assert "Child safety" in [name for name, _ in drawn["domains"]]

    def kind(cell: dict[str, Any]) -> str:
        if cell["status"] != "EVIDENCE":
            return str(cell["status"])
        strongest = cell["strongest"]
        return "unjudged" if strongest is None else str(strongest["commonScale"])

    expected = {
        (c["interventionId"], c["outcomeId"]): (c["status"], kind(c)) for c in gap_map["cells"]
    }
    cells = {(c["intervention"], c["outcome"]): c for c in drawn["cells"]}
    assert {key: (c["status"], c["kind"]) for key, c in cells.items()} == expected
    assert len(cells) == len(drawn["interventions"]) * len(drawn["outcomes"])
    # Both kinds of cell are on the example map, so the colouring is tested both ways.
    statuses = {status for status, _ in expected.values()}
    assert {"ABSOLUTE_GAP", "EVIDENCE"} <= statuses

    gap = cells[("mash", "outcome-child-maltreatment")]
    assert (gap["status"], gap["kind"], gap["text"]) == ("ABSOLUTE_GAP", "ABSOLUTE_GAP", "")
    assert "Studies: 0 (0 ongoing)" in gap["title"]
    api_cell = _api_cell(gap_map, "pcit", "outcome-child-maltreatment")
    evidence = cells[("pcit", "outcome-child-maltreatment")]
    assert evidence["status"] == "EVIDENCE"
    assert evidence["text"] == api_cell["strongest"]["eifValue"]
    assert "By design: " in evidence["title"] and "RCT 1" in evidence["title"]

    legend = dict(drawn["legend"])
    assert legend["ABSOLUTE_GAP"] == "Absolute gap: no study"
    assert legend["ONLY_ONGOING"] == "Only ongoing studies"
    assert {"0", "1", "2", "3", "4", "5"} <= set(legend)

    clicked_gap = drawn["gapCell"]
    assert clicked_gap["heading"] == f"Multi-Agency Safeguarding Hub {TIMES} Child maltreatment"
    assert clicked_gap["label"] == f"mash {TIMES} outcome-child-maltreatment"
    assert clicked_gap["status"] == "ABSOLUTE_GAP"
    assert clicked_gap["facts"]["Status"] == "Absolute gap"
    assert clicked_gap["facts"]["Studies"] == "0 (0 ongoing)"
    assert clicked_gap["facts"]["Findings"] == "0"
    assert clicked_gap["facts"]["Strongest"].startswith("none")
    assert clicked_gap["pressed"] == ["mash|outcome-child-maltreatment"]

    clicked = drawn["evidenceCell"]
    assert clicked["status"] == "EVIDENCE"
    assert clicked["facts"]["Findings"] == str(api_cell["findingCount"])
    assert clicked["facts"]["Studies"].startswith(f"{api_cell['studyCount']} (")
    assert clicked["facts"]["By direction"] == f"Favourable {api_cell['findingCount']}"
    assert clicked["facts"]["Strongest"].startswith(
        f"EIF-style {api_cell['strongest']['eifValue']};"
    )
    assert clicked["reasons"], "the judgement's reasons are listed"

    # Back on the network view, the MASH drawing is still there.
    back = seen["backToNetwork"]
    assert back["url"].endswith("/explore?focus=Intervention%3Amash")
    assert back["gapMapHidden"] is True
    assert back["nodes"] == len(seen["afterExpand"])
    assert seen["offsiteRequests"] == []
    assert seen["consoleErrors"] == []
    assert (ARTIFACTS / "explorer-gap-map.png").stat().st_size > 10_000


def _api_cell(gap_map: dict[str, Any], intervention: str, outcome: str) -> dict[str, Any]:
    for cell in gap_map["cells"]:
        if (cell["interventionId"], cell["outcomeId"]) == (intervention, outcome):
            return cell
    raise AssertionError(f"evidenceGapMap has no cell {intervention} x {outcome}")


async def test_explorer_files_are_served_and_nothing_outside(client: httpx.AsyncClient) -> None:
    page = await client.get("/explore")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/explore/vendor/cytoscape.min.js">' in page.text
    assert "http" not in page.text.replace("http-equiv", ""), "no other host referenced"
    assert '<script src="/explore/gap-map.js">' in page.text
    for name in ("explorer.js", "gap-map.js", "explorer.css"):
        assert (await client.get(f"/explore/{name}")).status_code == 200, name
    assert (await client.get("/explore/../app.py")).status_code == 404
    assert (await client.get("/explore/%2e%2e/app.py")).status_code == 404
