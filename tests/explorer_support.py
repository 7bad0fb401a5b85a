"""What the explorer's browser tests share: the service in a process of its own on a
free loopback port, and the Node scripts in web/ that drive headless Chromium through
the page (playwright-core) and print what they saw as JSON. Screenshots and exported
files are kept in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import StoreAddress

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_service(embedded: StoreAddress, log_dir: Path) -> Iterator[str]:
    """`python -m service serve` on the session's store; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "NEO4J_URI": embedded.uri,
        "NEO4J_USER": embedded.user,
        "NEO4J_PASSWORD": embedded.password,
        "NEO4J_DATABASE": embedded.database,
        "LOAD_EXAMPLE_DATA": "false",
        "LOG_LEVEL": "WARNING",
    }
    log_path = log_dir / "service.log"
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


def run_check(script: str, url: str, timeout: float = 240) -> dict[str, Any]:
    """Runs web/<script> against the service at `url`; returns what it printed."""
    assert shutil.which("node"), "node is missing: `make test` installs it"
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it"
    assert (ROOT / "web" / "node_modules" / "playwright-core").exists(), "run `make vendor`"
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["node", script, url, str(ARTIFACTS)],
        cwd=ROOT / "web",
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "CHROMIUM": CHROMIUM},
    )
    assert done.returncode == 0, done.stderr
    (ARTIFACTS / script.replace(".mjs", ".json")).write_text(done.stdout)
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


def assert_clean(seen: dict[str, Any]) -> None:
    """Nothing from another host, no failed request, no error in the console."""
    assert seen["offsiteRequests"] == []
    assert seen["failedRequests"] == []
    assert seen["consoleErrors"] == []
