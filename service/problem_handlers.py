"""The app's exception handlers: every refusal a plain HTTP route raises becomes one
RFC 9457 problem (service/http_problems.py). Whatever is not handled here reaches the
request boundary (service/request_boundary.py) and is a logged 500."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from service.http_problems import STORE_FAILURES, Problem, http_problem, store_problem


def add_problem_handlers(app: FastAPI) -> None:
    async def problem(_: Request, error: Exception) -> Response:
        assert isinstance(error, Problem)
        return error.response()

    async def store_failure(_: Request, error: Exception) -> Response:
        return store_problem(error).response()

    async def http_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        answer = http_problem(error.status_code, _detail(error.detail))
        answer.headers.update(error.headers or {})
        return answer.response()

    async def bad_parameters(_: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        problems = [_parameter_problem(item) for item in error.errors()]
        first = problems[0] if problems else {"argument": None, "reason": "invalid request"}
        return Problem(
            422,
            "; ".join(f"{p['argument']}: {p['reason']}" for p in problems) or "invalid request",
            code="BAD_USER_INPUT",
            argument=first["argument"],
            errors=problems,
        ).response()

    app.add_exception_handler(Problem, problem)
    for failure in STORE_FAILURES:
        app.add_exception_handler(failure, store_failure)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_parameters)


def _detail(detail: Any) -> str | None:
    return detail if isinstance(detail, str) else None


def _parameter_problem(item: Any) -> dict[str, Any]:
    location = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "body")]
    return {"argument": ".".join(location) or None, "reason": str(item.get("msg", "invalid"))}
