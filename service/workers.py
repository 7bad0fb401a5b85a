"""Several worker processes answering on one port, around one store.

With WORKERS above 1 (the default on a machine of several cores) ``python -m service
serve`` is a parent process that

1. binds the port (with SO_REUSEADDR, as uvicorn does), so a port in use is a set-up
   error at once;
2. opens the store as a single process does (service/runtime.py): starts the embedded
   store and supervises it, applies migrations, loads the example data; once, whatever
   the number of workers;
3. makes the workers' shared state (service/shared_state.py);
4. starts the workers (``python -m service worker``, service/worker_process.py), each
   handed a listening socket of its own on the port (SO_REUSEPORT), the store's address
   and the shared state. The kernel spreads new connections over the sockets by a hash of
   their addresses. (One socket that every worker accepts from gives each connection to
   whichever worker wakes first: eight keep-alive connections opened at once all went
   to one worker of two, the other idle.) The parent keeps each socket open while its
   worker is replaced, so connections queued on it wait for the replacement;
5. starts a worker again when one dies, after a pause that grows while they keep dying
   young, and tells every worker when the store cannot be brought back (their liveness
   check then fails, as a single process's would);
6. on SIGTERM or SIGINT asks every worker to finish (SIGTERM: uvicorn's graceful
   shutdown, in-flight requests answered), kills any still running after
   WORKER_STOP_TIMEOUT, then stops the store.

Nothing outlives the parent: the workers and the embedded store each read a pipe from it
and stop when it closes, even when the parent was killed with SIGKILL. Workers run in
sessions of their own, so a Ctrl-C at the terminal reaches the parent alone, which stops
them in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Final

from service.errors import SetupError
from service.http_server import bind_listener
from service.metrics import Metrics
from service.runtime import Runtime
from service.settings import Settings
from service.shared_state import SharedState

logger = logging.getLogger(__name__)

WORKER_START_TIMEOUT: Final = 120.0
WORKER_STOP_TIMEOUT: Final = 30.0
# A worker that lived less than this before dying counts as dying young: the pause
# before the next start doubles (from FIRST_RESTART_DELAY up to MAX_RESTART_DELAY).
_YOUNG: Final = 30.0
FIRST_RESTART_DELAY: Final = 0.5
_MAX_RESTART_DELAY: Final = 30.0
_LISTEN_BACKLOG: Final = 2048


@dataclass
class _Worker:
    slot: int
    process: asyncio.subprocess.Process
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.process.pid

    def tell(self, line: str) -> None:
        """Send the worker one control line (service/worker_process.py reads them)."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.write(line.encode() + b"\n")


class WorkerPool:
    """The parent's side: start, watch, replace and stop ``count`` workers."""

    def __init__(
        self,
        *,
        listeners: list[socket.socket],
        env: dict[str, str],
        runtime: Runtime,
    ) -> None:
        self.count = len(listeners)
        self._listeners = listeners
        self._env = env
        self._runtime = runtime
        self._workers: dict[int, _Worker] = {}
        self._stopping = False
        self._dead_notice: str | None = None

    @property
    def pids(self) -> list[int]:
        return [worker.pid for worker in self._workers.values()]

    async def run(self, stop: asyncio.Event) -> None:
        """Start every worker, keep them running until ``stop`` is set, then stop them."""
        try:
            first = await asyncio.gather(
                *(self._start(slot) for slot in range(self.count)), return_exceptions=True
            )
            failed = [error for error in first if isinstance(error, BaseException)]
            if failed:
                raise failed[0]
            logger.info(
                "%d worker processes answer (pids %s)",
                self.count,
                ", ".join(map(str, self.pids)),
            )
            keepers = [asyncio.create_task(self._keep(slot)) for slot in range(self.count)]
            watcher = asyncio.create_task(self._watch_liveness())
            await stop.wait()
            for task in (*keepers, watcher):
                task.cancel()
            await asyncio.gather(*keepers, watcher, return_exceptions=True)
        finally:
            await self.stop()

    async def stop(self) -> None:
        self._stopping = True
        workers = list(self._workers.values())
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), WORKER_STOP_TIMEOUT)
            except TimeoutError:
                logger.warning(
                    "worker pid %d did not stop within %.0f s; killing it",
                    worker.pid,
                    WORKER_STOP_TIMEOUT,
                )
                with contextlib.suppress(ProcessLookupError):
                    worker.process.kill()
                await worker.process.wait()
        self._workers.clear()

    async def _keep(self, slot: int) -> None:
        """Start the slot's worker again whenever it dies."""
        young_deaths = 0
        while True:
            worker = self._workers[slot]
            code = await worker.process.wait()
            if self._stopping:
                return
            lived = time.monotonic() - worker.started
            young_deaths = young_deaths + 1 if lived < _YOUNG else 0
            delay = min(FIRST_RESTART_DELAY * 2 ** max(0, young_deaths - 1), _MAX_RESTART_DELAY)
            logger.error(
                "worker pid %d exited with code %s after %.0f s; starting another in %.1f s",
                worker.pid,
                code,
                lived,
                delay,
            )
            await asyncio.sleep(delay)
            try:
                replacement = await self._start(slot)
            except SetupError as error:
                logger.error("the replacement worker did not start: %s", error)
                continue
            logger.info("worker pid %d replaces pid %d", replacement.pid, worker.pid)

    async def _watch_liveness(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            if not self._runtime.live and self._dead_notice is None:
                self._dead_notice = f"dead {self._runtime.problem or 'the store is lost'}"
                for worker in self._workers.values():
                    worker.tell(self._dead_notice)

    async def _start(self, slot: int) -> _Worker:
        ready_read, ready_write = os.pipe()
        listen_fd = self._listeners[slot].fileno()
        try:
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "service", "worker"),
                *("--listen-fd", str(listen_fd), "--ready-fd", str(ready_write)),
                stdin=asyncio.subprocess.PIPE,
                env=self._env,
                pass_fds=(listen_fd, ready_write),
                start_new_session=True,
            )
        except BaseException:
            os.close(ready_read)
            raise
        finally:
            os.close(ready_write)
        worker = _Worker(slot=slot, process=process)
        self._workers[slot] = worker
        try:
            await _until_ready(worker, ready_read)
        finally:
            os.close(ready_read)
        if self._dead_notice is not None:
            worker.tell(self._dead_notice)
        return worker


async def _until_ready(worker: _Worker, ready_fd: int) -> None:
    """Wait for the worker's "ready" line (it listens), its death, or the deadline."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(os.read(ready_fd, 16))

    loop.add_reader(ready_fd, readable)
    exited = asyncio.ensure_future(worker.process.wait())
    try:
        done, _ = await asyncio.wait(
            {ready, exited}, timeout=WORKER_START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        loop.remove_reader(ready_fd)
        if not exited.done():
            exited.cancel()
    if ready in done and ready.result().startswith(b"ready"):
        return
    if ready in done:  # the pipe closed: the worker is on its way out
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.process.wait(), 10)
    if worker.process.returncode is None:
        worker.process.kill()
        await worker.process.wait()
        raise SetupError(
            f"a worker process was not ready within {WORKER_START_TIMEOUT:g} s; see the log above"
        )
    raise SetupError(
        f"a worker process exited during start-up (code {worker.process.returncode}); "
        "see the log above"
    )


def _worker_env(settings: Settings, runtime: Runtime, shared: SharedState) -> dict[str, str]:
    """The environment of a worker: the parent's, attached to the parent's store."""
    serialize = settings.serialize_writes
    env = {
        **os.environ,
        "DATA_DIR": str(settings.data_dir.resolve()),
        "SERIALIZE_WRITES": str(
            serialize if serialize is not None else settings.uses_embedded_store
        ).lower(),
        "APPLY_MIGRATIONS": "false",
        "LOAD_EXAMPLE_DATA": "false",
        "EVIDENCE_SHARED_DIR": str(shared.directory),
        "PROMETHEUS_MULTIPROC_DIR": str(shared.metrics_dir),
    }
    if runtime.embedded is not None:
        embedded = runtime.embedded
        env.update(
            NEO4J_URI=embedded.uri,
            NEO4J_USER=embedded.user,
            NEO4J_PASSWORD=embedded.password,
            NEO4J_DATABASE=embedded.database,
        )
    return env


async def serve_workers(settings: Settings) -> None:
    """Run the service as a parent of ``settings.worker_count`` worker processes."""
    # The port check of a single process: a socket without SO_REUSEPORT binds only a port
    # nothing else holds (a service sharing it among its own workers included).
    bind_listener(settings.host, settings.port).close()
    listeners = [
        bind_listener(settings.host, settings.port, share_port=True)
        for _ in range(settings.worker_count)
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    shared = SharedState.create()
    try:
        runtime = await Runtime.start(settings, Metrics(), wait_for_store=True)
        try:
            if stop.is_set():  # asked to stop while the store was starting
                return
            for listener in listeners:
                listener.listen(_LISTEN_BACKLOG)
            pool = WorkerPool(
                listeners=listeners,
                env=_worker_env(settings, runtime, shared),
                runtime=runtime,
            )
            logger.info(
                "GraphQL at http://%s:%d/graphql (%d worker processes)",
                settings.host,
                settings.port,
                settings.worker_count,
            )
            await pool.run(stop)
        finally:
            await runtime.stop()
    finally:
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(number)
        shared.remove()
        for listener in listeners:
            listener.close()
