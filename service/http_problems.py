"""Error answers of the plain HTTP endpoints, as RFC 9457 problem details.

Every endpoint other than /graphql answers an error as ``application/problem+json``:
``type`` (a URN naming the kind of problem), ``title``, ``status``, ``detail``, and the
machine-readable members clients already read: ``code``, ``argument`` where one argument
is at fault, and ``error`` (the same text as ``detail``, kept for older clients). Each
carries the request's id as ``requestId``, as the ``X-Request-ID`` header does.

Store failures map here once: ``StoreUnavailable`` (and the driver's connection errors)
and ``StoreTimeout`` are 503 with ``Retry-After``; GraphQL maps the same failures to its
own error codes (schema/errors.py) and the same status (service/graphql_http.py).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Final

from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from service.logging_setup import current_request_id
from service.store import StoreTimeout, StoreUnavailable

logger = logging.getLogger(__name__)

PROBLEM_JSON: Final = "application/problem+json"
STORE_RETRY_AFTER_SECONDS: Final = 5
# Driver errors that reach a route without passing through the store (none should): the
# same meaning as StoreUnavailable.
DRIVER_UNAVAILABLE: Final = (ServiceUnavailable, SessionExpired)


class Problem(Exception):
    """An error answer: raised anywhere below a route, answered by the app's boundary."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str,
        argument: str | None = None,
        headers: dict[str, str] | None = None,
        **members: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.argument = argument
        self.headers = headers or {}
        self.members = members

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:evidence-graph:problem:{self.code.lower().replace('_', '-')}",
            "title": _title(self.status),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.argument is not None:
            body["argument"] = self.argument
        body.update(self.members)
        body["error"] = self.detail
        if request_id := current_request_id():
            body["requestId"] = request_id
        return body

    def response(self) -> JSONResponse:
        return JSONResponse(
            self.body(), status_code=self.status, headers=self.headers, media_type=PROBLEM_JSON
        )


def store_problem(error: BaseException) -> Problem:
    """The 503 for a store that is down (or a driver connection error) or too slow."""
    if isinstance(error, StoreTimeout):
        logger.warning("store timeout: %s", error)
        return Problem(
            503,
            "The database did not answer in time; try again shortly.",
            code="STORE_TIMEOUT",
            headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
        )
    logger.warning("store unavailable: %s", error)
    return Problem(
        503,
        "The database is unavailable; try again shortly.",
        code="STORE_UNAVAILABLE",
        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
    )


STORE_FAILURES: Final = (StoreUnavailable, StoreTimeout, *DRIVER_UNAVAILABLE)


def unexpected_problem() -> Problem:
    return Problem(
        500,
        "Unexpected error; it has been logged with this request's id.",
        code="INTERNAL_SERVER_ERROR",
    )


def http_problem(status: int, detail: str | None = None) -> Problem:
    """A plain HTTP refusal (404, 405...) with the status's own name as its code."""
    phrase = _title(status)
    code = phrase.upper().replace(" ", "_").replace("-", "_") or "ERROR"
    return Problem(status, detail or phrase, code=code)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
