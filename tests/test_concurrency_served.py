"""Fifty identical writes at once against the service as `make serve` runs it: its own
process and embedded store, uvicorn on a loopback port, fifty HTTP connections. (The
in-process tests of test_mutations.py share one event loop with the test; here nothing
is shared but the network.)"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.embedded_store import free_port

ROOT = Path(__file__).resolve().parent.parent
UPSERT = """mutation { upsertIntervention(input: {id: "served-concurrent", name: "Concurrent",
    kind: PROGRAMME, source: "https://example.org/concurrent"}) { errors { code } } }"""
LINK = """mutation { linkDelivery(input: {agencyId: "agency-norfolk", interventionId: "pcit",
    status: ACTIVE, source: "x"}) { errors { code } } }"""
CHANGES = """query($id: ID!) { changes(entityId: $id, first: 100) {
    edges { node { operation } } } }"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, writer's API key) of a service started as `make serve` starts it."""
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")},
        "DATA_DIR": str(folder / "data"),
        "PORT": str(port),
        "RATE_LIMIT_REQUESTS": "0",
        # A single process here; tests/test_workers.py runs the same writes on two.
        "WORKERS": "1",
    }
    service = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert service.poll() is None, "the service exited"
            assert time.monotonic() < deadline, "the service did not become ready"
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        issued = subprocess.run(
            [
                *(sys.executable, "-m", "service", "keys", "issue"),
                *("--name", "concurrent-loader", "--agency", "agency-eif"),
                *("--scope", "evidence:write"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert issued.returncode == 0, issued.stderr
        yield base, issued.stdout.split()[4]
    finally:
        service.terminate()
        service.wait(timeout=60)


async def _fifty(base: str, key: str, query: str) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "/graphql",
                    json={"query": query},
                    headers={"authorization": f"Bearer {key}"},
                )
                for _ in range(50)
            )
        )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses][:3]
    return [r.json() for r in responses]


async def _operations(base: str, entity_id: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base) as http:
        body = (
            await http.post("/graphql", json={"query": CHANGES, "variables": {"id": entity_id}})
        ).json()
    return [edge["node"]["operation"] for edge in body["data"]["changes"]["edges"]]


@pytest.mark.slow
async def test_fifty_served_creates_of_one_id_make_one_node(served: tuple[str, str]) -> None:
    base, key = served
    results = await _fifty(base, key, UPSERT)
    assert all(r["data"]["upsertIntervention"]["errors"] == [] for r in results), results[:3]
    assert await _operations(base, "served-concurrent") == ["CREATE"]


@pytest.mark.slow
async def test_fifty_served_links_make_one_relationship(served: tuple[str, str]) -> None:
    base, key = served
    results = await _fifty(base, key, LINK)
    assert all(r["data"]["linkDelivery"]["errors"] == [] for r in results), results[:3]
    assert await _operations(base, "agency-norfolk->pcit") == ["LINK"]
