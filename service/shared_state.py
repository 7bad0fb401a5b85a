"""What the worker processes of one service share: a directory their parent creates.

It holds ``rate-limits.bin`` (the rate-limit windows: service/rate_limit.py),
``state.sqlite`` (the documents registered by automatic persisted queries) and
``metrics/`` (the Prometheus client's per-process files, summed by /metrics), so a quota,
a registration and a counter hold whichever worker a request reaches. The directory lives
as long as the service: the parent makes it (on /dev/shm where there is one, so nothing
of it reaches a disk) and removes it on the way out.

SQLite in WAL mode, each statement its own transaction, run on the event loop: a
persisted query is written once, when a client registers it, and read by a worker only
the first time that worker sees its hash (then it is in the worker's own LRU).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Final

METRICS_FOLDER: Final = "metrics"
_DATABASE: Final = "state.sqlite"
_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS persisted_documents (
    hash TEXT PRIMARY KEY, document TEXT NOT NULL, used INTEGER NOT NULL
) WITHOUT ROWID;
"""


class SharedState:
    """One process's handle on the shared directory (a connection of its own)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.connection = sqlite3.connect(
            directory / _DATABASE, isolation_level=None, timeout=5.0, check_same_thread=False
        )
        # Counters of one run only: an OS crash may lose them, so no fsync.
        self.connection.execute("PRAGMA synchronous=OFF")

    @classmethod
    def create(cls) -> SharedState:
        """Make the directory and its database (the parent, before starting workers)."""
        shm = Path("/dev/shm")
        directory = Path(
            tempfile.mkdtemp(prefix="evidence-graph-", dir=shm if shm.is_dir() else None)
        )
        (directory / METRICS_FOLDER).mkdir()
        with contextlib.closing(sqlite3.connect(directory / _DATABASE)) as setup:
            setup.execute("PRAGMA journal_mode=WAL")
            setup.executescript(_SCHEMA)
        return cls(directory)

    @property
    def rate_limit_path(self) -> Path:
        return self.directory / "rate-limits.bin"

    @property
    def metrics_dir(self) -> Path:
        return self.directory / METRICS_FOLDER

    def close(self) -> None:
        self.connection.close()

    def remove(self) -> None:
        self.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class SharedDocuments:
    """The documents registered by automatic persisted queries, seen by every worker: a
    hash registered through one worker runs on the next request whichever worker takes it.
    At most ``size`` are kept, the least recently registered or used going first."""

    def __init__(self, state: SharedState, *, size: int) -> None:
        self._connection = state.connection
        self._size = size

    def get(self, digest: str) -> str | None:
        row = self._connection.execute(
            "UPDATE persisted_documents SET used = (SELECT max(used) + 1 FROM "
            "persisted_documents) WHERE hash = ? RETURNING document",
            (digest,),
        ).fetchone()
        return None if row is None else str(row[0])

    def put(self, digest: str, document: str) -> None:
        self._connection.execute(
            "INSERT INTO persisted_documents (hash, document, used) VALUES (?, ?, "
            "(SELECT coalesce(max(used), 0) + 1 FROM persisted_documents)) "
            "ON CONFLICT (hash) DO UPDATE SET used = excluded.used",
            (digest, document),
        )
        self._connection.execute(
            "DELETE FROM persisted_documents WHERE hash IN (SELECT hash FROM "
            "persisted_documents ORDER BY used DESC LIMIT -1 OFFSET ?)",
            (self._size,),
        )
