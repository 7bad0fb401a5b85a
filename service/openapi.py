"""The HTTP contract for partners: OpenAPI 3.1 for every endpoint besides GraphQL.

FastAPI writes the paths and parameters from the routes; this adds what it cannot know:
request bodies read from the stream (JSON graph files, CSV tables), every response with
its body, the errors as RFC 9457 problem details, and the security schemes (API keys and
JWTs, both bearer tokens) with the scopes each operation needs. Served at
/v1/openapi.json.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans.subgraph import MAX_SUBGRAPH_DEPTH, MAX_SUBGRAPH_IDS

GRAPH_FILE_SCHEMA: Final = (
    Path(__file__).resolve().parent.parent / "docs" / "graph-file.schema.json"
)

_DESCRIPTION: Final = """\
Bulk imports, import templates, exports and health of the Evidence Graph service. The
GraphQL API is at /graphql (its schema: schema/schema.graphql). Paths carry the API
version (/v1); the unversioned paths of before answer 308 to them until they are removed.
See the README, "Versions and deprecation".
"""

_PROBLEM: Final = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, STORE_UNAVAILABLE...",
        },
        "argument": {"type": "string", "description": "The parameter at fault, if one is."},
    },
    "required": ["title", "status"],
}
_COUNTS: Final = {
    "type": "object",
    "properties": {
        k: {"type": "integer", "minimum": 0} for k in ("created", "updated", "unchanged")
    },
    "required": ["created", "updated", "unchanged"],
}
_WRITTEN: Final = {
    "type": "object",
    "description": "One record the import creates or updates.",
    "properties": {
        "where": {"type": "string", "examples": ["nodes[3]", "line 12"]},
        "kind": {"type": "string", "description": "The node label or relationship type."},
        "id": {"type": "string", "description": "The node id, or 'fromId->toId'."},
        "status": {"enum": ["created", "updated"]},
        "changed": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Properties whose value the record sets or removes: they are now "
            "attributed to the record's source.",
        },
        "kept": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Properties already in the graph that stay as they were, under the "
            "source that gave them (propertySources), whatever the record's own source.",
        },
    },
    "required": ["where", "kind", "id", "status", "changed", "kept"],
}
_IMPORT_REPORT: Final = {
    "type": "object",
    "description": "What an import did (imported), would do (checked: a dry run, nothing "
    "written) or why nothing was written (rejected).",
    "properties": {
        "status": {"enum": ["imported", "checked", "rejected"]},
        "dryRun": {"type": "boolean", "description": "Whether this was ?dryRun=true."},
        "records": {"type": "integer", "minimum": 0},
        "nodes": {"$ref": "#/components/schemas/Counts"},
        "relationships": {"$ref": "#/components/schemas/Counts"},
        "writtenTotal": {
            "type": "integer",
            "minimum": 0,
            "description": "Records created or updated (unchanged ones are only counted).",
        },
        "written": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/WrittenRecord"},
            "description": "The first 1,000 records created or updated, in file order "
            "(nodes, then relationships).",
        },
        "rejectedTotal": {"type": "integer", "minimum": 0},
        "rejected": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "where": {"type": "string", "examples": ["nodes[3]", "line 12"]},
                    "field": {"type": ["string", "null"]},
                    "reason": {"type": "string"},
                },
                "required": ["where", "field", "reason"],
            },
        },
        "seconds": {"type": "number", "minimum": 0},
    },
    "required": [
        "status",
        "dryRun",
        "records",
        "nodes",
        "relationships",
        "writtenTotal",
        "written",
        "rejectedTotal",
        "rejected",
    ],
}
_STATUS: Final = {
    "type": "object",
    "properties": {"status": {"type": "string"}},
    "required": ["status"],
}

_READ: Final = [{}, {"apiKey": ["evidence:read"]}, {"jwt": ["evidence:read"]}]
_WRITE: Final = [{"apiKey": ["evidence:write"]}, {"jwt": ["evidence:write"]}]


def _problem(description: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


_UNAUTHENTICATED: Final = _problem(
    "No bearer token, or one that is not valid.", **{"WWW-Authenticate": "Bearer"}
)
_UNAVAILABLE: Final = _problem(
    "The database is unavailable; try again later.", **{"Retry-After": "Seconds to wait."}
)


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


# What each operation takes and answers, beyond what FastAPI derives from the route.
_OPERATIONS: Final[dict[tuple[str, str], dict[str, Any]]] = {
    ("/v1/imports", "post"): {
        "summary": "Import a graph file (JSON) or one CSV table, all or nothing",
        "security": _WRITE,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/GraphFile"}},
                "text/csv": {
                    "schema": {"type": "string"},
                    "description": "One table (?table=...), as GET /v1/imports/templates/"
                    "{table}.csv gives it; ',' or ';' separated, UTF-8 with or without a "
                    "byte-order mark.",
                },
            },
        },
        "responses": {
            "200": _json(
                "ImportReport",
                "Imported (or, with ?dryRun=true, checked): what was (would be) created, "
                "updated or unchanged, and per record the properties changed and kept.",
            ),
            "400": _problem("Not valid JSON or CSV, or a CSV import without ?table."),
            "401": _UNAUTHENTICATED,
            "403": _problem("The client lacks the evidence:write scope."),
            "413": _problem("Larger than IMPORT_MAX_BYTES."),
            "422": _json("ImportReport", "Rejected: every refused record; nothing was written."),
            "503": _UNAVAILABLE,
        },
    },
    ("/v1/imports/templates/{table}.csv", "get"): {
        "security": [],
        "responses": {},
    },
    ("/v1/exports/{export_format}", "get"): {
        "security": _READ,
        "responses": {
            "200": {
                "description": "The file, streamed; named by Content-Disposition.",
                "content": {
                    "application/graphml+xml": {"schema": {"type": "string"}},
                    "application/gexf+xml": {"schema": {"type": "string"}},
                    "application/json": {
                        "schema": {"type": "object", "required": ["elements"]},
                        "description": "Cytoscape.js elements JSON.",
                    },
                    "application/zip": {
                        "schema": {"type": "string", "contentMediaType": "application/zip"},
                        "description": "CSV files for neo4j-admin database import, with IMPORT.txt.",
                    },
                },
            },
            "400": _problem("A bound exceeded or an unknown label or type (code BAD_USER_INPUT)."),
            "401": _UNAUTHENTICATED,
            "403": _problem(
                "Reads are closed (REQUIRE_AUTH_FOR_READS) and the client lacks evidence:read."
            ),
            "503": _UNAVAILABLE,
        },
    },
    ("/healthz", "get"): {
        "summary": "The process is up",
        "security": [],
        "responses": {"200": _json("Status", "Always, while the process runs.")},
    },
    ("/readyz", "get"): {
        "summary": "The store answers and every migration is applied",
        "security": [],
        "responses": {
            "200": _json("Status", "Ready."),
            "503": _json("Status", "Not ready; status says why."),
        },
    },
    ("/metrics", "get"): {
        "summary": "Prometheus metrics",
        "security": [],
        "responses": {
            "200": {
                "description": "Prometheus text exposition format.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        },
    },
}

# Bounds of query parameters that FastAPI cannot see in the route's types: what the
# endpoint refuses with a 400 is outside the documented values.
_KEY_PATTERN: Final = "^(" + "|".join(LABELS) + "):.+$"
_PARAMETERS: Final[dict[tuple[str, str], dict[str, dict[str, Any]]]] = {
    ("/v1/exports/{export_format}", "get"): {
        "ids": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": _KEY_PATTERN},
                    "maxItems": MAX_SUBGRAPH_IDS,
                },
                {"type": "null"},
            ]
        },
        "depth": {"type": "integer", "minimum": 0, "maximum": MAX_SUBGRAPH_DEPTH, "default": 1},
        "labels": {"anyOf": [{"type": "array", "items": {"enum": list(LABELS)}}, {"type": "null"}]},
        "relationshipTypes": {
            "anyOf": [
                {"type": "array", "items": {"enum": list(RELATIONSHIP_TYPES)}},
                {"type": "null"},
            ]
        },
    },
}

_SECURITY_SCHEMES: Final = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "egk_<key id>_<secret>",
        "description": "An API key issued by an administrator (`python -m service keys "
        "issue`). Scopes: evidence:read, evidence:write (includes read), admin (includes both).",
    },
    "jwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An OAuth 2 client-credentials token from the partner's identity "
        "provider (AUTH_JWT_ISSUER), scopes in `scope`, the agency in AUTH_JWT_AGENCY_CLAIM "
        "(which must be an agency of the graph).",
    },
}


def describe_contract(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the completed document (built once, then cached)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version="3.1.0",
                description=_DESCRIPTION,
                routes=app.routes,
            )
            app.openapi_schema = _completed(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _completed(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    # FastAPI's request-validation errors are answered as problem details (422, code
    # BAD_USER_INPUT, ``argument`` naming the parameter), not as FastAPI's own body.
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(
        Problem=_PROBLEM,
        Counts=_COUNTS,
        ImportReport=_IMPORT_REPORT,
        WrittenRecord=_WRITTEN,
        Status=_STATUS,
        GraphFile=_graph_file_schema(),
    )
    document["components"]["securitySchemes"] = _SECURITY_SCHEMES
    paths = document.setdefault("paths", {})
    for (path, method), extra in _OPERATIONS.items():
        operation = paths.setdefault(path, {}).setdefault(method, {"responses": {}})
        responses = operation.setdefault("responses", {})
        has_parameters = responses.pop("422", None) is not None
        # Copies: the constants above are shared by every app built in this process.
        responses.update(copy.deepcopy(extra.get("responses", {})))
        if has_parameters:
            _add_content(responses, "422", _BAD_PARAMETER)
        for key in ("summary", "security", "requestBody"):
            if key in extra:
                operation[key] = extra[key]
    for (path, method), bounds in _PARAMETERS.items():
        for parameter in paths[path][method].get("parameters", []):
            if parameter["name"] in bounds:
                parameter["schema"] = {
                    **bounds[parameter["name"]],
                    "title": parameter["schema"].get("title", parameter["name"]),
                }
    return document


_BAD_PARAMETER: Final = _problem(
    "A path or query parameter is not valid (code BAD_USER_INPUT; argument names it)."
)


def _add_content(responses: dict[str, Any], status: str, problem: dict[str, Any]) -> None:
    """Document ``problem`` for ``status`` beside what the status already answers."""
    if status not in responses:
        responses[status] = copy.deepcopy(problem)
        return
    existing = responses[status]
    existing["description"] = f"{existing['description']} Or: {problem['description']}"
    existing.setdefault("content", {}).update(problem["content"])


def _graph_file_schema() -> dict[str, Any]:
    """docs/graph-file.schema.json with its internal references pointing into the document
    (OpenAPI tools do not all follow an embedded $id)."""
    text = GRAPH_FILE_SCHEMA.read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(
        text.replace('"#/$defs/', '"#/components/schemas/GraphFile/$defs/')
    )
    schema.pop("$schema", None)
    schema.pop("$id", None)
    return schema
