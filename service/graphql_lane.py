"""GraphQL's own lane through the app: requests to /graphql skip FastAPI's router.

Every request passes the same edge: tracing, CORS, the request boundary (id, access log,
metrics), compression. That is the middleware around this one. Past it, FastAPI would
wrap the request in its exception middleware, find the route by trying the routers in
turn, and wrap it again. On shape a of the benchmark that walk was about a tenth of the
service's CPU per request (bench/RESULTS.md), more than parsing the request's JSON. This
middleware calls the GraphQL endpoint itself, and answers an exception the endpoint
raises with the app's own exception handlers, as the router would have. The route stays
registered too: tracing names the request's span after it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

# An exception handler as FastAPI keeps them: sync or async.
Handler = Callable[[Request, Exception], Any]


class GraphQLLane:
    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        methods: tuple[str, ...],
        endpoint: Callable[[Request], Awaitable[Response]],
        exception_handlers: Mapping[Any, Handler],
    ) -> None:
        self.app = app
        self._path = path
        self._methods = frozenset(methods) | {"HEAD"}  # the endpoint answers HEAD itself
        self._endpoint = endpoint
        # The app's own mapping, read per error: handlers added after this are seen.
        self._handlers = exception_handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in self._methods
            or scope["path"] not in (self._path, scope.get("root_path", "") + self._path)
        ):
            # Other paths, and other methods here (the router's 405 problem).
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await self._endpoint(request)
        except Exception as error:
            handler = self._handler_for(error)
            if handler is None:
                raise  # the request boundary's logged 500
            answer = handler(request, error)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)

    def _handler_for(self, error: Exception) -> Handler | None:
        for kind in type(error).__mro__:
            if (handler := self._handlers.get(kind)) is not None:
                return handler
        return None
