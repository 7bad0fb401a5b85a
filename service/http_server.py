"""uvicorn as the service runs it: read timeouts that slow clients cannot outwait.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but gives a client
unlimited time to send a request's head, so a client trickling header bytes holds its
connection for ever. Here a connection whose request head is not complete within
HEADER_READ_TIMEOUT of its first byte (or of connecting) is closed. Heads are at most
MAX_HEAD_BYTES. A body that stops arriving is refused by the route reading it (the import
route: BODY_READ_TIMEOUT; GraphQL bodies are small and read at once).

``bind_listener`` binds the service's port as uvicorn would (SO_REUSEADDR), for the port
check and for the listening sockets of a multi-worker service's workers.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any, Final

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from service.errors import SetupError
from service.settings import Settings

MAX_HEAD_BYTES: Final = 16 * 1024


class HeaderDeadlineProtocol(H11Protocol):
    """H11Protocol that closes connections whose request head arrives too slowly."""

    header_read_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            self._arm()  # part of a request head so far
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_deadline is None:
            self._head_deadline = self.loop.call_later(
                self.header_read_timeout, self._head_too_slow
            )

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.logger.info("closed a connection whose request head took too long")
            self.transport.close()


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    protocol = type(
        "ServiceProtocol",
        (HeaderDeadlineProtocol,),
        {"header_read_timeout": settings.header_read_timeout},
    )
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="off",
        http=protocol,
        timeout_keep_alive=int(max(1, settings.keep_alive_timeout)),
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        # The service logs requests itself (service.access, with the client and request
        # id, credentials redacted) in the one JSON format of service/logging_setup.py.
        access_log=False,
        log_config=None,
        log_level=settings.log_level.lower(),
    )


def bind_listener(host: str, port: int, *, share_port: bool = False) -> socket.socket:
    """The service's listening socket, bound (not yet listening); SetupError if taken.

    With ``share_port`` (SO_REUSEPORT) several such sockets bind the same port, one per
    worker, and the kernel spreads new connections over them by a hash of each
    connection's addresses. Without it the port must be free of any other socket.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn's own listener does: connections a service that just stopped left in
    # TIME_WAIT on this port must not make it look taken.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if share_port:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        if error.errno == errno.EADDRINUSE:
            raise SetupError(f"port {port} is already in use; pick another with PORT=...") from None
        raise SetupError(
            f"cannot listen on {host}:{port} ({error.strerror}); check HOST and PORT"
        ) from None
    listener.set_inheritable(True)
    return listener
