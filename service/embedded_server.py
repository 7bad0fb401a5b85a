"""Child-process entry point that runs the embedded ArcadeDB store.

Run as ``python -m service.embedded_server`` by ``service.embedded_store``; configured
through environment variables so that the password never shows in a process list.
The process stops the store cleanly when its parent closes stdin (the parent exited,
even by SIGKILL) or when it receives SIGTERM/SIGINT.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def main() -> int:
    from arcadedb_embedded import ArcadeDBServer

    root_path = os.environ["EVIDENCE_STORE_ROOT"]
    database = os.environ["EVIDENCE_STORE_DATABASE"]
    server = ArcadeDBServer(
        root_path=root_path,
        root_password=os.environ["EVIDENCE_STORE_PASSWORD"],
        config={
            "server_plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
            "bolt_port": int(os.environ["EVIDENCE_STORE_BOLT_PORT"]),
            "http_port": int(os.environ["EVIDENCE_STORE_HTTP_PORT"]),
            "server_defaultDatabases": f"{database}[root]",
            "host": "127.0.0.1",
        },
    )
    server.start()
    # start() returns once the default database exists; only then is the store usable.
    with os.fdopen(int(os.environ["EVIDENCE_STORE_READY_FD"]), "wb") as ready:
        ready.write(b"ready\n")
    stopping = threading.Event()

    def _stop(*_: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def _watch_parent() -> None:
        # stdin is a pipe from the parent; EOF means the parent is gone.
        sys.stdin.buffer.read()
        stopping.set()

    threading.Thread(target=_watch_parent, daemon=True).start()
    stopping.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
