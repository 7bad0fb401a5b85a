"""OpenTelemetry tracing: off by default, on when the standard OTEL_* variables ask.

Set ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) to send
spans over OTLP/HTTP, or ``OTEL_TRACES_EXPORTER=console`` to print them;
``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES`` and the other OTEL_* settings are
read by the SDK itself. Needs the ``tracing`` extra (``pip install
'evidence-graph[tracing]'``; the container image has it). Spans: one per HTTP request
(FastAPI instrumentation) and one per store transaction (service/store.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI

from service.graphql_lane import ServiceApp
from service.store import trace_transactions

logger = logging.getLogger(__name__)


def tracing_requested(environ: Mapping[str, str]) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(
        exporter
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    )


def configure_tracing(app: FastAPI, *, exporter: Any = None) -> bool:
    """Trace ``app`` when OTEL_* asks for it (or into ``exporter``, for tests)."""
    if exporter is None and not tracing_requested(os.environ):
        return False
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError:
        logger.warning(
            "OTEL_* variables ask for tracing but the packages are missing; "
            "install them with: pip install 'evidence-graph[tracing]'"
        )
        return False
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        # Resource.create() reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
        provider = TracerProvider(resource=Resource.create({"service.name": "evidence-graph"}))
        trace.set_tracer_provider(provider)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_exporter_from_environment()))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    trace_transactions()
    if isinstance(app, ServiceApp):
        # A span per request comes from the instrumented stack: /graphql takes it too.
        app.graphql = None
    logger.info("tracing on")
    return True


def _exporter_from_environment() -> Any:
    if os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    # Endpoint, headers, timeout and compression come from OTEL_EXPORTER_OTLP_*.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()
