"""The app factory: FastAPI with the GraphQL router, health checks and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.fastapi import GraphQLRouter

from schema.build import build_schema
from schema.context import Context
from service.metrics import Metrics
from service.migrations import migrations_are_current
from service.routes import explorer, exports
from service.runtime import Runtime
from service.settings import Settings

logger = logging.getLogger(__name__)

_ROUTES = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; its lifespan opens the store (starting the embedded one if needed)."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = await Runtime.start(settings, metrics)
        try:
            yield
        finally:
            await app.state.runtime.stop()

    app = FastAPI(title="Evidence Graph", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.metrics = metrics

    async def context(request: Request) -> Context:
        return Context(store=request.app.state.runtime.store, settings=settings)

    app.include_router(
        GraphQLRouter(build_schema(), context_getter=context, graphql_ide="graphiql"),
        prefix="/graphql",
    )
    app.include_router(exports.router)
    app.include_router(explorer.router)

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.url.path if request.url.path in _ROUTES else "other"
        metrics.http_requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.http_duration.labels(route).observe(time.perf_counter() - started)
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The store answers and every migration is applied."""
        store = request.app.state.runtime.store
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
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app
