"""The first answer of each whole-graph view after a restart, and after a write.

The timed rounds of bench/run.py measure the views once they are warm. A user who
comes just after a deployment, or just after someone recorded a finding, is the one
who waits for a snapshot file to be loaded, or for the cells to be shaped for a
document the process has not seen. This runs the service (``python -m service serve``,
``BENCH_WORKERS`` workers, default 1) on the benchmark graph ``BENCH_RESTARTS`` times
(default 3) and each time:

1. waits until it is ready, then asks each whole-graph view once, timing each answer
   (the first view asked is a different one each start, so each is first once in four);
2. waits until its warm-up is done (its log says so), writes once (an intervention's
   description: the next version of the graph reaches that intervention's evidence),
   and asks each view again, timing each answer.

The first start of a run may find no snapshot file this code can use (new code has rules
of its own), and then builds one (half a minute): it is reported, but not counted with
the rest, which each find the file the start before them wrote. ``BENCH_SERVICE_DIR``
serves another checkout, as in bench/run.py; each checkout keeps its snapshot files in
a DATA_DIR of its own under ``BENCH_FIRST_DIR`` (default /tmp/bench-first-answers).
The counted starts go on top of bench/RESULTS.md as a section of their own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.data import prepared_graph, store_settings
from bench.report import write_section
from bench.run import (
    SERVICE_DIR,
    _free_port,
    _memory_mb,
    _wait_ready,
    _writer_headers,
    checkout_commit,
)
from bench.shapes import SHAPES, Shape
from service.embedded_store import EmbeddedStore, start_embedded_store

RESTARTS = int(os.environ.get("BENCH_RESTARTS", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
FIRST_DIR = Path(os.environ.get("BENCH_FIRST_DIR", "/tmp/bench-first-answers"))
VIEWS = [s for s in SHAPES if s.whole_graph and s.key != "network"]
_WARM = "warm: built in"
_WRITE = (
    "mutation W($input: InterventionInput!) { upsertIntervention(input: $input) "
    "{ intervention { id } } }"
)


def _start(
    embedded: EmbeddedStore, port: int, data_dir: Path, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": embedded.uri,
        "NEO4J_USER": embedded.user,
        "NEO4J_PASSWORD": embedded.password,
        "NEO4J_DATABASE": embedded.database,
        "DATA_DIR": str(data_dir),
        "LOAD_EXAMPLE_DATA": "false",
        "RATE_LIMIT_REQUESTS": "0",
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(SERVICE_DIR),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": str(WORKERS),
        "EVIDENCE_WARMUP": "true",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "service", "serve"],
            cwd=SERVICE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def _ask(client: httpx.AsyncClient, shape: Shape) -> float:
    started = time.perf_counter()
    answer = await client.post(
        "/graphql", json={"query": shape.query, "variables": shape.variables}
    )
    took = time.perf_counter() - started
    body = answer.json()
    if "errors" in body:
        raise RuntimeError(f"{shape.key}: {body['errors']}")
    return took


async def _warm(log: Path, since: int, workers: int) -> None:
    """Until ``workers`` warm-ups logged after byte ``since`` of the log are done."""
    for _ in range(3000):
        if log.read_bytes()[since:].decode(errors="replace").count(_WARM) >= workers:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("the warm-up did not finish")


def _order(start: int) -> list[Shape]:
    return VIEWS[start % len(VIEWS) :] + VIEWS[: start % len(VIEWS)]


async def _one_start(
    embedded: EmbeddedStore, number: int, headers: dict[str, str], data_dir: Path, log: Path
) -> dict[str, Any]:
    port = _free_port()
    since = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    service = _start(embedded, port, data_dir, log)
    found: dict[str, Any] = {"restart": {}, "after write": {}}
    try:
        base = f"http://127.0.0.1:{port}"
        await _wait_ready(base)
        found["ready"] = time.perf_counter() - started
        async with httpx.AsyncClient(base_url=base, timeout=900) as client:
            for shape in _order(number):
                found["restart"][shape.key] = await _ask(client, shape)
            await _warm(log, since, WORKERS)
            write = {
                "input": {
                    "id": "i-7",
                    "source": "https://example.org/bench",
                    "description": f"first answers, start {number} at {time.time()}",
                }
            }
            answer = await client.post(
                "/graphql", json={"query": _WRITE, "variables": write}, headers=headers
            )
            if "errors" in answer.json():
                raise RuntimeError(f"the write failed: {answer.json()['errors']}")
            for shape in _order(number):
                found["after write"][shape.key] = await _ask(client, shape)
        found["memory"] = _memory_mb(service.pid)
    finally:
        service.terminate()
        service.wait(timeout=60)
    return found


def _summary(label: str, runs: list[dict[str, Any]], phase: str) -> str:
    parts = []
    for shape in VIEWS:
        times = [r[phase][shape.key] for r in runs]
        parts.append(
            f"{shape.key} median {statistics.median(times):.2f} s "
            f"(max {max(times):.2f}; {', '.join(f'{t:.2f}' for t in times)})"
        )
    return f"{label}, {phase}: " + "; ".join(parts)


async def main() -> None:
    graph = await prepared_graph()
    embedded = await start_embedded_store(store_settings(graph.data_dir))
    data_dir = FIRST_DIR / SERVICE_DIR.name
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / "service.log"
    runs = []
    try:
        headers = await _writer_headers(embedded)
        for number in range(RESTARTS + 1):
            load = os.getloadavg()[0]
            found = await _one_start(embedded, number, headers, data_dir, log)
            found["load"] = (load, os.getloadavg()[0])
            runs.append(found)
            print(  # noqa: T201 - progress on the console
                f"start {number}{' (not counted)' if number == 0 else ''}: ready after {found['ready']:.1f} s; first answers "
                + ", ".join(f"{k} {v:.2f} s" for k, v in found["restart"].items())
                + "; after a write "
                + ", ".join(f"{k} {v:.2f} s" for k, v in found["after write"].items())
                + f"; memory {found['memory'][0]:.0f} MB (peak {found['memory'][1]:.0f}); "
                f"load {found['load'][0]:.1f} to {found['load'][1]:.1f}",
                flush=True,
            )
    finally:
        await embedded.stop()
    counted = runs[1:]
    if counted:
        label = f"{SERVICE_DIR} ({len(counted)} starts after the first, {WORKERS} worker(s))"
        print(_summary(label, counted, "restart"))  # noqa: T201
        print(_summary(label, counted, "after write"))  # noqa: T201
        write_section(_section(counted))


def _section(runs: list[dict[str, Any]]) -> str:
    """The counted starts as a section of bench/RESULTS.md, a row per start and phase."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    keys = [shape.key for shape in VIEWS]
    lines = [
        f"## First answers of the whole-graph views (`python -m bench.first_answers`), {when}",
        "",
        f"Service code: `{SERVICE_DIR}` at {checkout_commit(SERVICE_DIR)}, {WORKERS} worker "
        f"process(es), {len(runs)} starts after a first one that is not counted; "
        f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{min(r['load'][0] for r in runs):.1f}-{max(r['load'][1] for r in runs):.1f}. "
        "Seconds from the request to its whole answer; the first view asked (a different "
        "one each start) is the service's first request after readiness. After a write: "
        "each view again once the warm-up is done and an intervention has been written.",
        "",
        "| start | phase | ready (s) | " + " | ".join(keys) + " | memory MB (peak) |",
        "|---:|---|---:|" + "---:|" * len(keys) + "---:|",
    ]
    for number, run in enumerate(runs, start=1):
        for phase in ("restart", "after write"):
            first = next(iter(run[phase]))
            times = [
                f"**{run[phase][k]:.2f}**" if k == first else f"{run[phase][k]:.2f}" for k in keys
            ]
            ready = f"{run['ready']:.1f}" if phase == "restart" else ""
            memory = f"{run['memory'][0]:,.0f} ({run['memory'][1]:,.0f})"
            lines.append(
                f"| {number} | {phase} | {ready} | " + " | ".join(times) + f" | {memory} |"
            )
    lines += ["", "The first view asked after each start is in bold."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    asyncio.run(main())
