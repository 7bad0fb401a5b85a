"""One worker process of a multi-worker service (``python -m service worker``).

Started only by the parent (service/workers.py), which hands it: the listening socket
(``--listen-fd``), a pipe to say it listens (``--ready-fd``), the store's address and
the shared state's directory (EVIDENCE_SHARED_DIR) in its environment, and a control
pipe on stdin. The worker runs the app as a single process would, except that it
neither migrates nor loads example data (the parent has) and counts rate limits,
persisted queries and metrics in the shared state.

Control lines on stdin: ``dead <why>`` (the parent could not bring the store back: the
liveness check fails from now on). End of file: the parent is gone, so the worker
finishes its requests and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from service.app import create_app
from service.http_server import server_config
from service.settings import Settings
from service.shared_state import SharedState


async def run_worker(settings: Settings, args: argparse.Namespace) -> None:
    listener = socket.socket(fileno=args.listen_fd)
    shared = SharedState(Path(os.environ["EVIDENCE_SHARED_DIR"]))
    app = create_app(settings, shared=shared)
    server = uvicorn.Server(server_config(app, settings))
    loop = asyncio.get_running_loop()
    try:
        async with app.router.lifespan_context(app):
            follow_parent(sys.stdin.fileno(), loop=loop, server=server, app=app)
            announce = asyncio.create_task(_announce_when_listening(server, args.ready_fd))
            await server.serve(sockets=[listener])
            announce.cancel()
    finally:
        shared.close()


async def _announce_when_listening(server: uvicorn.Server, ready_fd: int) -> None:
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        os.write(ready_fd, b"ready\n")
    finally:
        os.close(ready_fd)


def follow_parent(
    control: int, *, loop: asyncio.AbstractEventLoop, server: uvicorn.Server, app: FastAPI
) -> None:
    """Act on the parent's control lines on ``control`` as they come; stop serving when
    that pipe closes."""
    os.set_blocking(control, False)
    pending = bytearray()

    def readable() -> None:
        try:
            chunk = os.read(control, 4096)
        except BlockingIOError:
            return
        if not chunk:
            loop.remove_reader(control)
            server.should_exit = True  # uvicorn's own signal handler stops it so
            return
        pending.extend(chunk)
        while b"\n" in pending:
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            command, _, argument = line.decode(errors="replace").strip().partition(" ")
            if command == "dead":
                app.state.runtime.alive = False
                app.state.runtime.problem = argument

    loop.add_reader(control, readable)
