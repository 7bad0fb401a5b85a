"""A large GraphML or GEXF export does not stall other requests: the document is built in
a worker thread, so the event loop keeps answering while it is."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from service.app import create_app
from service.embedded_store import start_embedded_store
from tests.conftest import embedded_settings, settings_for

pytestmark = pytest.mark.slow

STUDIES = 8_000
# Every study evaluates one of a few interventions: a relationship per node as well.
_BULK = """
UNWIND range(1, $count) AS n
CREATE (s:Study {id: 'bulk-study-' + toString(n), title: 'Bulk study ' + toString(n),
  year: 1990 + n % 30, design: 'RCT', status: 'COMPLETED', country: 'United Kingdom',
  sampleSize: n, source: 'test', recordedBy: 'tests'})
WITH s, n
MATCH (i:Intervention {id: 'bulk-intervention-' + toString(n % 5)})
CREATE (s)-[:EVALUATES {source: 'test', recordedBy: 'tests'}]->(i)
"""


@pytest.fixture(scope="module")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    embedded = await start_embedded_store(embedded_settings(tmp_path_factory.mktemp("export")))
    app = create_app(settings_for(embedded, load_example_data=False))
    try:
        async with app.router.lifespan_context(app):
            store = app.state.runtime.store
            await store.write_one(
                "UNWIND range(0, 4) AS n CREATE (:Intervention {id: 'bulk-intervention-' + "
                "toString(n), name: 'Bulk intervention ' + toString(n), kind: 'PROGRAMME'})"
            )
            await store.write_one(_BULK, {"count": STUDIES}, timeout=120)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://test", timeout=300
            ) as http:
                yield http
    finally:
        await embedded.stop()


async def _longest_stall(done: asyncio.Event) -> float:
    """The longest the event loop went without running this ticker, until ``done``."""
    longest, last = 0.0, time.perf_counter()
    while not done.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest


@pytest.mark.parametrize("export_format", ["graphml", "gexf"])
async def test_a_small_query_answers_while_a_large_export_is_built(
    client: httpx.AsyncClient, export_format: str
) -> None:
    done = asyncio.Event()
    ticker = asyncio.create_task(_longest_stall(done))
    started = time.perf_counter()
    export = asyncio.create_task(client.get(f"/v1/exports/{export_format}"))
    answered: list[float] = []
    while not export.done():
        before = time.perf_counter()
        response = await client.post(
            "/graphql", json={"query": '{ intervention(id: "bulk-intervention-1") { name } }'}
        )
        assert response.json()["data"] == {"intervention": {"name": "Bulk intervention 1"}}
        answered.append(time.perf_counter() - before)
        await asyncio.sleep(0.05)
    exported = await export
    export_seconds = time.perf_counter() - started
    done.set()
    stall = await ticker
    assert exported.status_code == 200
    assert exported.text.count("bulk-study-") >= STUDIES, "the export is whole"
    # The queries ran during the export, each in a small part of its time, and the loop
    # never stopped for long (building the document on it stalled it for seconds).
    assert len(answered) >= 5, f"only {len(answered)} queries in a {export_seconds:.1f} s export"
    assert max(answered) < max(1.0, export_seconds / 10), (answered, export_seconds)
    assert stall < max(0.75, export_seconds / 20), (stall, export_seconds)
