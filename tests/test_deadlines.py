"""Deadlines everywhere: the wait for the embedded store's write gate counts in the
request's time, a GraphQL request whose client left is cancelled, and a slow client can
hold a connection neither with a trickled request head nor with a stalled import body.
Servers here are uvicorn on loopback ports, configured as `make serve` configures it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from service.embedded_store import free_port
from service.http_server import MAX_HEAD_BYTES, server_config
from service.store import Store
from tests.conftest import WriteClient

RESPONSE_JSON = {"accept": "application/graphql-response+json"}


def _mutation(n: int) -> str:
    return (
        f'mutation {{ delete(kind: INTERVENTION, id: "gate-{n}") {{ deleted errors {{ code }} }} }}'
    )


async def test_writes_queued_behind_a_stalled_gate_time_out_together(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = writes.store
    assert store.write_gate is not None, "the test app serialises writes as the embedded store"
    monkeypatch.setattr(store, "query_timeout", 1.0)
    headers = {"authorization": f"Bearer {writes.tokens['writer']}", **RESPONSE_JSON}

    async def timed(n: int) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = await writes.http.post("/graphql", json={"query": _mutation(n)}, headers=headers)
        return response, time.perf_counter() - started

    await store.write_gate.acquire()  # a write that hangs inside the store
    try:
        answers = await asyncio.gather(*(timed(n) for n in range(6)))
    finally:
        store.write_gate.release()
    for response, seconds in answers:
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5"
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["STORE_TIMEOUT"]
        assert seconds < 3.0, f"answered after {seconds:.1f} s, not within the deadline"
    after = await writes.http.post("/graphql", json={"query": _mutation(0)}, headers=headers)
    assert after.status_code == 200, "the gate works again once released"


async def _serve(app: FastAPI, **overrides: Any) -> tuple[uvicorn.Server, asyncio.Task[None], int]:
    settings = app.state.settings.model_copy(
        update={"host": "127.0.0.1", "port": free_port(), **overrides}
    )
    server = uvicorn.Server(server_config(app, settings))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    return server, task, settings.port


@pytest.fixture
async def live(writes: WriteClient) -> AsyncIterator[int]:
    server, task, port = await _serve(writes.app, header_read_timeout=0.5)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes:
    return await asyncio.wait_for(reader.read(), within)


async def test_a_trickled_request_head_is_cut_off(live: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")  # the head never ends
    await writer.drain()
    started = time.perf_counter()
    assert await _closed_by_server(reader, within=5.0) == b""
    assert time.perf_counter() - started < 3.0
    writer.close()
    silent_reader, silent = await asyncio.open_connection("127.0.0.1", live)
    assert await _closed_by_server(silent_reader, within=5.0) == b"", "silence is cut off too"
    silent.close()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live}") as http:
        assert (await http.get("/healthz")).status_code == 200


async def test_an_import_body_that_stops_arriving_is_refused(
    writes: WriteClient, live: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writes.app.state.settings, "body_read_timeout", 0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", live)
    writer.write(
        b"POST /v1/imports HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + writes.tokens["writer"].encode() + b"\r\n"
        b"Content-Length: 1000\r\n\r\n" + b'{"sources": {'
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
    assert head.startswith(b"HTTP/1.1 408"), head
    writer.close()


async def test_a_graphql_request_whose_client_left_is_cancelled(
    writes: WriteClient, live: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: Store = writes.store
    began, cancelled = asyncio.Event(), asyncio.Event()

    async def stalled_read(*_: Any, **__: Any) -> Any:
        began.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    monkeypatch.setattr(store, "read", stalled_read)
    body = b'{"query": "{ intervention(id: \\"mash\\") { name } }"}'
    _reader, writer = await asyncio.open_connection("127.0.0.1", live)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    await writer.drain()
    await asyncio.wait_for(began.wait(), 10.0)
    writer.close()  # the client gives up
    await asyncio.wait_for(cancelled.wait(), 5.0)


async def test_a_request_head_over_the_limit_is_refused_and_one_within_it_served(
    live: int,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", live)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
    for n in range(MAX_HEAD_BYTES // 90 + 10):  # never ends, and outgrows the limit
        writer.write(f"X-Filler-{n}: {'x' * 80}\r\n".encode())
    await writer.drain()
    answer = await _closed_by_server(reader, within=5.0)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:80]
    writer.close()
    padding = {f"X-Filler-{n}": "x" * 80 for n in range(MAX_HEAD_BYTES // 100 - 20)}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live}") as http:
        assert (await http.get("/healthz", headers=padding)).status_code == 200


async def test_the_served_answers_are_whole_over_keep_alive(live: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live}") as http:
        for _ in range(3):  # one connection: each head and body arrive, in order
            answer = await http.post("/graphql", json={"query": "{ __typename }"})
            assert answer.json() == {"data": {"__typename": "Query"}}


async def test_an_answer_slower_than_the_head_deadline_is_still_sent(
    writes: WriteClient, live: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head deadline (0.5 s here) is for the request's head only: once the whole
    request has come, the connection waits for its answer however long that takes."""
    store: Store = writes.store
    read = store.read

    async def slow_read(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(1.5)
        return await read(*args, **kwargs)

    monkeypatch.setattr(store, "read", slow_read)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live}", timeout=10) as http:
        answer = await http.post(
            "/graphql", json={"query": '{ intervention(id: "mash") { name } }'}
        )
    assert answer.status_code == 200, answer.text
    assert "errors" not in answer.json()
