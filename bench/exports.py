"""Subgraph, paths and export timings on a synthetic graph, and how responsive the service
stays while each export is built.

Run with `.venv/bin/python -m bench.exports` (part of `make bench`); prints a table and
puts it on top of bench/RESULTS.md (not a test: timings depend on the machine). While each
export runs, a ticker task asks the event loop to run it every 5 ms and notes the longest
gap (the loop the uvicorn server answers on: this process's), and a second client sends
a small GraphQL query over HTTP one after the other, every answer checked; their latency
while no export runs is the first row. The garbage collector's full collections are timed
too: one stops every thread, so it stalls the loop however the export is built.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import platform
import resource
import socket
import statistics
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import httpx
import uvicorn

from bench.data import import_files
from bench.generate import Size, synthetic_graph
from bench.report import write_section
from service.app import create_app
from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.settings import Settings
from service.writes.outcome import Writer

GRAPHQL: Final = {
    "subgraph depth 1": '{ subgraph(ids: ["Intervention:i-500"], depth: 1) { nodes { key } edges { type } } }',
    "subgraph depth 2": '{ subgraph(ids: ["Intervention:i-500"], depth: 2) { nodes { key } edges { type } } }',
    "subgraph depth 2, 2 types": """{ subgraph(ids: ["Intervention:i-500"], depth: 2,
        relationshipTypes: [PARTICIPATES_IN, EVALUATES]) { nodes { key } edges { type } } }""",
    "paths i-500 to i-900": """{ paths(fromId: "Intervention:i-500", toId: "Intervention:i-900", maxLength: 4)
        { truncated paths { length } } }""",
}
EXPORTS: Final = {
    "export csv, whole graph": "/v1/exports/csv",
    "export cytoscape, whole graph": "/v1/exports/cytoscape",
    "export graphml, whole graph": "/v1/exports/graphml",
    "export gexf, whole graph": "/v1/exports/gexf",
    "export graphml, subgraph depth 2": "/v1/exports/graphml?ids=Intervention:i-500&depth=2",
}
SMALL_QUERY: Final = '{ intervention(id: "i-500") { name } }'
_TICK_SECONDS: Final = 0.005
_QUERY_PAUSE_SECONDS: Final = 0.02
_IDLE_SECONDS: Final = 3.0

T = TypeVar("T")


@dataclass(frozen=True)
class Responsiveness:
    """The event loop's longest gap between ticks, the small queries' latencies and the
    garbage collector's pauses (seconds): a collection holds every thread, the loop's too."""

    longest_stall: float
    latencies: list[float]
    collections: list[float]

    def cells(self) -> str:
        if self.latencies:
            ordered = sorted(self.latencies)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            queries = (
                f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / "
                f"{ordered[-1] * 1000:.0f} ({len(ordered)})"
            )
        else:
            queries = "none"
        longest_collection = max(self.collections, default=0.0)
        return (
            f"{self.longest_stall * 1000:.0f} | {queries} | {longest_collection * 1000:.0f} "
            f"({len(self.collections)})"
        )


class FullCollections:
    """Durations of the garbage collector's full (generation 2) collections while on."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self._started = 0.0

    def __enter__(self) -> list[float]:
        gc.callbacks.append(self._note)
        return self.durations

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.durations.append(time.perf_counter() - self._started)


@dataclass(frozen=True)
class Row:
    name: str
    milliseconds: float
    detail: str
    responsiveness: Responsiveness | None = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _report(line: str) -> None:
    print(line)  # noqa: T201 - the benchmark's output is its report


async def _longest_stall(stop: asyncio.Event) -> float:
    """The longest the event loop went without running this ticker, until ``stop``."""
    longest, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(_TICK_SECONDS)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return longest


async def _small_queries(base: str, expected: object, stop: asyncio.Event) -> list[float]:
    """Latencies of SMALL_QUERY sent over a connection of its own, one at a time."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        while not stop.is_set():
            started = time.perf_counter()
            answer = (await client.post("/graphql", json={"query": SMALL_QUERY})).json()
            latencies.append(time.perf_counter() - started)
            if answer != expected:
                raise AssertionError(f"the small query answered {answer}, not {expected}")
            await asyncio.sleep(_QUERY_PAUSE_SECONDS)
    return latencies


async def _while_measured(
    work: Awaitable[T], base: str, expected: object
) -> tuple[T, Responsiveness]:
    stop = asyncio.Event()
    with FullCollections() as collections:
        ticker = asyncio.create_task(_longest_stall(stop))
        queries = asyncio.create_task(_small_queries(base, expected, stop))
        try:
            result = await work
        finally:
            stop.set()
        return result, Responsiveness(await ticker, await queries, collections)


async def _export(client: httpx.AsyncClient, url: str) -> tuple[float, float, int]:
    """Seconds to the whole file and to its first byte, and its size in bytes."""
    started = time.perf_counter()
    first_byte = None
    total = 0
    async with client.stream("GET", url) as response:
        response.raise_for_status()
        async for chunk in response.aiter_bytes():
            first_byte = first_byte or time.perf_counter()
            total += len(chunk)
    finished = time.perf_counter()
    return finished - started, (first_byte or finished) - started, total


async def _measure(base: str) -> list[Row]:
    rows: list[Row] = []
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        for name, query in GRAPHQL.items():
            started = time.perf_counter()
            body = (await client.post("/graphql", json={"query": query})).json()
            elapsed = (time.perf_counter() - started) * 1000
            data = body.get("data") or body
            size = {k: len(v) for k, v in (data.get("subgraph") or {}).items()}
            rows.append(Row(name, elapsed, f"{size or ''}{body.get('errors', '')}"))
            _report(f"{name:34} {elapsed:8.0f} ms  {rows[-1].detail}")
        expected = (await client.post("/graphql", json={"query": SMALL_QUERY})).json()
        _, idle = await _while_measured(asyncio.sleep(_IDLE_SECONDS), base, expected)
        rows.append(Row("no export (idle)", _IDLE_SECONDS * 1000, "", idle))
        _report(f"{'no export (idle)':34} stall/query: {idle.cells()}")
        for name, url in EXPORTS.items():
            (seconds, first, length), seen = await _while_measured(
                _export(client, url), base, expected
            )
            detail = f"first byte {first * 1000:.0f} ms, {length / 1e6:.1f} MB"
            rows.append(Row(name, seconds * 1000, detail, seen))
            _report(f"{name:34} {seconds * 1000:8.0f} ms  {detail}  stall/query: {seen.cells()}")
    return rows


def _section(rows: list[Row], *, nodes: int, relationships: int, load: tuple[float, float]) -> str:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"## Exports (`python -m bench.exports`), {when}",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} "
            f"at the start and {load[1]:.1f} at the end. Graph: {nodes:,} nodes and "
            f"{relationships:,} relationships (bench/generate.py's default size), imported "
            "into a scratch store; the service runs under uvicorn in the benchmark's process, "
            "one request at a time. During each export (and for "
            f"{_IDLE_SECONDS:.0f} s with none) a ticker asks the event loop to run it every "
            f"{_TICK_SECONDS * 1000:.0f} ms: the longest gap is the longest any request "
            "waited for the loop; and `" + SMALL_QUERY + "` is sent over a connection of its "
            f"own again and again ({_QUERY_PAUSE_SECONDS * 1000:.0f} ms apart), every answer "
            "checked; the longest of the garbage collector's full collections meanwhile "
            "(it holds every thread, the loop's too). "
            f"Peak resident memory of the process: {peak:.0f} MB.",
            "",
            "| request | ms | answer | longest loop gap, ms | small query p50 / p95 / max, ms (count) "
            "| longest full GC, ms (count) |",
            "|---|---:|---|---:|---:|---:|",
            *(
                f"| {row.name} | {row.milliseconds:,.0f} | {row.detail} | "
                + (row.responsiveness.cells() if row.responsiveness else " | | ")
                + " |"
                for row in rows
            ),
            "",
        ]
    )


async def main() -> None:
    load_before = os.getloadavg()
    graph = synthetic_graph(Size())
    _report(f"{len(graph.nodes)} nodes, {len(graph.relationships)} relationships")
    with tempfile.TemporaryDirectory() as data_dir:
        # No rate limit (the small queries alone send hundreds a minute) and no warm-up of
        # the whole-graph views, which would share the machine with the exports.
        settings = Settings(
            data_dir=Path(data_dir),
            load_example_data=False,
            rate_limit_requests=0,
            evidence_warmup=False,
            evidence_snapshot_files=False,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            started = time.perf_counter()
            for path in import_files(graph, Path(data_dir)):
                await run_import(
                    app.state.runtime.store,
                    JsonImportFile(path),
                    writer=Writer(client="bench", agency=None),
                    max_rejections=10,
                    timeout=3600,
                )
            _report(f"imported in {time.perf_counter() - started:.0f} s")
            # A real server, so responses stream and the first byte can be timed.
            port = _free_port()
            server = uvicorn.Server(
                uvicorn.Config(
                    app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
                )
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            try:
                rows = await _measure(f"http://127.0.0.1:{port}")
            finally:
                server.should_exit = True
                await serving
    write_section(
        _section(
            rows,
            nodes=len(graph.nodes),
            relationships=len(graph.relationships),
            load=(load_before[0], os.getloadavg()[0]),
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
