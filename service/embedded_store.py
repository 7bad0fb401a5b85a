"""Starts and stops the embedded ArcadeDB store as a child process speaking Bolt.

Used when no ``NEO4J_URI`` is configured. Its files live under ``DATA_DIR`` and are
reused on the next start, so data survives restarts. ``restart`` starts the child again
on the same ports (the service's supervisor does so when it dies: service/runtime.py).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import select
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from service.errors import SetupError
from service.settings import Settings
from service.store_registry import RunningStore, find_running, register, unregister

logger = logging.getLogger(__name__)

_LOG_TAIL_LINES = 5
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class EmbeddedStore:
    """A running embedded store: where to reach it and how to stop it."""

    uri: str
    user: str
    password: str
    database: str
    log_path: Path
    data_dir: Path
    _process: subprocess.Popen[bytes]
    _settings: Settings
    bolt_port: int
    http_port: int
    # The read end of the child's "ready" pipe while it starts.
    _ready_fd: int

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop the store cleanly; kill it only if it ignores the request."""
        unregister(self.data_dir, self._process.pid)
        if self._process.poll() is None:
            self._process.terminate()
            deadline = time.monotonic() + timeout
            while self._process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if self._process.poll() is None:
                logger.warning("embedded store did not stop within %.0f s; killing it", timeout)
                self._process.kill()
                self._process.wait()
        if self._process.stdin:
            self._process.stdin.close()

    @property
    def pid(self) -> int:
        return self._process.pid

    def exit_code(self) -> int | None:
        """The child's exit code once it has exited, else None."""
        return self._process.poll()

    async def restart(self) -> None:
        """Start the child again on the same ports and files (after it died)."""
        await self.stop(timeout=5.0)
        self._process, self._ready_fd = _spawn(
            self._settings, self.data_dir, self.bolt_port, self.http_port
        )
        await self._until_ready()

    async def _until_ready(self) -> None:
        ready_read = self._ready_fd
        try:
            await _wait_until_ready(self, ready_read, self._settings.embedded_start_timeout)
            register(
                self.data_dir,
                RunningStore(
                    pid=self._process.pid, bolt_port=self.bolt_port, database=self.database
                ),
            )
        except BaseException:
            await self.stop(timeout=5.0)
            raise
        finally:
            os.close(ready_read)


async def start_embedded_store(settings: Settings) -> EmbeddedStore:
    """Start the store, wait until it accepts Bolt connections, and return its handle."""
    data_dir = settings.data_dir.resolve()
    _ensure_writable(data_dir)
    if running := find_running(data_dir):
        raise SetupError(
            f"data directory {data_dir} is in use by a running store (pid {running.pid}); "
            "stop that service or set DATA_DIR to another directory"
        )
    bolt_port = _resolve_port(settings.embedded_bolt_port, "EMBEDDED_BOLT_PORT")
    http_port = _resolve_port(settings.embedded_http_port, "EMBEDDED_HTTP_PORT", avoid=bolt_port)
    process, ready_fd = _spawn(settings, data_dir, bolt_port, http_port)
    store = EmbeddedStore(
        uri=f"bolt://127.0.0.1:{bolt_port}",
        user="root",
        password=settings.embedded_password,
        database=settings.embedded_database,
        log_path=data_dir / "store.log",
        data_dir=data_dir,
        _process=process,
        _settings=settings,
        bolt_port=bolt_port,
        http_port=http_port,
        _ready_fd=ready_fd,
    )
    await store._until_ready()
    return store


def _spawn(
    settings: Settings, data_dir: Path, bolt_port: int, http_port: int
) -> tuple[subprocess.Popen[bytes], int]:
    """Start the child; return it and the pipe its "ready" line will come on."""
    ready_read, ready_write = os.pipe()
    env = {
        **os.environ,
        "EVIDENCE_STORE_ROOT": str(data_dir / "store"),
        "EVIDENCE_STORE_DATABASE": settings.embedded_database,
        "EVIDENCE_STORE_PASSWORD": settings.embedded_password,
        "EVIDENCE_STORE_BOLT_PORT": str(bolt_port),
        "EVIDENCE_STORE_HTTP_PORT": str(http_port),
        "EVIDENCE_STORE_READY_FD": str(ready_write),
        # The child runs in DATA_DIR (the store writes its log/ folder into the working
        # directory), so it finds this package through PYTHONPATH.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(_PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    try:
        with (data_dir / "store.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "service.embedded_server"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                pass_fds=(ready_write,),
                cwd=data_dir,
                # A Ctrl-C at the terminal reaches the service alone, which stops the store
                # after its requests, instead of the store dying under them.
                start_new_session=True,
            )
    except BaseException:
        os.close(ready_read)
        raise
    finally:
        os.close(ready_write)
    logger.info(
        "starting embedded store (pid %d, Bolt port %d, files in %s)",
        process.pid,
        bolt_port,
        data_dir,
    )
    return process, ready_read


def _ensure_writable(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise SetupError(
            f"data directory {data_dir} cannot be written ({error.strerror}); "
            "set DATA_DIR to a directory you can write to"
        ) from None


def _resolve_port(requested: int, variable: str, avoid: int | None = None) -> int:
    """Return the requested port if it is free, or a free port when 0 was asked for."""
    if requested == 0:
        while True:
            port = free_port()
            if port != avoid:
                return port
    with socket.socket() as probe:
        # As the store's own listener does: connections left in TIME_WAIT by a store
        # that just stopped on this port must not make it look taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", requested))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise SetupError(
                    f"port {requested} is already in use; set {variable} to a free port "
                    "(or 0 to pick one)"
                ) from None
            raise
    return requested


def free_port() -> int:
    """A port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def _wait_until_ready(store: EmbeddedStore, ready_fd: int, timeout: float) -> None:
    """Wait for the child's "ready" line on its pipe, or its death, or the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([ready_fd], [], [], 0)
        if readable and os.read(ready_fd, 16).startswith(b"ready"):
            return
        if store._process.poll() is not None:
            raise SetupError(
                f"embedded store exited during start-up (code {store._process.returncode}): "
                f"{_log_tail(store.log_path)}; see {store.log_path}"
            )
        await asyncio.sleep(0.1)
    raise SetupError(
        f"embedded store was not ready within {timeout:g} s; "
        f"raise EMBEDDED_START_TIMEOUT or see {store.log_path}"
    )


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "no log written"
    interesting = [line for line in lines if "Exception" in line or "rror" in line]
    tail = (interesting or lines)[-_LOG_TAIL_LINES:]
    return " | ".join(line.strip() for line in tail)[:500] or "no log written"
