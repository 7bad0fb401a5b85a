"""The app factory: FastAPI with the GraphQL router, health checks and metrics."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from schema.build import build_schema
from schema.context import Context
from service import import_routes
from service.auth.authenticate import reader
from service.cors import cors_middleware
from service.graphql_http import GRAPHQL_METHODS, GRAPHQL_PATH, graphql_endpoint
from service.graphql_lane import COMPRESS_FROM_BYTES, COMPRESS_LEVEL, GraphQLLane, ServiceApp
from service.graphql_request import RequestError
from service.http_problems import Problem
from service.logging_setup import redact_logger
from service.metrics import Metrics
from service.migrations import migrations_are_current
from service.openapi import describe_contract
from service.problem_handlers import add_problem_handlers
from service.rate_limit import Limiter, RateLimiter, SharedRateLimiter
from service.request_boundary import RequestBoundary
from service.routes import explorer, exports, graphiql, import_templates
from service.routes.versioning import API_PREFIX, legacy_router
from service.runtime import Runtime
from service.settings import Settings
from service.shared_state import SharedDocuments, SharedState
from service.tracing import configure_tracing
from service.write_headers import (
    BOOKMARK,
    IDEMPOTENCY_KEY,
    BadHeader,
    bookmarks_from,
    idempotency_key,
)

logger = logging.getLogger(__name__)

YOUNG_COLLECTION_EVERY: Final = 10_000

_ROUTES = frozenset(
    {
        "/graphql",
        "/graphiql",
        "/healthz",
        "/livez",
        "/readyz",
        "/metrics",
        "/imports",
        "/exports",
        "/explore",
    }
)


def _route_label(path: str) -> str:
    """A bounded set of metric labels: the route's first path segment, or "other"."""
    first = "/" + path.removeprefix(API_PREFIX).strip("/").split("/", 1)[0]
    return first if first in _ROUTES else "other"


def _write_scope(request: Request, runtime: Runtime) -> dict[str, Any]:
    """The request's view of the store, seeded with the bookmarks the client sent back, and
    the Idempotency-Key its writes run under (see service/write_headers.py)."""
    try:
        bookmarks = bookmarks_from(request.headers.get(BOOKMARK))
        key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
    except BadHeader as error:
        raise RequestError(400, str(error), code="BAD_REQUEST") from None
    scope: dict[str, Any] = {"store": runtime.store.for_request(bookmarks)}
    if key is not None:
        scope["sent_key"] = key
    return scope


def create_app(settings: Settings | None = None, *, shared: SharedState | None = None) -> FastAPI:
    """Build the app; its lifespan opens the store (starting the embedded one if needed).

    ``shared``: the state this process shares with the other worker processes of the
    service (rate-limit counters, persisted queries, metrics); None in a single process.
    """
    settings = settings or Settings()
    metrics = Metrics(shared_dir=shared.metrics_dir if shared else None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = await Runtime.start(settings, metrics, wait_for_store=True)
        # Before the process listens (so before it is ready): a whole-graph view's first
        # answer then waits for no snapshot file.
        await app.state.runtime.load_evidence_snapshot()
        # What exists now (modules, the schema, the driver: some 120,000 objects, and a
        # loaded snapshot's million or so) lives as long as the process (the snapshot as
        # long as its graph version). Frozen, a full garbage collection no longer walks it all:
        # those walks were the service's latency stalls (hundreds of ms on a busy machine).
        gc.freeze()
        # A request leaves almost nothing alive behind it (reference counting frees the
        # rest), so a young-generation collection costs about what the objects of the
        # requests in flight cost to walk, however rarely it runs. At Python's default
        # (every 700 allocations) the collector took 20 µs per shape-a request; every
        # YOUNG_COLLECTION_EVERY allocations, 8 µs (gc.callbacks timing, 10,000 requests
        # at concurrency 8), in pauses of about 1 ms.
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
        app.state.runtime.start_evidence_warmup()
        try:
            yield
        finally:
            await app.state.runtime.stop()

    app = ServiceApp(
        title="Evidence Graph",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    describe_contract(app)
    app.state.settings = settings
    app.state.metrics = metrics

    async def context(request: Request) -> Context:
        """The caller and the store; bad credentials (or closed reads) end the request here,
        in GraphQL's error shape."""
        try:
            principal = await reader(request)
        except Problem as problem:
            raise RequestError(
                problem.status, problem.detail, code=problem.code, headers=problem.headers
            ) from None
        return Context(
            principal=principal,
            settings=settings,
            **_write_scope(request, request.app.state.runtime),
        )

    limiter: Limiter | None = None
    if settings.rate_limit_requests and shared is not None:
        limiter = SharedRateLimiter(
            shared.rate_limit_path,
            limit=settings.rate_limit_requests,
            window=settings.rate_limit_window,
        )
    elif settings.rate_limit_requests:
        limiter = RateLimiter(limit=settings.rate_limit_requests, window=settings.rate_limit_window)
    # Kept on the app so that tests can look at its document cache.
    app.state.graphql_schema = build_schema(settings.document_cache_size)
    endpoint = graphql_endpoint(
        schema=app.state.graphql_schema,
        settings=settings,
        context_for=context,
        limiter=limiter,
        shared_documents=SharedDocuments(shared, size=settings.apq_cache_size) if shared else None,
    )
    # A plain Starlette route: the endpoint reads the request itself, so FastAPI's
    # per-request dependency solving would only add CPU.
    app.add_route(GRAPHQL_PATH, endpoint, methods=list(GRAPHQL_METHODS), include_in_schema=False)

    for versioned in (import_routes.router, import_templates.router, exports.router):
        app.include_router(versioned, prefix=API_PREFIX)
    app.include_router(legacy_router())
    app.include_router(explorer.router)
    app.include_router(graphiql.router)

    # Bodies over 1 kB are compressed as they stream (zip exports are left alone, being
    # compressed already). Inside the edge, so it sees each route's own answer.
    app.add_middleware(
        GZipMiddleware, minimum_size=COMPRESS_FROM_BYTES, compresslevel=COMPRESS_LEVEL
    )

    def observe(method: str, path: str, status: int, seconds: float) -> None:
        route = _route_label(path)
        metrics.requests_counter(method, route, str(status)).inc()
        metrics.duration_histogram(route).observe(seconds)

    # The edge every request passes, innermost first: the request boundary, then CORS
    # (outermost: preflights are answered before anything else runs).
    edge = [Middleware(RequestBoundary, observe=observe), cors_middleware(settings)]
    lane = GraphQLLane(
        path=GRAPHQL_PATH,
        methods=GRAPHQL_METHODS,
        endpoint=endpoint,
        exception_handlers=app.exception_handlers,
    )
    lane_behind_edge: ASGIApp = lane
    for middleware in filter(None, edge):
        cls, args, kwargs = middleware
        app.add_middleware(cls, *args, **kwargs)
        lane_behind_edge = cls(lane_behind_edge, *args, **kwargs)
    # Run by uvicorn directly (with uvicorn's own log format), its request lines hold the
    # URL as sent: keys put in it are redacted there too.
    for name in ("uvicorn.access", "uvicorn.error"):
        redact_logger(name)
    add_problem_handlers(app)

    app.graphql = (lane, lane_behind_edge)
    configure_tracing(app)

    @app.get("/healthz")
    @app.get("/livez", include_in_schema=False)  # the same check under its Kubernetes name
    async def healthz(request: Request) -> JSONResponse:
        """Liveness: 200 while the service is up and can recover by itself (a store that
        is down, or an embedded store being restarted, is not-ready, not dead); 503 once
        it cannot, so its supervisor restarts it."""
        runtime = request.app.state.runtime
        if not runtime.live:
            return JSONResponse({"status": runtime.problem or "not alive"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The store answers and every migration is applied."""
        runtime = request.app.state.runtime
        if not runtime.prepared:
            return JSONResponse({"status": runtime.problem or "starting"}, status_code=503)
        store = runtime.store
        try:
            await store.verify()
            if not await migrations_are_current(store):
                return JSONResponse({"status": "migrations pending"}, status_code=503)
        except Exception as error:
            logger.warning("readiness check failed: %s", error)
            return JSONResponse({"status": "store unavailable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return app
