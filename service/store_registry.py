"""Lets commands find the embedded store a running service started on the same DATA_DIR.

The store's files can be opened by one process only, so ``keys`` and ``import`` commands
run beside ``make serve`` attach to the store it started (over Bolt, on loopback) rather
than starting a second one. The service records the store's pid and Bolt port in
``DATA_DIR/store.json`` while it runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

_FILE_NAME = "store.json"


@dataclass(frozen=True)
class RunningStore:
    pid: int
    bolt_port: int
    database: str

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"


def register(data_dir: Path, store: RunningStore) -> None:
    path = data_dir / _FILE_NAME
    path.write_text(
        json.dumps({"pid": store.pid, "boltPort": store.bolt_port, "database": store.database})
    )


def unregister(data_dir: Path, pid: int) -> None:
    """Forget the store ``pid`` (alive or not: one that died is unregistered as it is
    restarted or stopped); another process's registration is left alone."""
    found = _registered(data_dir)
    if found is not None and found.pid == pid:
        with contextlib.suppress(OSError):
            (data_dir / _FILE_NAME).unlink()


def _registered(data_dir: Path) -> RunningStore | None:
    try:
        raw = json.loads((data_dir / _FILE_NAME).read_text())
        return RunningStore(
            pid=int(raw["pid"]), bolt_port=int(raw["boltPort"]), database=str(raw["database"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find_running(data_dir: Path) -> RunningStore | None:
    """The store registered on ``data_dir`` if its process is alive (and listening)."""
    store = _registered(data_dir)
    if store is None:
        return None
    try:
        os.kill(store.pid, 0)
    except (ProcessLookupError, PermissionError):
        return None
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", store.bolt_port)) != 0:
            return None
    return store
