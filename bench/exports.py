"""Subgraph, paths and export timings on the benchmark's synthetic graph.

Run with `.venv/bin/python -m bench.exports`; prints a table (not a test: timings depend
on the machine).
"""

from __future__ import annotations

import asyncio
import resource
import socket
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn

from bench.data import import_files
from bench.generate import Size, synthetic_graph
from service.app import create_app
from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.settings import Settings
from service.writes.outcome import Writer

GRAPHQL = {
    "subgraph depth 1": '{ subgraph(ids: ["Intervention:i-500"], depth: 1) { nodes { key } edges { type } } }',
    "subgraph depth 2": '{ subgraph(ids: ["Intervention:i-500"], depth: 2) { nodes { key } edges { type } } }',
    "subgraph depth 2, 2 types": """{ subgraph(ids: ["Intervention:i-500"], depth: 2,
        relationshipTypes: [PARTICIPATES_IN, EVALUATES]) { nodes { key } edges { type } } }""",
    "paths i-500 to i-900": """{ paths(fromId: "Intervention:i-500", toId: "Intervention:i-900", maxLength: 4)
        { truncated paths { length } } }""",
}
EXPORTS = {
    "export csv, whole graph": "/v1/exports/csv",
    "export cytoscape, whole graph": "/v1/exports/cytoscape",
    "export graphml, whole graph": "/v1/exports/graphml",
    "export gexf, whole graph": "/v1/exports/gexf",
    "export graphml, subgraph depth 2": "/v1/exports/graphml?ids=Intervention:i-500&depth=2",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _report(line: str) -> None:
    print(line)  # noqa: T201 - the benchmark's output is its report


async def main() -> None:
    graph = synthetic_graph(Size())
    _report(f"{len(graph.nodes)} nodes, {len(graph.relationships)} relationships")
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir), load_example_data=False))
        async with app.router.lifespan_context(app):
            for path in import_files(graph, Path(data_dir)):
                await run_import(
                    app.state.runtime.store,
                    JsonImportFile(path),
                    writer=Writer(client="bench", agency=None),
                    max_rejections=10,
                    timeout=3600,
                )
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
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, timeout=600) as c:
                for name, query in GRAPHQL.items():
                    started = time.perf_counter()
                    body = (await c.post("/graphql", json={"query": query})).json()
                    elapsed = (time.perf_counter() - started) * 1000
                    data = body.get("data") or body
                    size = {k: len(v) for k, v in (data.get("subgraph") or {}).items()}
                    _report(f"{name:34} {elapsed:8.0f} ms  {size or ''}{body.get('errors', '')}")
                for name, url in EXPORTS.items():
                    started = time.perf_counter()
                    first_byte = None
                    total = 0
                    async with c.stream("GET", url) as response:
                        async for chunk in response.aiter_bytes():
                            first_byte = first_byte or time.perf_counter()
                            total += len(chunk)
                    elapsed = (time.perf_counter() - started) * 1000
                    ttfb = ((first_byte or time.perf_counter()) - started) * 1000
                    _report(
                        f"{name:34} {elapsed:8.0f} ms  first byte {ttfb:6.0f} ms  {total / 1e6:6.1f} MB"
                    )
            server.should_exit = True
            await serving
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _report(f"peak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    asyncio.run(main())
