"""The embedded store is supervised: its process is killed for real (SIGKILL) and the
service brings it back by itself; when it cannot, the liveness check fails. And a service
stopped on a port can be started again on it at once."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from service import runtime as runtime_module
from service.app import create_app
from service.cli import _check_port_free
from service.embedded_store import EmbeddedStore, free_port
from service.errors import SetupError
from tests.conftest import embedded_settings

QUERY = '{ intervention(id: "nothing-here") { name } }'
RECOVERY_SECONDS = 30.0


@pytest.fixture
async def own_service(tmp_path: Path) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A service that started its own embedded store (no example data: quicker)."""
    app = create_app(
        embedded_settings(
            tmp_path / "data",
            load_example_data=False,
            rate_limit_requests=0,
            store_connect_timeout=1.0,
            store_retry_time=0.5,
            embedded_restart_attempts=2,
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


@pytest.mark.slow
async def test_a_killed_embedded_store_is_restarted_by_the_service_within_30_s(
    own_service: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    app, client = own_service
    assert (await client.get("/readyz")).status_code == 200
    embedded: EmbeddedStore = app.state.runtime.embedded
    killed = embedded.pid
    os.kill(killed, signal.SIGKILL)
    started = time.monotonic()
    saw_not_ready = False
    while True:
        readiness = await client.get("/readyz")
        if readiness.status_code == 503:
            saw_not_ready = True
        elif saw_not_ready:
            break
        assert (await client.get("/healthz")).status_code == 200, "recovering is not dead"
        assert time.monotonic() - started < RECOVERY_SECONDS, readiness.text
        await asyncio.sleep(0.2)
    elapsed = time.monotonic() - started
    assert embedded.pid != killed
    assert app.state.runtime.restarts == 1
    answer = await client.post("/graphql", json={"query": QUERY})
    assert answer.status_code == 200 and answer.json() == {"data": {"intervention": None}}
    print(f"\nrecovered from a killed store in {elapsed:.1f} s")  # noqa: T201


@pytest.mark.slow
async def test_a_store_that_cannot_be_restarted_fails_the_liveness_check(
    own_service: tuple[FastAPI, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, client = own_service
    tries: list[int] = []

    async def refuse(self: EmbeddedStore) -> None:
        tries.append(1)
        raise SetupError("injected: the store cannot start")

    monkeypatch.setattr(EmbeddedStore, "restart", refuse)
    monkeypatch.setattr(runtime_module, "FIRST_RESTART_DELAY", 0.05)
    os.kill(app.state.runtime.embedded.pid, signal.SIGKILL)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while (await client.get("/healthz")).status_code == 200:
        assert time.monotonic() < deadline, "liveness never failed"
        await asyncio.sleep(0.1)
    assert len(tries) == 2, "EMBEDDED_RESTART_ATTEMPTS bounds the tries"
    for check in ("/healthz", "/livez", "/readyz"):
        response = await client.get(check)
        assert response.status_code == 503
    assert "could not be restarted" in (await client.get("/livez")).json()["status"]


def test_a_port_left_in_time_wait_by_a_stopped_service_is_free_at_once() -> None:
    """A server that closed its side of a connection first leaves it in TIME_WAIT on its
    port; starting again on that port must not be refused (SO_REUSEADDR)."""
    port = free_port()
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen()
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = listener.accept()
            accepted.close()  # the server closes first: TIME_WAIT on its side
            client.recv(1)
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old check did
    _check_port_free("127.0.0.1", port)
