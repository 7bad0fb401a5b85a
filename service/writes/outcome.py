"""What a write reports back: refusals carry a code and the field they concern."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.auth.principal import Principal
from service.validation import Problem


class ErrorCode(StrEnum):
    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"


@dataclass(frozen=True)
class WriteProblem:
    code: ErrorCode
    field: str | None
    message: str


class WriteRefused(Exception):
    """Raised inside a write transaction to roll it back and report why."""

    def __init__(self, problems: list[WriteProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @classmethod
    def invalid(cls, problems: list[Problem], prefix: str = "") -> WriteRefused:
        return cls(
            [
                WriteProblem(
                    ErrorCode.VALIDATION, f"{prefix}{p.field}", f"{prefix}{p.field} {p.reason}"
                )
                for p in problems
            ]
        )

    @classmethod
    def one(cls, code: ErrorCode, field: str | None, message: str) -> WriteRefused:
        return cls([WriteProblem(code, field, message)])


@dataclass(frozen=True)
class Writer:
    """Who is writing, as recorded on every fact and change, and under which request key
    (the client's Idempotency-Key, or one the service made for the request)."""

    client: str
    agency: str | None
    request_key: str | None = None

    @classmethod
    def of(cls, principal: Principal, request_key: str | None = None) -> Writer:
        return cls(client=principal.client_id, agency=principal.agency_id, request_key=request_key)
