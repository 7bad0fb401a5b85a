"""Set-up problems end `python -m service serve` with one line that says what to do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.embedded_store import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def _serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EMBEDDED_"))},
        "DATA_DIR": str(tmp_path / "data"),
        "PORT": str(free_port()),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    return line


def _store_processes(data_dir: Path) -> list[int]:
    """Embedded store processes still running on ``data_dir``."""
    marker = f"EVIDENCE_STORE_ROOT={data_dir / 'store'}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_service_port_in_use(tmp_path: Path, busy_port: int) -> None:
    line = _one_line_error(_serve(tmp_path, PORT=str(busy_port)))
    assert line == f"error: port {busy_port} is already in use; pick another with PORT=..."


def test_store_port_in_use(tmp_path: Path, busy_port: int) -> None:
    line = _one_line_error(_serve(tmp_path, EMBEDDED_BOLT_PORT=str(busy_port)))
    assert line == (
        f"error: port {busy_port} is already in use; set EMBEDDED_BOLT_PORT to a free port (or 0 to pick one)"
    )


def test_data_directory_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = _one_line_error(_serve(tmp_path, DATA_DIR=str(blocker / "data")))
    assert line.startswith(f"error: data directory {blocker / 'data'} cannot be written")
    assert line.endswith("set DATA_DIR to a directory you can write to")


def test_store_that_does_not_come_up_in_time(tmp_path: Path) -> None:
    line = _one_line_error(_serve(tmp_path, EMBEDDED_START_TIMEOUT="0.5"))
    assert line.startswith(
        "error: embedded store was not ready within 0.5 s; raise EMBEDDED_START_TIMEOUT"
    )
    assert _store_processes(tmp_path / "data") == [], "the half-started store was stopped"


def test_unreachable_neo4j_does_not_stop_start_up(tmp_path: Path) -> None:
    """An external store that is down is not a set-up error: the service starts, says it
    is not ready, and waits for the store (tests/test_store_faults.py has the recovery)."""
    store_port, http_port = free_port(), free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "EMBEDDED_"))},
        "NEO4J_URI": f"bolt://127.0.0.1:{store_port}",
        "STORE_CONNECT_TIMEOUT": "1",
        "PORT": str(http_port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{http_port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the service exited"
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the service did not start"
                time.sleep(0.2)
        readiness = httpx.get(f"{base}/readyz", timeout=5)
        assert health.status_code == 200
        assert readiness.status_code == 503
        assert readiness.json()["status"].startswith("store unavailable")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_invalid_setting(tmp_path: Path) -> None:
    line = _one_line_error(_serve(tmp_path, PORT="eighty"))
    assert line.startswith("error: invalid setting: PORT:")
