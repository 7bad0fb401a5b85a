"""The benchmark: the service over real HTTP against hand-written Cypher, same store.

Run with `make bench` (``BENCH_QUICK=1`` for one short round per case while developing).
It loads the benchmark graph through the bulk import (once; see bench/data.py), starts
the embedded store and the service (``python -m service serve`` as `make serve` runs it,
in its own process, one worker), checks
that service and hand-written statement give the same answer for every shape, then for
each shape and concurrency runs alternating rounds: raw Cypher through the driver, then
the service, each driven by a load generator in a process of its own (bench/load.py).
CPU per request comes from /proc for the service and the store processes; Cypher
statements per request from the service's /metrics. The report replaces the top of
bench/RESULTS.md; the previous report is kept below it.

``BENCH_SERVICE_DIR=/path/to/checkout`` serves another checkout of the code (e.g. the
commit before a change) against the same store, for before/after tables.
``BENCH_FIRST_AFTER=S`` waits S seconds after the service is ready before its first
answers (a user who comes once the whole-graph views are warm; default 0: at once).
``BENCH_WORKERS=N`` runs the service with N worker processes (``WORKERS=N python -m
service serve``; default 1); its CPU is then that of the parent and every worker.
``BENCH_RAW_READS=transaction`` has the raw side read in an explicit transaction (BEGIN,
RUN, COMMIT: the driver's managed transactions, and the service's reads before they
became one auto-commit statement); by default it reads as the service does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import neo4j

from bench.data import LoadedGraph, open_store, prepared_graph, store_settings
from bench.report import write_report
from bench.shapes import SHAPES, Shape, raw_answer
from service.auth.api_keys import issue_key
from service.embedded_store import EmbeddedStore, start_embedded_store

QUICK = bool(os.environ.get("BENCH_QUICK"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3" if QUICK else "8"))
WARMUP = 1.0 if QUICK else 2.0
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,8,32").split(",")]
# The whole-graph views' hand-written statements take 10-20 s each on the benchmark graph:
# 8 or 32 at once only measure how long the store's queue grows.
VIEW_CONCURRENCY = [int(c) for c in os.environ.get("BENCH_VIEW_CONCURRENCY", "1").split(",")]
ONLY = set(filter(None, os.environ.get("BENCH_SHAPES", "").split(",")))
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))
FIRST_AFTER = float(os.environ.get("BENCH_FIRST_AFTER", "0"))
RAW_READS = os.environ.get("BENCH_RAW_READS", "auto-commit")
SERVICE_DIR = Path(os.environ.get("BENCH_SERVICE_DIR", Path(__file__).resolve().parent.parent))
PROJECT = Path(__file__).resolve().parent.parent
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    side: str  # "raw" or "service"
    requests: int
    seconds: float
    latencies_ms: list[float]
    process_cpu: float  # the service process (service rounds) or the driver process (raw)
    store_cpu: float
    client_cpu: float
    failures: int = 0
    statements: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms) or [float("nan")]
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


@dataclass
class Case:
    shape: Shape
    concurrency: int
    rounds: list[tuple[Round, Round]] = field(default_factory=list)


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _service_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of the service process and of each of its workers, by pid."""
    used = {pid: _cpu(pid)}
    for child in _children(pid):
        try:
            used[child] = _cpu(child)
        except OSError:  # exited meanwhile
            continue
    return used


def checkout_commit(folder: Path) -> str:
    """The checkout's commit, marked when its files differ from it (but for the result
    files the benchmarks write themselves)."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True)
        return done.stdout.strip()

    changed = git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":(exclude)bench/RESULTS.md",
        ":(exclude)bench/CHANGEFEED.md",
    )
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def _selected() -> list[Shape]:
    return [s for s in SHAPES if not ONLY or s.key in ONLY]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start_service(embedded: EmbeddedStore, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "NEO4J_URI": embedded.uri,
        "NEO4J_USER": embedded.user,
        "NEO4J_PASSWORD": embedded.password,
        "NEO4J_DATABASE": embedded.database,
        "LOAD_EXAMPLE_DATA": "false",
        "RATE_LIMIT_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SERVICE_DIR),
        # The views' warm-up reads and judges the whole graph for a minute after start-up.
        # With a view among the shapes, the checks wait for it (a view's first answer)
        # before anything is timed; without one it would run during the timed rounds.
        "EVIDENCE_WARMUP": "true" if any(s.whole_graph for s in _selected()) else "false",
    }
    # As `make serve` runs it: its own HTTP protocol and event loop (service/http_server.py,
    # service/cli.py), not uvicorn's command line with its defaults.
    env.update(HOST="127.0.0.1", PORT=str(port), WORKERS=str(WORKERS))
    return subprocess.Popen([sys.executable, "-m", "service", "serve"], cwd=SERVICE_DIR, env=env)


async def _wait_ready(base: str) -> None:
    # The first start of newer code on a kept graph applies its data migrations first
    # (numbering ~360,000 change entries takes minutes), so readiness may be long coming.
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(9000):
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the service did not become ready")


async def _counters(client: httpx.AsyncClient) -> tuple[float, float]:
    """(Cypher statements sent, GraphQL requests answered) so far, from /metrics."""
    statements = requests = 0.0
    for line in (await client.get("/metrics")).text.splitlines():
        if line.startswith("evidence_cypher_statements_total"):
            statements += float(line.rsplit(" ", 1)[1])
        elif line.startswith("evidence_http_requests_total") and 'route="/graphql"' in line:
            requests += float(line.rsplit(" ", 1)[1])
    return statements, requests


async def _writer_headers(embedded: EmbeddedStore) -> dict[str, str]:
    """An Authorization header with a new writer's API key, for the mutation shapes."""
    store = open_store(embedded)
    try:
        key = await issue_key(store, name="bench", agency_id="a-0", scopes=["evidence:write"])
    finally:
        await store.close()
    return {"Authorization": f"Bearer {key.token}"}


async def _check_equal(
    shape: Shape,
    client: httpx.AsyncClient,
    driver: neo4j.AsyncDriver,
    database: str,
    headers: dict[str, str],
    first_answers: dict[str, float],
    skipped: dict[str, str],
) -> bool:
    """Whether service and statement agree; False when this service lacks the shape, or
    the store cannot run the hand-written statement of a whole-graph view (why goes in
    ``skipped``). The service's time for its answer goes in ``first_answers``."""
    started = time.perf_counter()
    body = (
        await client.post(
            "/graphql",
            json={"query": shape.query, "variables": shape.variables},
            headers=headers if shape.write else {},
        )
    ).json()
    first_answers[shape.key] = time.perf_counter() - started
    if "errors" in body:
        if shape.optional:
            print(f"skipping {shape.key}: {body['errors'][0]['message']}")  # noqa: T201
            return False
        raise RuntimeError(f"{shape.key}: the service refused the query: {body['errors']}")
    routing = neo4j.RoutingControl.WRITE if shape.write else neo4j.RoutingControl.READ
    try:
        records, _, _ = await driver.execute_query(
            shape.cypher, shape.params, database_=database, routing_=routing
        )
    except neo4j.exceptions.DatabaseError as error:
        if not shape.whole_graph:
            raise
        # On the twice-size graph the hand-written whole-graph statement may need more
        # than the store's query memory: there is no baseline to time against.
        skipped[shape.key] = f"the hand-written statement failed on this store ({error.message})"
        print(f"skipping {shape.key}: {skipped[shape.key]}")  # noqa: T201
        return False
    raw = raw_answer(shape, [record.data() for record in records])
    served = shape.answer(body["data"])
    if raw != served:
        raise RuntimeError(f"{shape.key}: service and hand-written Cypher disagree")
    return True


def _memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MB of the service process and its workers together."""
    resident = peak = 0.0
    for process in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:  # exited meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                resident += int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                peak += int(line.split()[1]) / 1024
    return resident, peak


def _load(job: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(job).encode(),
        capture_output=True,
        cwd=PROJECT,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    if result["failures"]:
        # Reported in the table (a store too slow for the load: timeouts), not hidden.
        print(f"{result['failures']} requests failed: {done.stderr.decode()[:300]}")  # noqa: T201
    return result


async def _round(
    side: str,
    shape: Shape,
    concurrency: int,
    embedded: EmbeddedStore,
    service_pid: int,
    port: int,
    client: httpx.AsyncClient,
    headers: dict[str, str],
) -> Round:
    common = {"concurrency": concurrency, "seconds": SECONDS, "warmup": WARMUP}
    if side == "raw":
        job = {
            "kind": "bolt",
            "uri": embedded.uri,
            "user": embedded.user,
            "password": embedded.password,
            "database": embedded.database,
            "statement": shape.cypher,
            "params": shape.params,
            "write": shape.write,
            "reads": RAW_READS,
            **common,
        }
    else:
        body = json.dumps({"query": shape.query, "variables": shape.variables})
        job = {"kind": "http", "host": "127.0.0.1", "port": port, "path": "/graphql", "body": body}
        job.update(common, headers=headers if shape.write else {})
    # CPU is read around the whole load-generator run, warm-up included, so it is
    # divided by every request of the run: for the service as its /metrics counts them.
    statements, requests = await _counters(client)
    cpu_before, store_cpu = _service_cpu(service_pid), _cpu(embedded.pid)
    result = await asyncio.to_thread(_load, job)
    cpu_after, store_cpu = _service_cpu(service_pid), _cpu(embedded.pid) - store_cpu
    by_process = {p: cpu_after[p] - cpu_before.get(p, 0.0) for p in cpu_after}
    service_cpu = sum(by_process.values())
    if side == "service" and WORKERS > 1:
        shares = sorted((v for p, v in by_process.items() if p != service_pid), reverse=True)
        print(  # noqa: T201 - how evenly the kernel spread connections over the workers
            "worker CPU shares: " + ", ".join(f"{v / max(service_cpu, 1e-9):.0%}" for v in shares),
            flush=True,
        )
    total = float(result["all_requests"])
    if side == "service":
        statements_after, requests_after = await _counters(client)
        total = requests_after - requests
        statements = (statements_after - statements) / max(1.0, total)
    measured = Round(
        side=side,
        requests=result["requests"],
        seconds=result["seconds"],
        latencies_ms=result["latencies_ms"],
        process_cpu=(service_cpu if side == "service" else result["client_cpu_seconds"])
        / max(1.0, total if side == "service" else result["requests"]),
        statements=statements if side == "service" else None,
        store_cpu=store_cpu / max(1.0, total),
        client_cpu=result["client_cpu_seconds"] / max(1, result["requests"]),
        failures=result["failures"],
    )
    return measured


async def main() -> None:
    graph: LoadedGraph = await prepared_graph()
    load_before = os.getloadavg()
    embedded = await start_embedded_store(store_settings(graph.data_dir))
    port = _free_port()
    service = _start_service(embedded, port)
    cases: list[Case] = []
    first_answers: dict[str, float] = {}
    skipped: dict[str, str] = {}
    startup = ""
    try:
        base = f"http://127.0.0.1:{port}"
        await _wait_ready(base)
        await asyncio.sleep(FIRST_AFTER)
        driver = neo4j.AsyncGraphDatabase.driver(
            embedded.uri, auth=(embedded.user, embedded.password)
        )
        # The first answer of a whole-graph view builds the evidence snapshot: minutes
        # on older code, so the checks wait longer than the timed requests.
        async with httpx.AsyncClient(base_url=base, timeout=900) as client:
            shapes = _selected()
            headers = await _writer_headers(embedded) if any(s.write for s in shapes) else {}
            runnable = []
            for shape in shapes:
                if await _check_equal(
                    shape, client, driver, embedded.database, headers, first_answers, skipped
                ):
                    runnable.append(shape)
            resident, peak = _memory_mb(service.pid)
            startup = (
                "The service's first answer of each shape after it started"
                + (f" and waited {FIRST_AFTER:g} s" if FIRST_AFTER else "")
                + " (whole-graph views: reading the graph's evidence, then judging it): "
                + ", ".join(f"{key} {seconds:.1f} s" for key, seconds in first_answers.items())
                + f". Service memory after the checks: {resident:,.0f} MB resident, "
                f"{peak:,.0f} MB at the peak."
                + "".join(f" Not timed: {key}, {why}." for key, why in skipped.items())
            )
            print(startup, flush=True)  # noqa: T201
            await driver.close()
            for shape in runnable:
                for concurrency in VIEW_CONCURRENCY if shape.whole_graph else CONCURRENCY:
                    case = Case(shape, concurrency)
                    for number in range(ROUNDS):
                        pair = []
                        for side in ("raw", "service") if number % 2 == 0 else ("service", "raw"):
                            pair.append(
                                await _round(
                                    side,
                                    shape,
                                    concurrency,
                                    embedded,
                                    service.pid,
                                    port,
                                    client,
                                    headers,
                                )
                            )
                        raw, served = sorted(pair, key=lambda r: r.side)
                        case.rounds.append((raw, served))
                        print(  # noqa: T201 - progress on the console
                            f"{shape.key} c={concurrency} round {number + 1}: raw {raw.rps:.0f} rps, "
                            f"service {served.rps:.0f} rps ({served.rps / raw.rps:.2f}x, "
                            f"{served.failures} failed), "
                            f"service p50 {served.percentile(0.5):.1f} ms p95 {served.percentile(0.95):.1f} ms, "
                            f"raw p50 {raw.percentile(0.5):.1f} ms p95 {raw.percentile(0.95):.1f} ms; "
                            f"store CPU {served.store_cpu * 1000:.2f} / {raw.store_cpu * 1000:.2f} ms",
                            flush=True,
                        )
                    cases.append(case)
    finally:
        service.terminate()
        service.wait(timeout=30)
        await embedded.stop()
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {load_before[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end"
    )
    write_report(
        cases=cases,
        graph=graph,
        machine=machine,
        service_dir=SERVICE_DIR,
        commit=checkout_commit(SERVICE_DIR),
        settings=f"{ROUNDS} rounds of {SECONDS:g} s per side after {WARMUP:g} s warm-up, "
        f"{WORKERS} service worker process{'es' if WORKERS > 1 else ''}, whole-graph views "
        f"at concurrency {', '.join(map(str, VIEW_CONCURRENCY))} only (BENCH_VIEW_CONCURRENCY), "
        f"raw reads {RAW_READS} (BENCH_RAW_READS)",
        when=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        startup=startup,
    )


if __name__ == "__main__":
    asyncio.run(main())
