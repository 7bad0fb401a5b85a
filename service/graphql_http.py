"""GraphQL over HTTP, by the specification, for the Strawberry schema.

Follows the GraphQL-over-HTTP draft (graphql.github.io/graphql-over-http/draft/):
``application/graphql-response+json`` and ``application/json`` responses chosen by
``Accept`` (none acceptable: 406); POST bodies of ``application/json`` only (else 415),
GET with URL parameters for queries only (a mutation over GET: 405 with ``Allow:
POST``). With ``application/graphql-response+json``, a request that never reached
execution (bad JSON, bad parameters, a document that does not parse or validate,
variables that do not coerce, a limit exceeded) is 400 without ``data``; with
``application/json`` any well-formed GraphQL response is 200, as the specification asks
for compatibility with older clients. A request that could read nothing because the store
is down or too slow is 503 with ``Retry-After`` (graphql-response+json only: the
specification allows 5xx when the response has no ``data``). Bodies over MAX_BODY_BYTES
are 413. A JSON array is a batch of at most MAX_BATCH_SIZE requests, answered in order.
Browsers (``Accept: text/html``) opening GET /graphql get GraphiQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import orjson
import strawberry
from fastapi import Request, Response
from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled import compiled_operation
from schema.compiled import run as compiled_run
from schema.documents import DocumentCache, prepare
from schema.limits import Limits
from service.auth.principal import CHALLENGE
from service.disconnect import ClientGone, unless_disconnected
from service.graphql_request import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    GraphQLParams,
    RequestError,
    negotiate,
    parse_params,
    read_payload,
)
from service.persisted_queries import DocumentRegistry, PersistedQueries, read_allow_list
from service.rate_limit import Limiter, Quota
from service.routes.graphiql import graphiql_page
from service.settings import Settings

logger = logging.getLogger(__name__)

# Codes the schema layer gives store failures (schema/errors.py); a response holding
# nothing else could read no data at all.
STORE_FAILURE_CODES: Final = frozenset({"STORE_UNAVAILABLE", "STORE_TIMEOUT"})
STORE_RETRY_AFTER_SECONDS: Final = 5
# Logged (never seen) when the client left before its answer: nginx's code for it.
CLIENT_CLOSED_REQUEST: Final = 499


# The endpoint answering GET and POST /graphql: given the request, its response.
Endpoint = Callable[[Request], Awaitable[Response]]
GRAPHQL_PATH: Final = "/graphql"
GRAPHQL_METHODS: Final = ("GET", "POST")


def graphql_endpoint(
    *,
    schema: strawberry.Schema,
    settings: Settings,
    context_for: Callable[[Request], Awaitable[Any]],
    limiter: Limiter | None,
    shared_documents: DocumentRegistry | None = None,
) -> Endpoint:
    """The endpoint executing ``schema`` for GET and POST /graphql (HEAD: 405)."""
    persisted = PersistedQueries(
        size=settings.apq_cache_size,
        allow_list=read_allow_list(settings.allowed_operations_file)
        if settings.allowed_operations_file
        else None,
        shared=shared_documents,
    )

    async def graphql(request: Request) -> Response:
        # Who is calling comes first: clients are rate-limited by their identity,
        # anonymous callers and bad credentials by address.
        context: Any = None
        refused: RequestError | None = None
        try:
            context = await context_for(request)
        except RequestError as error:
            refused = error
        principal = getattr(context, "principal", None)
        quota = limiter.hit(_client_key(request, principal)) if limiter else None
        headers = quota.headers() if quota else {}
        if quota and not quota.allowed:
            response = _rate_limited(quota)
        elif refused is not None:
            response = _error_response(refused, negotiate(request.headers.get("accept")) or JSON)
        else:

            def charge(units: int) -> Response | None:
                nonlocal headers
                if limiter is None or units <= 0:
                    return None
                more = limiter.hit(_client_key(request, principal), cost=units)
                headers = more.headers()
                return None if more.allowed else _rate_limited(more)

            response = await _answer(request, schema, settings, context, persisted, charge)
            # After a write: the bookmark that reads at least this state (Neo4j-Bookmark).
            headers.update(await context.response_headers())
        response.headers.update(headers)
        return response

    async def graphql_route(request: Request) -> Response:
        if request.method == "HEAD":  # Starlette adds HEAD to any GET route
            return Response(status_code=405, headers={"Allow": "GET, POST"})
        return await graphql(request)

    return graphql_route


async def _answer(
    request: Request,
    schema: strawberry.Schema,
    settings: Settings,
    context: Any,
    persisted: PersistedQueries,
    charge: Callable[[int], Response | None] | None,
) -> Response:
    """Read and run the request; ``charge`` takes the rate-limit units a batch costs beyond
    the one already counted (a refusal when they are not left)."""
    accept = request.headers.get("accept")
    if request.method == "GET" and "query" not in request.query_params and _wants_html(accept):
        return graphiql_page()
    media_type = negotiate(accept)
    try:
        if media_type is None:
            raise RequestError(
                406,
                f"Cannot answer in any of {accept!r}; accept {GRAPHQL_RESPONSE_JSON} or {JSON}.",
            )
        payload = await read_payload(request, settings)
        if isinstance(payload, list):
            _check_batch(payload, settings)
            if charge is not None and (refusal := charge(len(payload) - 1)) is not None:
                return refusal
        return await unless_disconnected(
            request, _run(request, schema, context, payload, persisted, media_type)
        )
    except RequestError as error:
        return _error_response(error, media_type or JSON)
    except ClientGone:
        return Response(status_code=CLIENT_CLOSED_REQUEST)


def _check_batch(payload: list[Any], settings: Settings) -> None:
    if len(payload) > settings.max_batch_size:
        raise RequestError(
            400,
            f"A batch of {len(payload)} requests exceeds MAX_BATCH_SIZE = {settings.max_batch_size}.",
            code="LIMIT_EXCEEDED",
            limit="MAX_BATCH_SIZE",
            value=settings.max_batch_size,
        )
    if not payload:
        raise RequestError(400, "An empty batch holds no request.")


async def _run(
    request: Request,
    schema: strawberry.Schema,
    context: Any,
    payload: Any,
    persisted: PersistedQueries,
    media_type: str,
) -> Response:
    try:
        if isinstance(payload, list):
            bodies = []
            for item in payload:
                try:
                    params = parse_params(item)
                    bodies.append(
                        (await _execute(request, schema, context, params, persisted, media_type))[1]
                    )
                except RequestError as error:
                    if error.status_for_json != 200:
                        raise
                    bodies.append(_error_body(error))
            return _json_response(bodies, 200, media_type)
        params = parse_params(payload)
        status, body = await _execute(request, schema, context, params, persisted, media_type)
    except RequestError as error:
        return _error_response(error, media_type)
    headers = {503: {"Retry-After": str(STORE_RETRY_AFTER_SECONDS)}, 401: CHALLENGE}.get(status)
    return _json_response(body, status, media_type, headers)


async def _execute(
    request: Request,
    schema: strawberry.Schema,
    context: Any,
    params: GraphQLParams,
    persisted: PersistedQueries,
    media_type: str,
) -> tuple[int, dict[str, Any]]:
    query = persisted.document(params)
    compiled = await _compiled_result(schema, context, query, params)
    if compiled is not None:
        return _status_and_body(compiled, media_type)
    allowed = (
        (OperationType.QUERY,)
        if request.method == "GET"
        else (OperationType.QUERY, OperationType.MUTATION)
    )
    try:
        result = await schema.execute(
            query,
            variable_values=params.variables,
            context_value=context,
            operation_name=params.operation_name,
            allowed_operation_types=allowed,
        )
    except InvalidOperationTypeError as error:
        if error.operation_type == OperationType.MUTATION and request.method == "GET":
            raise RequestError(
                405, "Mutations are sent with POST.", headers={"Allow": "POST"}
            ) from None
        raise RequestError(400, "Only queries and mutations are supported.") from None
    except CannotGetOperationTypeError as error:
        raise RequestError(400, error.as_http_error_reason()) from None
    except MissingQueryError:
        raise RequestError(400, "The query parameter is empty.") from None
    return _status_and_body(result, media_type)


async def _compiled_result(
    schema: strawberry.Schema, context: Any, query: str, params: GraphQLParams
) -> ExecutionResult | None:
    """The compiled path's answer, or None (schema/compiled.py); a document not seen
    before is prepared first, as the general path would prepare it."""
    documents: DocumentCache | None = getattr(schema, "documents", None)
    if documents is None or not query:
        return None
    limits = Limits.of(context.settings)
    entry = documents.peek(limits, query) or prepare(documents, schema._schema, limits, query)
    if entry is None:
        return None
    operation = compiled_operation(schema._schema, entry, params.operation_name)
    if operation is None:
        return None
    return await compiled_run(
        schema._schema, entry, operation, variables=params.variables, context=context
    )


def _status_and_body(result: ExecutionResult, media_type: str) -> tuple[int, dict[str, Any]]:
    errors = result.errors or []
    # Errors with a path happened during execution; without one, before it.
    executed = result.data is not None or any(error.path for error in errors)
    store_failed = bool(errors) and all(_code(e) in STORE_FAILURE_CODES for e in errors)
    nothing_read = result.data is None or all(v is None for v in result.data.values())
    body: dict[str, Any] = {}
    if errors:
        body["errors"] = [error.formatted for error in errors]
    if result.extensions:
        body["extensions"] = result.extensions
    if media_type == GRAPHQL_RESPONSE_JSON and store_failed and nothing_read:
        return 503, body
    # A mutation refused for its credentials is an HTTP-level refusal, whatever the type.
    # An Idempotency-Key reused for a different request: 422, as its IETF draft asks.
    refusals = (("UNAUTHENTICATED", 401), ("FORBIDDEN", 403), ("IDEMPOTENCY_KEY_REUSED", 422))
    for code, status in refusals:
        if any(_code(error) == code for error in errors):
            body["data"] = result.data
            return status, body
    if executed:
        body["data"] = result.data
    status = 400 if media_type == GRAPHQL_RESPONSE_JSON and not executed else 200
    return status, body


def _code(error: GraphQLError) -> object:
    return (error.extensions or {}).get("code")


def _wants_html(accept: str | None) -> bool:
    return accept is not None and "text/html" in accept.lower()


def _client_key(request: Request, principal: Any) -> str:
    """Authenticated clients are counted per client; anonymous callers per IP address."""
    if principal is not None:
        return f"client:{principal.client_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def _error_body(error: RequestError) -> dict[str, Any]:
    return {"errors": [{"message": str(error), "extensions": error.extensions}]}


def _rate_limited(quota: Quota) -> Response:
    return _error_response(
        RequestError(
            429,
            f"Too many requests: at most {quota.limit} operations per {quota.window_seconds} s "
            "(RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW; a batch counts each operation).",
            code="RATE_LIMITED",
        ),
        JSON,
    )


def _error_response(error: RequestError, media_type: str) -> Response:
    status = error.status_for_json if media_type == JSON else error.status
    return _json_response(_error_body(error), status, media_type, error.headers)


def _json_response(
    body: Any, status: int, media_type: str, headers: dict[str, str] | None = None
) -> Response:
    try:
        content = orjson.dumps(body)
    except (orjson.JSONEncodeError, TypeError):
        # A lone surrogate that slipped through, or an integer past 64 bits: the
        # standard encoder escapes the one and writes the other.
        content = json.dumps(body, separators=(",", ":")).encode("ascii")
    return Response(
        content, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers
    )
