"""Import throughput: a synthetic graph file of more than 10,000 records sent to POST /imports.

``python -m bench.imports`` imports it into a scratch copy of the benchmark graph
(bench/data.py) over real HTTP, a fresh copy of the file (new ids) each round, then sends
the same file again (every record checked, nothing written). With
``BENCH_SERVICE_DIR=/path/to/checkout`` it serves that checkout too, alternating the two
round by round, and prints records/s per round for each. Each checkout writes to a copy
of the graph of its own, migrated by its own service: two checkouts may differ in their
migrations (a newer one's indexes are not there for the older one's statements).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.data import DATA_ROOT, LoadedGraph, open_store, prepared_graph, store_settings
from bench.generate import Size, synthetic_graph
from bench.report import write_section
from bench.run import _cpu, checkout_commit
from service.auth.api_keys import issue_key
from service.embedded_store import EmbeddedStore, free_port, start_embedded_store
from service.store import Store, Transaction

IMPORT_SIZE = Size(
    interventions=330,
    agencies=500,
    studies_per_intervention=2,
    findings_per_study=2,
    outcomes=60,
    participants_per_intervention=4,
)


@dataclass(frozen=True)
class ImportTiming:
    records: int
    megabytes: float
    first_seconds: float
    repeat_seconds: float


def import_document(prefix: str) -> tuple[dict[str, Any], int]:
    """The synthetic graph as an import file, ids prefixed so it joins no existing node."""
    graph = synthetic_graph(IMPORT_SIZE, seed=11)
    document = {
        "sources": {"bench": {"citation": "Synthetic benchmark data (bench/generate.py)"}},
        "nodes": [
            {
                "label": n.label,
                "id": f"{prefix}{n.id}",
                "source": "bench",
                "properties": {
                    k: v.isoformat() if hasattr(v, "isoformat") else v
                    for k, v in n.properties.items()
                },
            }
            for n in graph.nodes
        ],
        "relationships": [
            {
                "type": r.type,
                "from": f"{prefix}{r.from_id}",
                "to": f"{prefix}{r.to_id}",
                "source": "bench",
                "properties": r.properties,
            }
            for r in graph.relationships
        ],
    }
    return document, len(graph.nodes) + len(graph.relationships)


async def time_import(client: httpx.AsyncClient, store: Store) -> ImportTiming:
    await store.write_one(
        "MERGE (:Agency {id: 'bench-importer', name: 'Benchmark importer', sector: 'OTHER'})"
    )
    token = (
        await issue_key(store, name="bench", agency_id="bench-importer", scopes=["evidence:write"])
    ).token
    document, records = import_document("imp-")
    body = json.dumps(document).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        response = await client.post("/v1/imports", content=body, headers=headers, timeout=600)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:500]
    report = response.json()
    assert report["nodes"]["unchanged"] + report["relationships"]["unchanged"] == records, (
        "the re-run changed nothing"
    )
    return ImportTiming(records, len(body) / 1e6, timings[0], timings[1])


ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# Rounds on each side before the timed ones (import, again, loader), kept out of the
# medians: a store that has run for a while has compiled its hot paths. In a fresh store
# the Java JIT compiler keeps up to a core busy through the first several imports (Java
# Flight Recorder on the embedded store: C2 compilations of the store's write path
# throughout the first 6 of them, the store's CPU per import falling from 7 s to under
# 1 s), so timing from the first import measures the compiler as much as the import.
# The first of them, each side's cold import, is reported on its own.
WARMUP = int(os.environ.get("BENCH_IMPORT_WARMUP", "6"))
# BENCH_RAW=0 leaves out the unchecked loader run after each round.
RAW = os.environ.get("BENCH_RAW", "1") != "0"
PROJECT = Path(__file__).resolve().parent.parent


# On the embedded store the service runs its writes one at a time through its write gate
# (SERIALIZE_WRITES, as `make serve` does), and an import, alone on the store, takes no
# locks and numbers its change-log entries as it writes them. Handed the store by
# NEO4J_URI, the service would take it for Neo4j and run as there, among concurrent
# writers: BENCH_IMPORT_GATE=0 measures that path (node locks, entries numbered at commit).
GATED = os.environ.get("BENCH_IMPORT_GATE", "1") != "0"


def _service(
    folder: Path, embedded: EmbeddedStore, port: int, data_dir: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        # The write gate's lock file and the views' snapshot files: the side's own.
        "DATA_DIR": str(data_dir),
        "SERIALIZE_WRITES": "true" if GATED else "false",
        "NEO4J_URI": embedded.uri,
        "NEO4J_USER": embedded.user,
        "NEO4J_PASSWORD": embedded.password,
        "NEO4J_DATABASE": embedded.database,
        "LOAD_EXAMPLE_DATA": "false",
        # The views' background warm-up reads and judges the whole graph for a minute
        # after start-up: it would share the machine with the first rounds' imports.
        "EVIDENCE_WARMUP": "false",
        "RATE_LIMIT_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(folder),
        # As `make serve` runs it (its HTTP protocol and event loop), one worker.
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "1",
    }
    return subprocess.Popen([sys.executable, "-m", "service", "serve"], cwd=folder, env=env)


async def _ready(client: httpx.AsyncClient) -> None:
    for _ in range(3000):
        try:
            if (await client.get("/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the service did not become ready")


@dataclass(frozen=True)
class Round:
    """One round of one side: records/s of the first import and of the same file again,
    and the CPU seconds the service and the store processes spent on the first."""

    first: float
    again: float
    service_cpu: float
    store_cpu: float


async def _one_round(
    client: httpx.AsyncClient, token: str, prefix: str, *, service_pid: int, store_pid: int
) -> tuple[int, Round]:
    document, records = import_document(prefix)
    body = json.dumps(document).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    seconds = []
    cpu: list[tuple[float, float]] = []
    for _ in range(2):
        service_before, store_before = _cpu(service_pid), _cpu(store_pid)
        started = time.perf_counter()
        response = await client.post("/v1/imports", content=body, headers=headers, timeout=600)
        seconds.append(time.perf_counter() - started)
        cpu.append((_cpu(service_pid) - service_before, _cpu(store_pid) - store_before))
        assert response.status_code == 200, response.text[:500]
    assert (
        response.json()["nodes"]["unchanged"] + response.json()["relationships"]["unchanged"]
        == records
    ), "the re-run changed nothing"
    first_cpu = cpu[0]
    return records, Round(records / seconds[0], records / seconds[1], *first_cpu)


# The baseline: the same records with no checks, no provenance and no change log, in
# batches of 2,000 by UNWIND, in one transaction through the driver on the same store.
_RAW_NODES = (
    "UNWIND $rows AS row CREATE (n:{label} {{id: row.id}}) SET n += row.p, n.source = row.s"
)
_RAW_LINKS = (
    "UNWIND $rows AS row MATCH (a:{from_label} {{id: row.f}}) MATCH (b:{to_label} {{id: row.t}}) "
    "CREATE (a)-[r:{type}]->(b) SET r += row.p, r.source = row.s"
)
_RAW_BATCH = 2000


async def raw_load(store: Store, prefix: str) -> tuple[int, float]:
    """Records and seconds of the unchecked loader, on a fresh copy of the file's records."""
    document, records = import_document(prefix)
    citation = document["sources"]["bench"]["citation"]
    label_of = {node["id"]: node["label"] for node in document["nodes"]}
    node_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in document["nodes"]:
        node_rows[node["label"]].append({"id": node["id"], "p": node["properties"], "s": citation})
    link_rows: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for link in document["relationships"]:
        key = (link["type"], label_of[link["from"]], label_of[link["to"]])
        row = {"f": link["from"], "t": link["to"], "p": link["properties"], "s": citation}
        link_rows[key].append(row)

    async def work(tx: Transaction) -> None:
        for label, rows in node_rows.items():
            for start in range(0, len(rows), _RAW_BATCH):
                batch = rows[start : start + _RAW_BATCH]
                await tx.run(_RAW_NODES.format(label=label), {"rows": batch})
        for (rel_type, from_label, to_label), rows in link_rows.items():
            statement = _RAW_LINKS.format(type=rel_type, from_label=from_label, to_label=to_label)
            for start in range(0, len(rows), _RAW_BATCH):
                batch = rows[start : start + _RAW_BATCH]
                await tx.run(statement, {"rows": batch})

    started = time.perf_counter()
    await store.write(work, timeout=600)
    return records, time.perf_counter() - started


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered):,.0f} ({ordered[0]:,.0f}-{ordered[-1]:,.0f})"


async def _start_side(
    side: int, folder: Path, data_dir: Path
) -> tuple[EmbeddedStore, Store, subprocess.Popen[bytes], int]:
    scratch = DATA_ROOT / f"imports-scratch-{side}"
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(data_dir, scratch)
    embedded = await start_embedded_store(store_settings(scratch))
    port = free_port()
    service_dir = scratch / "service"
    service_dir.mkdir()
    return embedded, open_store(embedded), _service(folder, embedded, port, service_dir), port


async def _token(client: httpx.AsyncClient, store: Store) -> str:
    """A writer's key, once the service has migrated its store."""
    await _ready(client)
    await store.write_one(
        "MERGE (:Agency {id: 'bench-importer', name: 'Benchmark importer', sector: 'OTHER'})"
    )
    return (
        await issue_key(store, name="bench", agency_id="bench-importer", scopes=["evidence:write"])
    ).token


async def main() -> None:
    graph = await prepared_graph()
    sides = {"this checkout": PROJECT}
    if other := os.environ.get("BENCH_SERVICE_DIR"):
        sides["BENCH_SERVICE_DIR"] = Path(other)
    load_before = os.getloadavg()
    started = {
        side: await _start_side(number, folder, graph.data_dir)
        for number, (side, folder) in enumerate(sides.items())
    }
    results: dict[str, list[Round]] = {side: [] for side in sides}
    raw: list[float] = []
    clients = {
        side: httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
        for side, (_, _, _, port) in started.items()
    }
    try:
        tokens = {side: await _token(clients[side], started[side][1]) for side in sides}

        async def round_of(side: str, prefix: str) -> tuple[int, Round]:
            embedded, _, service, _ = started[side]
            return await _one_round(
                clients[side],
                tokens[side],
                prefix,
                service_pid=service.pid,
                store_pid=embedded.pid,
            )

        names = list(sides)
        cold: dict[str, Round] = {}
        for number in range(WARMUP):
            for index, side in enumerate(names):
                _, warming = await round_of(side, f"w{number}-{index}-")
                cold.setdefault(side, warming)
                if RAW:
                    await raw_load(started[side][1], f"raw-w{number}-{index}-")
            print(f"warm-up round {number + 1} of {WARMUP} done", flush=True)  # noqa: T201
        for number in range(ROUNDS):
            for index in range(len(names)):
                side = names[(number + index) % len(names)]
                records, timed = await round_of(side, f"r{number}-{index}-")
                results[side].append(timed)
                print(  # noqa: T201 - progress on the console
                    f"round {number + 1} {side}: first {timed.first:,.0f} records/s "
                    f"(CPU: service {timed.service_cpu:.2f} s, store {timed.store_cpu:.2f} s), "
                    f"again {timed.again:,.0f} records/s",
                    flush=True,
                )
            if RAW:
                # Through the driver onto this checkout's store, as its imports go.
                records, seconds = await raw_load(started[names[0]][1], f"raw{number}-")
                raw.append(records / seconds)
                print(  # noqa: T201
                    f"round {number + 1} unchecked UNWIND loader: {records / seconds:,.0f} records/s",
                    flush=True,
                )
    finally:
        for client in clients.values():
            await client.aclose()
        for number, (embedded, store, service, _) in enumerate(started.values()):
            service.terminate()
            service.wait(timeout=30)
            await store.close()
            await embedded.stop()
            shutil.rmtree(DATA_ROOT / f"imports-scratch-{number}", ignore_errors=True)
    load_after = os.getloadavg()
    write_section(
        _section(
            graph=graph,
            records=records,
            sides={side: (sides[side], rounds) for side, rounds in results.items()},
            cold=cold,
            raw=raw,
            load=(load_before[0], load_after[0]),
        )
    )


def _section(
    *,
    graph: LoadedGraph,
    records: int,
    sides: dict[str, tuple[Path, list[Round]]],
    cold: dict[str, Round],
    raw: list[float],
    load: tuple[float, float],
) -> str:
    """The run as a section of bench/RESULTS.md."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = list(sides)
    lines = [
        f"## Bulk import (`python -m bench.imports`), {when}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} at "
        f"the start and {load[1]:.1f} at the end (the benchmark's own store, service and "
        f"loader included). {ROUNDS} rounds of a {records:,}-record file (new ids each round, "
        "every check on, a change-log entry per record) sent to `POST /v1/imports` over HTTP, "
        + (
            "the service running its writes through its write gate as on the embedded store "
            "(an import alone on the store), "
            if GATED
            else "the service running as on Neo4j among concurrent writers (BENCH_IMPORT_GATE=0: "
            "node locks, change-log entries numbered at commit), "
        )
        + f"into a copy of the benchmark graph ({graph.nodes:,} nodes, "
        f'{graph.relationships:,} relationships); "again" sends the same file a second time '
        "(every record checked and read, nothing written). "
        + (
            f"Before the timed rounds each side ran {WARMUP} untimed ones (import, again, "
            "loader on its store), so the store's Java JIT compiler has done most of its "
            "work; the last column is the first of them, the import into a fresh store; "
            if WARMUP
            else "Round 1 is each store's first (cold) import; "
        )
        + "CPU is what the service process and the store process used during "
        "the first import, from /proc (median over rounds): beside the wall time it shows "
        "how much of the machine's cores the import kept busy, and on which side.",
        "",
        "| records/s, median (min-max) | first import | again (nothing written) "
        "| CPU s per first import: service / store | cold: first import into a fresh store |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name}: `{folder}` at {checkout_commit(folder)} | "
            f"{_spread([r.first for r in rounds])} | {_spread([r.again for r in rounds])} | "
            f"{statistics.median(r.service_cpu for r in rounds):.2f} / "
            f"{statistics.median(r.store_cpu for r in rounds):.2f} | "
            + (f"{cold[name].first:,.0f} |" if name in cold else "|")
            for name, (folder, rounds) in sides.items()
        ),
    ]
    if raw:
        lines.append(
            f"| unchecked `UNWIND` loader (no checks, no provenance, no change log) | "
            f"{_spread(raw)} | | | |"
        )
    lines.append("")
    first = sides[names[0]][1]
    if raw:
        lines.append(
            "First import, this checkout / loader per round: "
            + ", ".join(f"{r.first / b:.2f}" for r, b in zip(first, raw, strict=True))
            + "."
        )
    if len(names) == 2:
        other = sides[names[1]][1]
        lines.append(
            "First import, this checkout / BENCH_SERVICE_DIR per round: "
            + ", ".join(f"{a.first / b.first:.2f}" for a, b in zip(first, other, strict=True))
            + "."
        )
    return "\n".join([*lines, ""])


if __name__ == "__main__":
    asyncio.run(main())
