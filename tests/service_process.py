"""The service as `python -m service serve` in a process of its own, on a loopback port,
against an already running store: for tests that need real HTTP (browsers, preflights)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import StoreAddress

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_service(
    store: StoreAddress, log_path: Path, port: int | None = None, **settings: str
) -> Iterator[str]:
    """Start the service, wait until /readyz answers 200, yield its base URL, stop it."""
    port = port or free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "NEO4J_URI": store.uri,
        "NEO4J_USER": store.user,
        "NEO4J_PASSWORD": store.password,
        "NEO4J_DATABASE": store.database,
        "LOAD_EXAMPLE_DATA": "false",
        "LOG_LEVEL": "WARNING",
        # One process, unless a test asks for workers (tests/test_workers.py has them).
        "WORKERS": "1",
        **{name.upper(): value for name, value in settings.items()},
    }
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "service", "serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text())
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)
