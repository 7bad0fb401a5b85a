"""The outermost layer of every HTTP request: its id, its access-log line, its metrics,
and the answer for whatever nothing else handled.

The request id is the client's ``X-Request-ID`` when it is sane (1-128 characters of
letters, digits and ``-_.:``), else a new random one; every response carries it back and
every log line written while the request runs names it. An exception no route handled
becomes a logged 500 problem (RFC 9457) when nothing has been sent yet; once a response
has started (a streamed export), the exception is raised on to the server, which drops
the connection, so the client sees an incomplete transfer rather than a short file that
looks whole.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http_problems import unexpected_problem
from service.logging_setup import bind_request, redact

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("service.access")

REQUEST_ID_HEADER: Final = "x-request-id"
_ID_BYTES: Final = REQUEST_ID_HEADER.encode()
_SANE_ID: Final = re.compile(r"[A-Za-z0-9\-_.:]{1,128}")

# Called once per request with (method, path, status, seconds), for metrics.
Observer = Callable[[str, str, int, float], None]


def _target(scope: Scope) -> str:
    """The request's path and query as logged: keys sent in the URL redacted."""
    path: str = scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return redact(f"{path}?{query}" if query else path)


def request_id_from(header: str | None) -> str:
    if header and _SANE_ID.fullmatch(header):
        return header
    # 128 random bits in hex: as unguessable as a UUID4's hex, for a fifth of its CPU.
    return os.urandom(16).hex()


class RequestBoundary:
    def __init__(self, app: ASGIApp, observe: Observer | None = None) -> None:
        self.app = app
        self._observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_id = next(
            (value.decode("latin-1") for name, value in scope["headers"] if name == _ID_BYTES),
            None,
        )
        request_id = request_id_from(sent_id)
        bind_request(request_id)
        started = time.perf_counter()
        status = 0
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        method, path = scope["method"], scope["path"]
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            target = _target(scope)
            if response_started:
                logger.exception("response to %s %s cut off by an error", method, target)
                status = 0  # logged as cut off: the client got an incomplete transfer
                raise
            logger.exception("unexpected error answering %s %s", method, target)
            await unexpected_problem().response()(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            if access_logger.isEnabledFor(logging.INFO):
                target = _target(scope)
                access_logger.info(
                    "%s %s %s",
                    method,
                    target,
                    status or "cut-off",
                    extra={
                        "method": method,
                        "path": target,
                        "status": status or None,
                        "durationMs": round(seconds * 1000, 1),
                    },
                )
            if self._observe is not None:
                self._observe(method, path, status or 500, seconds)
