"""What operators run: the container image's recipe, the compose file with Neo4j 5, the
container health check, and tracing (off by default, on through OTEL_* variables).

Docker is not needed: the files are read as Docker and Compose would read them.
"""

from __future__ import annotations

import http.server
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from service.app import create_app
from service.healthcheck import main as healthcheck
from service.tracing import tracing_requested
from tests.conftest import StoreAddress, settings_for
from tests.service_process import free_port

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def test_compose_runs_the_service_on_a_healthy_neo4j_5() -> None:
    services = _compose()["services"]
    assert set(services) == {"neo4j", "service"}
    neo4j = services["neo4j"]
    assert re.fullmatch(r"neo4j:5\.\d+(-community|-enterprise)?", neo4j["image"])
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert {"neo4j-data:/data", "neo4j-logs:/logs"} <= set(neo4j["volumes"])
    assert set(_compose()["volumes"]) == {"neo4j-data", "neo4j-logs"}
    service = services["service"]
    assert service["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert service["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert service["build"]["args"]["STORE"] == "neo4j"
    # Published on loopback only; the password is required, never defaulted.
    assert all(port.startswith("127.0.0.1:") for s in services.values() for port in s["ports"])
    assert ":?" in neo4j["environment"]["NEO4J_AUTH"]


def _dockerfile() -> list[str]:
    return [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_the_image_builds_in_stages_from_hashed_locks_and_runs_as_a_user() -> None:
    lines = _dockerfile()
    stages = [line for line in lines if line.startswith("FROM ")]
    assert len(stages) == 3
    final = lines[lines.index(stages[-1]) :]
    assert any(line.startswith("USER evidence") for line in final)
    assert final.index(next(line for line in final if line.startswith("USER"))) < final.index(
        next(line for line in final if line.startswith("CMD"))
    )
    text = "\n".join(lines)
    assert "--require-hashes" in text and 'requirements-$STORE.lock"' in text
    # Dependencies are installed before any code is copied: code changes reuse that layer.
    assert text.index("pip install") < text.index("COPY service ./service")
    assert "ARG STORE=neo4j" in text
    assert 'CMD ["python", "-m", "service.healthcheck"]' in text
    for lock in ("requirements-neo4j.lock", "requirements-embedded.lock"):
        assert (ROOT / lock).is_file()
    assert "arcadedb" not in (ROOT / "requirements-neo4j.lock").read_text()
    assert "arcadedb-embedded==" in (ROOT / "requirements-embedded.lock").read_text()


def test_the_build_context_leaves_out_local_state() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "data", "tests", "web/node_modules", "test-artifacts"} <= ignored
    for needed in ("service", "schema", "migrations", "examples", "web/package.json"):
        assert needed not in ignored


@pytest.fixture
def ready_server() -> Iterator[int]:
    class Ready(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/readyz" else 404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_asks_the_port_the_container_is_given(
    ready_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", str(ready_server))
    assert healthcheck() == 0
    monkeypatch.setenv("PORT", str(free_port()))
    assert healthcheck() == 1


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": ""}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"}, False),
    ],
)
def test_tracing_is_off_unless_otel_variables_ask(environ: dict[str, str], expected: bool) -> None:
    assert tracing_requested(environ) is expected


def test_no_tracing_without_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("OTEL_"):
            monkeypatch.delenv(name)
    from service.tracing import configure_tracing

    app = create_app()
    assert configure_tracing(app) is False


async def test_requests_and_store_transactions_are_traced(embedded: StoreAddress) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from service.tracing import configure_tracing

    exporter = InMemorySpanExporter()
    app = create_app(settings_for(embedded, load_example_data=False))
    assert configure_tracing(app, exporter=exporter)
    async with app.router.lifespan_context(app):
        exporter.clear()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post(
                "/graphql", json={"query": '{ intervention(id: "mash") { name } }'}
            )
        assert response.status_code == 200
    spans = exporter.get_finished_spans()
    by_name = {span.name: span for span in spans}
    assert "POST /graphql" in by_name
    store_span = by_name["neo4j read"]
    assert store_span.attributes is not None
    assert store_span.attributes["db.system.name"] == "neo4j"
    # The store's span belongs to the request's trace.
    assert store_span.context.trace_id == by_name["POST /graphql"].context.trace_id
    exporter.clear()
