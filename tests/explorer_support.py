"""What the explorer's browser tests share: the service in a process of its own on a
free loopback port, and the Node scripts in web/ that drive headless Chromium through
the page (playwright-core) and print what they saw as JSON. Screenshots and exported
files are kept in test-artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests import service_process
from tests.conftest import StoreAddress

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@contextmanager
def running_service(embedded: StoreAddress, log_dir: Path) -> Iterator[str]:
    """`python -m service serve` on the session's store; yields its base URL."""
    with service_process.running_service(embedded, log_dir / "service.log") as url:
        yield url


def run_check(script: str, url: str, *args: str, timeout: float = 240) -> dict[str, Any]:
    """Runs web/<script> against the service at `url` (further `args` after the folder
    for screenshots); returns what it printed."""
    assert shutil.which("node"), "node is missing: `make test` installs it"
    assert Path(CHROMIUM).exists(), "chromium is missing: `make test` installs it"
    assert (ROOT / "web" / "node_modules" / "playwright-core").exists(), "run `make vendor`"
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(
        ["node", script, url, str(ARTIFACTS), *args],
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
