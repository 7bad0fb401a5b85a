"""Reading a GraphQL-over-HTTP request: parameters, media types, and what is refused.

Rules from the GraphQL-over-HTTP draft (graphql.github.io/graphql-over-http/draft/),
sections "Request" and "Accept": POST bodies are ``application/json`` in UTF-8, GET
carries the parameters in the URL (``variables`` and ``extensions`` as JSON text), and the
response media type follows ``Accept``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

import orjson
from fastapi import Request

from service.settings import Settings

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
# Request bodies nest a little (variables hold filter objects); anything deeper is abuse.
MAX_JSON_DEPTH: Final = 32
_MAYBE_SURROGATE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


class RequestError(Exception):
    """The HTTP request is not a GraphQL request this endpoint can run."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        status_for_json: int | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        # A refusal that is a well-formed GraphQL response: application/json answers it
        # with this status (200), as GraphQL-over-HTTP asks for legacy clients.
        self.status_for_json = status_for_json or status
        self.headers = headers or {}
        self.extensions = {"code": "BAD_REQUEST", **extensions}


@dataclass(frozen=True)
class GraphQLParams:
    # None when the client sends a persisted query's hash instead (service/persisted_queries.py).
    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


async def read_payload(request: Request, settings: Settings) -> Any:
    if request.method == "GET":
        return dict(request.query_params)
    content_type = request.headers.get("content-type")
    if not content_type:
        raise RequestError(415, f"POST needs Content-Type: {JSON}.")
    media, _, parameters = content_type.partition(";")
    charset = _parameter(parameters, "charset")
    if media.strip().lower() != JSON or (charset and charset.lower() != "utf-8"):
        raise RequestError(415, f"Unsupported Content-Type {content_type!r}; send {JSON} in UTF-8.")
    body = await _read_body(request, settings.max_body_bytes)
    if not body.strip():
        raise RequestError(400, "The request body is empty.")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = _slow_loads(body)  # the standard parser says what exactly is wrong
    _check_json(payload, check_strings=_MAYBE_SURROGATE.search(body) is not None)
    return payload


def _slow_loads(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise RequestError(400, "The request body is not valid UTF-8.") from None
    except (ValueError, RecursionError):
        raise RequestError(400, "The request body is not valid JSON.") from None


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = RequestError(
        413,
        f"The request body exceeds MAX_BODY_BYTES = {limit}.",
        code="LIMIT_EXCEEDED",
        limit="MAX_BODY_BYTES",
        value=limit,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks = bytearray()
    async for chunk in request.stream():
        chunks.extend(chunk)
        if len(chunks) > limit:
            raise too_large
    return bytes(chunks)


def _check_json(payload: Any, *, check_strings: bool) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and strings with lone surrogates.

    JSON may escape a lone surrogate (``"\\ud800"``); Python keeps it, but it cannot be
    encoded again (for the store, or for the response), so it is refused here.
    """
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise RequestError(
                    400, f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
                )
            items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
            for key, item in items:
                if check_strings and key is not None:
                    _check_string(key)
                stack.append((item, depth + 1))
        elif check_strings and isinstance(value, str):
            _check_string(value)


def _check_string(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RequestError(400, "The request holds a lone surrogate, which is not text.") from None


def parse_params(payload: Any) -> GraphQLParams:
    if not isinstance(payload, dict):
        raise RequestError(400, "The request must be a JSON object.")
    query = payload.get("query")
    if query is not None and not isinstance(query, str):
        raise RequestError(400, "The query parameter must be a string.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "The operationName parameter must be a string.")
    return GraphQLParams(
        query=query,
        operation_name=operation_name,
        variables=_map_parameter(payload, "variables"),
        extensions=_map_parameter(payload, "extensions"),
    )


def _map_parameter(payload: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = payload.get(name)
    if isinstance(value, str):
        # GET carries maps as JSON text in the URL.
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise RequestError(400, f"The {name} parameter is not valid JSON.") from None
        _check_json(value, check_strings=True)
    if value is not None and not isinstance(value, dict):
        raise RequestError(400, f"The {name} parameter must be a map.")
    return value


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header, or None when none fits.

    No header means application/json (GraphQL-over-HTTP, "Legacy watershed"); so do
    wildcards. Between equal preferences graphql-response+json wins.
    """
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for entry in accept.split(","):
        media, _, parameters = entry.partition(";")
        media = media.strip().lower()
        quality = _quality(parameters)
        charset = _parameter(parameters, "charset")
        if quality <= 0 or (charset and charset.lower() != "utf-8"):
            continue
        if media == GRAPHQL_RESPONSE_JSON:
            candidate = (quality, 2, GRAPHQL_RESPONSE_JSON)
        elif media == JSON:
            candidate = (quality, 1, JSON)
        elif media in ("*/*", "application/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best else None


def _quality(parameters: str) -> float:
    value = _parameter(parameters, "q")
    if value is None:
        return 1.0
    try:
        return min(max(float(value), 0.0), 1.0)
    except ValueError:
        return 0.0


def _parameter(parameters: str, name: str) -> str | None:
    for part in parameters.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return None
