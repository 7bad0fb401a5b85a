"""A TCP proxy on 127.0.0.1 that sits between the service and the store and misbehaves
on request: stops listening and drops every connection, delays what the store sends,
cuts a connection in the middle of a response, or lets a COMMIT through to the store and
drops the connection instead of passing on the store's reply (so the transaction is
committed but the driver cannot know)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final
from urllib.parse import urlsplit

import httpx
import pytest

from service.app import create_app
from tests.conftest import WriteClient, settings_for

# A Bolt COMMIT message as the driver sends it: one chunk of two bytes (a struct of no
# fields, signature 0x12), then the end-of-message marker.
BOLT_COMMIT: Final = b"\x00\x02\xb0\x12\x00\x00"
# BEGIN is a struct of one field (its extra map), signature 0x11; a read transaction's
# map holds mode: "r" (PackStream: tiny string "mode", tiny string "r").
BOLT_BEGIN: Final = b"\xb1\x11"
READ_MODE: Final = b"\x84mode\x81r"


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self.port = 0
        # Seconds to hold each chunk the store sends before passing it on.
        self.delay = 0.0
        # Connections still to be cut halfway through the next chunk the store sends.
        self._cuts_armed = 0
        self.cuts = 0
        # COMMIT replies still to be swallowed, and how many were.
        self._commit_cuts_armed = 0
        self.commit_cuts = 0
        # What the service sent to the store, kept while ``record_sent`` is true.
        self.record_sent = False
        self.sent = bytearray()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        """Stop listening and drop every open connection, as a store that went away."""
        if self._server:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._connections):
            writer.transport.abort()
        self._connections.clear()

    async def up(self) -> None:
        """Listen again on the same port."""
        await self.start()

    def cut_next_response(self, times: int = 1) -> None:
        self._cuts_armed = times

    def cut_reply_to_commit(self, times: int = 1) -> None:
        """Pass the next ``times`` COMMITs of write transactions to the store, then drop
        each connection before the store's reply gets back."""
        self._commit_cuts_armed = times

    async def _handle(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        try:
            store_reader, store = await asyncio.open_connection(*self._target)
        except OSError:
            client.transport.abort()
            return
        self._connections.update({client, store})
        committing = asyncio.Event()
        reading = asyncio.Event()  # set while the connection's transaction is a read
        try:
            await asyncio.gather(
                self._pipe(
                    client_reader, store, from_store=False, committing=committing, reading=reading
                ),
                self._pipe(
                    store_reader, client, from_store=True, committing=committing, reading=reading
                ),
            )
        finally:
            for writer in (client, store):
                self._connections.discard(writer)
                writer.transport.abort()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        from_store: bool,
        committing: asyncio.Event,
        reading: asyncio.Event,
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await reader.read(65536):
                if not from_store and self.record_sent:
                    self.sent.extend(chunk)
                if not from_store and BOLT_BEGIN in chunk:
                    (reading.set if READ_MODE in chunk else reading.clear)()
                if (
                    not from_store
                    and self._commit_cuts_armed
                    and not reading.is_set()
                    and BOLT_COMMIT in chunk
                ):
                    self._commit_cuts_armed -= 1
                    committing.set()
                if from_store and committing.is_set():
                    # The store has the COMMIT; its reply never reaches the driver.
                    self.commit_cuts += 1
                    raise ConnectionResetError("commit reply cut by the fault proxy")
                if from_store and self.delay:
                    await asyncio.sleep(self.delay)
                if from_store and self._cuts_armed:
                    self._cuts_armed -= 1
                    self.cuts += 1
                    writer.write(chunk[: max(1, len(chunk) // 2)])
                    await writer.drain()
                    raise ConnectionResetError("cut by the fault proxy")
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()

    async def stop(self) -> None:
        await self.down()


@contextlib.asynccontextmanager
async def app_through_proxy(
    writes: WriteClient, **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, FaultProxy]]:
    """An app on the write store (where API keys exist) that reaches it through a proxy."""
    address = urlsplit(writes.embedded.uri)
    if address.scheme not in ("bolt", "neo4j"):
        pytest.skip("the fault proxy passes plain Bolt only, not TLS")
    proxy = FaultProxy(address.hostname or "127.0.0.1", address.port or 7687)
    await proxy.start()
    app = create_app(
        settings_for(
            writes.embedded,
            neo4j_uri=f"bolt://127.0.0.1:{proxy.port}",
            load_example_data=False,
            **settings,
        )
    )
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client, proxy
    finally:
        await proxy.stop()
