"""GraphQL's own lane through the app: /graphql is answered past the edge alone.

Every request passes the same edge: CORS and the request boundary (id, access log,
metrics). Past it, a request for any other route goes through FastAPI's stack: its error
and telemetry layers, compression as the answer streams, the exception middleware, the
routers tried in turn. For a GraphQL read answered in half a millisecond that walk was
about a fifth of the service's CPU (a py-spy profile of shape a of the benchmark under
load). So the app (service/app.py) hands /graphql to this lane instead. The lane calls the GraphQL
endpoint itself, answers an exception it raises with the app's own exception handlers,
and compresses the whole answer at once, as the GZip middleware would have.

The route stays registered too. With tracing on, the instrumented stack answers /graphql
and names the request's span after it.
"""

from __future__ import annotations

import gzip
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

# An exception handler as FastAPI keeps them: sync or async.
Handler = Callable[[Request, Exception], Any]
# As the GZip middleware around every other route (service/app.py).
COMPRESS_FROM_BYTES: Final = 1000
COMPRESS_LEVEL: Final = 6


class GraphQLLane:
    def __init__(
        self,
        *,
        path: str,
        methods: tuple[str, ...],
        endpoint: Callable[[Request], Awaitable[Response]],
        exception_handlers: Mapping[Any, Handler],
    ) -> None:
        self._path = path
        self._methods = frozenset(methods) | {"HEAD"}  # the endpoint answers HEAD itself
        self._endpoint = endpoint
        # The app's own mapping, read per error: handlers added after this are seen.
        self._handlers = exception_handlers

    def takes(self, scope: Scope) -> bool:
        """A request for the endpoint; other methods on its path get the router's 405."""
        return (
            scope["type"] == "http"
            and scope["method"] in self._methods
            and scope["path"] in (self._path, scope.get("root_path", "") + self._path)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await self._endpoint(request)
        except Exception as error:
            handler = self._handler_for(error)
            if handler is None:
                raise  # the request boundary's logged 500
            answer = handler(request, error)
            response = await answer if inspect.isawaitable(answer) else answer
        _compress(response, request.headers.get("accept-encoding", ""))
        await response(scope, receive, send)

    def _handler_for(self, error: Exception) -> Handler | None:
        for kind in type(error).__mro__:
            if (handler := self._handlers.get(kind)) is not None:
                return handler
        return None


class ServiceApp(FastAPI):
    """FastAPI, but a GraphQL request goes from the edge straight to its GraphQLLane,
    not through the stack of every other route."""

    # The lane, and the lane inside the same edge middleware as every route (set by
    # service/app.py). None: the router's route answers /graphql (tracing sets it so).
    graphql: tuple[GraphQLLane, ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.graphql is not None and self.graphql[0].takes(scope):
            scope["app"] = self
            await self.graphql[1](scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _compress(response: Response, accept_encoding: str) -> None:
    """Gzip a whole answer of COMPRESS_FROM_BYTES or more for a client that accepts it."""
    body = getattr(response, "body", None)
    if (
        not isinstance(body, bytes)
        or len(body) < COMPRESS_FROM_BYTES
        or "content-encoding" in response.headers
    ):
        return
    response.headers.add_vary_header("Accept-Encoding")
    if "gzip" not in accept_encoding.lower():
        return
    response.body = gzip.compress(body, compresslevel=COMPRESS_LEVEL, mtime=0)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.body))
