"""uvicorn as the service runs it: the C HTTP parser (httptools) and read timeouts that
slow clients cannot outwait.

uvicorn closes idle keep-alive connections (``timeout_keep_alive``) but gives a client
unlimited time to send a request's head, so a client trickling header bytes holds its
connection for ever. Here a connection whose request head is not complete within
HEADER_READ_TIMEOUT of its first byte (or of connecting) is closed. Heads are at most
MAX_HEAD_BYTES (else 431). A body that stops arriving is refused by the route reading it
(the import route: BODY_READ_TIMEOUT; GraphQL bodies are small and read at once).

``bind_listener`` binds the service's port as uvicorn would (SO_REUSEADDR), for the port
check and for the listening sockets of a multi-worker service's workers.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Any, Final

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.errors import SetupError
from service.settings import Settings

MAX_HEAD_BYTES: Final = 16 * 1024
_HEAD_TOO_LARGE: Final = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
    b"content-length: 33\r\n\r\nThe request head exceeds 16 KiB.\n"
)


class ServiceProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline and a size limit for request heads.

    uvicorn's h11 protocol has both, in pure Python. Served by it on asyncio's own loop,
    the service spent 0.75 ms of CPU per request on shape a of the benchmark; by this
    protocol on uvloop (with a cheaper GraphQL path too), 0.47 ms (bench/RESULTS.md).
    """

    header_read_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_deadline: asyncio.TimerHandle | None = None
        # Connected, and not a byte of a request yet; a request head has begun and not
        # ended, and how many bytes of it have come so far.
        self._silent = True
        self._in_head = False
        self._head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._in_head or self.transport.is_closing():
            return
        # The head is still incomplete after these bytes: (nearly) all of them belong to it.
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._disarm()
            self.transport.write(_HEAD_TOO_LARGE)
            self.transport.close()
            return
        self._arm()

    def on_message_begin(self) -> None:
        self._silent = False
        self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        super().on_headers_complete()

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
        if (self._silent or self._in_head) and not self.transport.is_closing():
            self.logger.info("closed a connection whose request head took too long")
            self.transport.close()


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    protocol = type(
        "ServiceProtocol",
        (ServiceProtocol,),
        {"header_read_timeout": settings.header_read_timeout},
    )
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        lifespan="off",
        http=protocol,
        timeout_keep_alive=int(max(1, settings.keep_alive_timeout)),
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
