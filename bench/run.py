"""The benchmark: latency of the read API on a synthetic graph in the embedded store.

Run with `make bench`; it prints a table and writes it to bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.generate import Size, synthetic_graph
from bench.imports import ImportTiming, time_import
from service.app import create_app
from service.graph_load import load_graph
from service.settings import Settings

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))

QUERIES = {
    "lookup, flat": '{ intervention(id: "i-500") { id name kind costRating } }',
    "lookup, 3 levels": """{ intervention(id: "i-500") { name
        participants { role agency { name participations { intervention { name } } } }
        studies { title findings { direction outcomes { name partOf { name } } } } } }""",
    "list 20, flat": "{ interventions(first: 20) { totalCount edges { node { id name } } } }",
    "list 100, nested": """{ interventions(first: 100) { totalCount edges { node { name
        participants { agency { name sector } } studies { title findings { direction } } } } } }""",
    "list, filtered by sector": """{ interventions(first: 20, filter: {agencySectorIn: [POLICE], kindIn: [PROGRAMME]})
        { totalCount edges { node { name } } } }""",
    "list, page 5 by cursor": None,  # built at run time from page 4's cursor
    "network": '{ network(interventionId: "i-500") { nodes { key } edges { type } } }',
}


async def _time(client: httpx.AsyncClient, query: str) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = await client.post("/graphql", json={"query": query})
        samples.append((time.perf_counter() - started) * 1000)
        body = response.json()
        assert "errors" not in body, body
    return samples


async def _fifth_page_query(client: httpx.AsyncClient) -> str:
    after = None
    for _ in range(4):
        variables = {"after": after}
        body = (
            await client.post(
                "/graphql",
                json={
                    "query": "query($after: String) { interventions(first: 20, after: $after) { pageInfo { endCursor } } }",
                    "variables": variables,
                },
            )
        ).json()
        after = body["data"]["interventions"]["pageInfo"]["endCursor"]
    return f'{{ interventions(first: 20, after: "{after}") {{ edges {{ node {{ name }} }} }} }}'


async def main() -> None:
    size = Size()
    graph = synthetic_graph(size)
    with tempfile.TemporaryDirectory() as data_dir:
        started = time.perf_counter()
        app = create_app(
            Settings(
                data_dir=Path(data_dir),
                load_example_data=False,
                # Loading the whole graph is one transaction, longer than a request's.
                store_query_timeout=300,
                # Every round comes from one client, faster than any real one.
                rate_limit_requests=0,
            )
        )
        async with app.router.lifespan_context(app):
            start_up = time.perf_counter() - started
            loaded = time.perf_counter()
            await load_graph(app.state.runtime.store, graph, recorded_by="bench")
            load_seconds = time.perf_counter() - loaded
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                QUERIES["list, page 5 by cursor"] = await _fifth_page_query(client)
                rows = []
                for name, query in QUERIES.items():
                    assert query is not None
                    await _time(client, query)  # warm-up round
                    samples = sorted(await _time(client, query))
                    rows.append(
                        (name, statistics.median(samples), samples[int(len(samples) * 0.95) - 1])
                    )
                imported = await time_import(client, app.state.runtime.store)
    report = _report(size, graph, start_up, load_seconds, rows) + _import_report(imported)
    print(report)  # noqa: T201
    RESULTS.write_text(report, encoding="utf-8")


def _report(
    size: Size,
    graph: object,
    start_up: float,
    load_seconds: float,
    rows: list[tuple[str, float, float]],
) -> str:
    nodes = len(graph.nodes)  # type: ignore[attr-defined]
    rels = len(graph.relationships)  # type: ignore[attr-defined]
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.date.today().isoformat()} with `make bench` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; embedded store (ArcadeDB over Bolt), in-process HTTP client.",
        f"Synthetic graph: {nodes:,} nodes, {rels:,} relationships ({size.interventions:,} interventions, "
        f"{size.agencies:,} agencies). {ROUNDS} timed rounds per query after one warm-up round.",
        "",
        f"- service start-up (embedded store, migrations): {start_up:.1f} s",
        f"- loading the graph in one transaction: {load_seconds:.1f} s "
        f"({(nodes + rels) / load_seconds:,.0f} records/s)",
        "",
        "| query | median ms | p95 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {median:.1f} | {p95:.1f} |" for name, median, p95 in rows),
        "",
    ]
    return "\n".join(lines)


def _import_report(timing: ImportTiming) -> str:
    return "\n".join(
        [
            "",
            "## Bulk import",
            "",
            f"POST /imports of a {timing.megabytes:.1f} MB JSON file of {timing.records:,} records "
            "(nodes and relationships, all checked, then written in one transaction with a change-log entry each):",
            "",
            f"- first import: {timing.first_seconds:.1f} s ({timing.records / timing.first_seconds:,.0f} records/s)",
            f"- the same file again (checks everything, writes nothing): {timing.repeat_seconds:.1f} s "
            f"({timing.records / timing.repeat_seconds:,.0f} records/s)",
            "",
        ]
    )


if __name__ == "__main__":
    asyncio.run(main())
