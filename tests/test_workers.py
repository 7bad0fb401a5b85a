"""The service as `WORKERS=2 make serve` runs it: a parent process, its embedded store and
two worker processes on one port. Every check goes through real HTTP and real processes;
which worker answered is read from the pid on its access-log lines.

The tests run in file order on one service: the ones that kill processes come last.
The control pipe from parent to worker is checked on its own at the end."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn

from service.app import create_app
from service.embedded_store import free_port
from service.settings import Settings
from service.worker_process import follow_parent
from tests.conftest import StoreAddress
from tests.service_process import running_service
from tests.test_concurrency_served import LINK, UPSERT, _operations

ROOT = Path(__file__).resolve().parent.parent
RATE_LIMIT = 200
pytestmark = pytest.mark.slow


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    writer_key: str
    limited_key: str

    def log(self) -> list[dict[str, Any]]:
        lines = []
        for raw in self.log_path.read_text().splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
        return lines

    def answers(self, client_id: str | None = None) -> list[dict[str, Any]]:
        """Access-log lines of /graphql answers (of one client, when named)."""
        return [
            line
            for line in self.log()
            if line["logger"] == "service.access"
            and line.get("path") == "/graphql"
            and (client_id is None or line.get("clientId") == client_id)
        ]

    def children(self) -> dict[int, str]:
        return _children(self.process.pid)


def _children(pid: int) -> dict[int, str]:
    """The child processes of ``pid``: pid → command line."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return {}
    found = {}
    for child in map(int, listed):
        try:
            found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    return found


def _workers(served: Served) -> set[int]:
    return {pid for pid, command in served.children().items() if "service worker" in command}


def _store(served: Served) -> set[int]:
    return {pid for pid, command in served.children().items() if "embedded_server" in command}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _readiness(base: str) -> int | None:
    """The status /readyz answers, or None when it does not answer in time."""
    try:
        return httpx.get(f"{base}/readyz", timeout=10).status_code
    except httpx.HTTPError:
        return None


def _ready(base: str) -> bool:
    return _readiness(base) == 200


def _issue_key(env: dict[str, str], name: str) -> str:
    issued = subprocess.run(
        [
            *(sys.executable, "-m", "service", "keys", "issue"),
            *("--name", name, "--agency", "agency-eif", "--scope", "evidence:write"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert issued.returncode == 0, issued.stderr
    return issued.stdout.split()[4]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("workers")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")},
        "DATA_DIR": str(folder / "data"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WORKERS": "2",
        "LOG_LEVEL": "INFO",
        "RATE_LIMIT_REQUESTS": str(RATE_LIMIT),
        "RATE_LIMIT_WINDOW": "600",
        "LOAD_CATALOGUE": "false",
        # Connections a test opened to reach a given worker stay with it while it waits.
        "KEEP_ALIVE_TIMEOUT": "300",
    }
    log_path = folder / "service.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not _ready(base):
            assert process.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the service did not become ready"
            time.sleep(0.5)
        yield Served(
            base=base,
            process=process,
            log_path=log_path,
            data_dir=folder / "data",
            writer_key=_issue_key(env, "concurrent-loader"),
            limited_key=_issue_key(env, "limited-client"),
        )
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=60)


@contextlib.asynccontextmanager
async def _on_each_worker(
    served: Served, per_worker: int = 1
) -> AsyncIterator[dict[int, list[httpx.AsyncClient]]]:
    """``per_worker`` keep-alive connections to each worker: connections are opened until
    both workers hold enough, each placed by the access-log line of its first answer."""
    clients: list[httpx.AsyncClient] = []
    chosen: dict[int, list[httpx.AsyncClient]] = {}
    try:
        for _ in range(20 * per_worker):
            batch = [
                httpx.AsyncClient(
                    base_url=served.base,
                    timeout=60,
                    limits=httpx.Limits(max_connections=1, keepalive_expiry=600),
                )
                for _ in range(4)
            ]
            clients += batch
            answers = await asyncio.gather(*(c.get("/readyz") for c in batch))
            for client, answer in zip(batch, answers, strict=True):
                held = chosen.setdefault(await _worker_of(served, answer), [])
                if len(held) < per_worker:
                    held.append(client)
            if len(chosen) == 2 and all(len(held) == per_worker for held in chosen.values()):
                break
        assert [len(held) for held in chosen.values()] == [per_worker] * 2, "too few reached one"
        yield chosen
    finally:
        for client in clients:
            await client.aclose()


async def _worker_of(served: Served, answer: httpx.Response) -> int:
    """The pid on the access-log line of ``answer`` (written just after it was sent)."""
    request_id = answer.headers["x-request-id"]
    for _ in range(100):
        for line in served.log():
            if line.get("requestId") == request_id and line["logger"] == "service.access":
                return int(line["pid"])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no access-log line for request {request_id}")


async def _both(
    served: Served, body: dict[str, Any], count: int, headers: dict[str, str]
) -> list[httpx.Response]:
    """``count`` requests, half over a connection to each worker, all at once."""
    async with _on_each_worker(served) as workers:
        connections = [held[0] for held in workers.values()]
        return await asyncio.gather(
            *(connections[n % 2].post("/graphql", json=body, headers=headers) for n in range(count))
        )


def _serving_on(port: int) -> int:
    """The pid of the `python -m service serve` process started with PORT=port."""
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            environment = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if command[-3:-1] == [b"service", b"serve"] and f"PORT={port}".encode() in environment:
            return int(proc.name)
    raise AssertionError(f"no service on port {port}")


def test_workers_stop_by_themselves_when_the_parent_is_killed(
    embedded: StoreAddress, store: object, tmp_path: Path
) -> None:
    """On an external store (no store child), a parent killed outright leaves no process
    running; only the shared directory stays (as the README says), removed here."""
    port = free_port()
    with running_service(embedded, tmp_path / "service.log", port=port, workers="2") as url:
        parent = _serving_on(port)
        workers = set(_children(parent))
        assert len(workers) == 2
        shared = _shared_dirs(workers)
        assert httpx.get(f"{url}/readyz").status_code == 200
        os.kill(parent, signal.SIGKILL)
        try:
            deadline = time.monotonic() + 40
            while any(_alive(pid) for pid in workers):
                assert time.monotonic() < deadline, "workers outlived their parent"
                time.sleep(0.2)
        finally:
            for path in shared:
                shutil.rmtree(path, ignore_errors=True)


def _shared_dirs(workers: set[int]) -> set[Path]:
    """The shared directory named in the workers' environment."""
    return {
        Path(variable.split("=", 1)[1])
        for pid in workers
        for variable in Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
        if variable.startswith("EVIDENCE_SHARED_DIR=")
    }


def test_one_store_and_two_workers_run_under_the_parent(served: Served) -> None:
    assert len(_workers(served)) == 2
    assert len(_store(served)) == 1, "one embedded store, started by the parent only"


def test_a_second_service_on_the_same_port_is_refused(served: Served) -> None:
    """The workers share their port among themselves only."""
    port = served.base.rsplit(":", 1)[1]
    env = {**os.environ, "PORT": port, "WORKERS": "2", "DATA_DIR": str(served.data_dir / "x")}
    second = subprocess.run(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    assert f"error: port {port} is already in use" in second.stderr


async def _fifty_on_both(served: Served, query: str) -> list[dict[str, Any]]:
    """Fifty identical writes at once, twenty-five through each worker."""
    headers = {"authorization": f"Bearer {served.writer_key}"}
    async with _on_each_worker(served, per_worker=25) as workers:
        responses = await asyncio.gather(
            *(
                connection.post("/graphql", json={"query": query}, headers=headers)
                for held in workers.values()
                for connection in held
            )
        )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses][:3]
    return [r.json() for r in responses]


async def test_fifty_creates_of_one_id_make_one_node_across_workers(served: Served) -> None:
    results = await _fifty_on_both(served, UPSERT)
    assert all(r["data"]["upsertIntervention"]["errors"] == [] for r in results), results[:3]
    assert await _operations(served.base, "served-concurrent") == ["CREATE"]


async def test_fifty_links_make_one_relationship_across_workers(served: Served) -> None:
    results = await _fifty_on_both(served, LINK)
    assert all(r["data"]["linkDelivery"]["errors"] == [] for r in results), results[:3]
    assert await _operations(served.base, "agency-norfolk->pcit") == ["LINK"]
    writers = Counter(line["pid"] for line in served.answers("concurrent-loader"))
    assert sorted(writers.values()) == [50, 50], f"each worker took half the writes: {writers}"


async def test_the_rate_limit_holds_across_workers(served: Served) -> None:
    headers = {"authorization": f"Bearer {served.limited_key}"}
    asked = RATE_LIMIT + 60
    responses = await _both(served, {"query": "{ __typename }"}, asked, headers)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: RATE_LIMIT, 429: 60}, statuses
    remaining = sorted(
        int(r.headers["ratelimit"].split("r=")[1].split(";")[0])
        for r in responses
        if r.status_code == 200
    )
    assert remaining == list(range(RATE_LIMIT)), "each request counted once, service-wide"
    pids = Counter(line["pid"] for line in served.answers("limited-client"))
    assert len(pids) == 2, f"both workers counted this client: {pids}"


async def test_a_persisted_query_registered_on_one_worker_runs_on_the_others(
    served: Served,
) -> None:
    query = "query WorkersApq { interventions(first: 1) { totalCount } }"
    digest = hashlib.sha256(query.encode()).hexdigest()
    persisted = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    async with httpx.AsyncClient(base_url=served.base) as http:
        registered = await http.post("/graphql", json={"query": query, "extensions": persisted})
    assert "errors" not in registered.json(), registered.text
    answered_before = len(served.answers())
    responses = await _both(served, {"extensions": persisted}, 40, {})
    assert all("errors" not in r.json() for r in responses), [r.text for r in responses][:2]
    pids = Counter(line["pid"] for line in served.answers()[answered_before:])
    assert len(pids) == 2, f"both workers answered by hash: {pids}"


async def test_metrics_count_every_worker(served: Served) -> None:
    def graphql_answers(text: str) -> float:
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("evidence_http_requests_total") and 'route="/graphql"' in line
        )

    logged = len(served.answers())
    async with _on_each_worker(served) as workers:
        scrapes = [(await held[0].get("/metrics")).text for held in workers.values()]
    assert {graphql_answers(text) for text in scrapes} == {float(logged)}


async def test_the_write_gate_holds_across_workers(served: Served) -> None:
    """Held by another process on the same DATA_DIR (this test), the gate stops every
    worker's writes until its deadline, and they pass once it is released."""
    import fcntl

    mutation = (
        'mutation { upsertIntervention(input: {id: "gate-held", name: "Gate held", '
        'kind: PROGRAMME, source: "https://example.org/gate"}) { errors { code } } }'
    )
    headers = {
        "authorization": f"Bearer {served.writer_key}",
        "accept": "application/graphql-response+json",
    }
    answered_before = len(served.answers("concurrent-loader"))
    with (served.data_dir / "write-gate.lock").open("a") as gate:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            started = time.monotonic()
            held = await _both(served, {"query": mutation}, 2, headers)
            waited = time.monotonic() - started
        finally:
            fcntl.flock(gate, fcntl.LOCK_UN)
    assert [r.status_code for r in held] == [503] * 2, [r.text for r in held]
    assert {r.json()["errors"][0]["extensions"]["code"] for r in held} == {"STORE_TIMEOUT"}
    assert waited < 20, "refused at the request's deadline (10 s), not queued without end"
    pids = Counter(line["pid"] for line in served.answers("concurrent-loader")[answered_before:])
    assert len(pids) == 2, f"both workers waited for the gate: {pids}"
    after = await _both(served, {"query": mutation}, 2, headers)
    assert [r.status_code for r in after] == [200, 200], [r.text for r in after]


def test_a_killed_worker_is_replaced(served: Served) -> None:
    before = _workers(served)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = _workers(served)
        if len(now) == 2 and victim not in now and _ready(served.base):
            break
        assert time.monotonic() < deadline, f"no replacement: {now}"
        time.sleep(0.3)
    assert now - before and (before - {victim}) <= now
    assert served.process.poll() is None


def test_a_killed_store_is_restarted_once_and_the_workers_recover(served: Served) -> None:
    (store,) = _store(served)
    workers = _workers(served)
    os.kill(store, signal.SIGKILL)
    # tests/test_supervised_store.py holds the single process to 30 s; here the point is
    # who restarts the store, so the wait allows for a machine busy with other work.
    deadline = time.monotonic() + 90
    seen: list[int | None] = []
    while True:
        seen.append(_readiness(served.base))
        if 503 in seen and seen[-1] == 200:
            break
        assert time.monotonic() < deadline, f"not ready again: {served.log()[-5:]}"
        time.sleep(0.2)
    assert len(_store(served)) == 1 and store not in _store(served)
    assert _workers(served) == workers, "the workers lived through it"
    restarts = [
        line for line in served.log() if "restarting the embedded store in" in line["message"]
    ]
    assert len(restarts) == 1, "restarted by the parent alone, once"
    query = {"query": "{ interventions(first: 1) { totalCount } }"}
    for _ in range(4):  # the workers read from the new store process
        answer = httpx.post(f"{served.base}/graphql", json=query, timeout=30)
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text


def test_sigterm_stops_every_process(served: Served) -> None:
    processes = set(served.children()) | {served.process.pid}
    shared = _shared_dirs(_workers(served))
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in processes if _alive(pid)], "no process outlives the service"
    assert shared and not any(path.exists() for path in shared), "the shared state is removed"
    assert not (served.data_dir / "store.json").exists()


async def test_a_worker_follows_its_parents_control_pipe() -> None:
    """``dead`` fails the worker's liveness check with the parent's reason; the pipe's end
    stops the worker's server."""
    app = create_app(Settings(rate_limit_requests=0))
    app.state.runtime = SimpleNamespace(alive=True, problem=None)
    server = uvicorn.Server(uvicorn.Config(app))
    read, write = os.pipe()
    follow_parent(read, loop=asyncio.get_running_loop(), server=server, app=app)
    try:
        os.write(write, b"dead the embedded store could not be restarted in 5 tries\n")
        await asyncio.sleep(0.2)
        assert app.state.runtime.alive is False
        assert app.state.runtime.problem == "the embedded store could not be restarted in 5 tries"
        assert not server.should_exit
        os.close(write)
        await asyncio.sleep(0.2)
        assert server.should_exit
    finally:
        asyncio.get_running_loop().remove_reader(read)
        os.close(read)
