"""How the store's failures are told apart, and the deadline every store call runs under.

A failure is retried by kind, each kind within its own budget: a broken connection, a
cluster member that cannot take writes now (a leader switch), a conflict with concurrent
writers. A connection lost while COMMIT was on its way leaves the outcome unknown.
"""

from __future__ import annotations

import asyncio
from typing import Any

from neo4j.exceptions import (
    DriverError,
    ForbiddenOnReadOnlyDatabase,
    IncompleteCommit,
    Neo4jError,
    NotALeader,
    ReadServiceUnavailable,
    RoutingServiceUnavailable,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
    WriteServiceUnavailable,
)


class StoreUnavailable(Exception):
    """The store cannot be reached (down, restarting, or the connection broke)."""


class StoreTimeout(Exception):
    """The store did not finish a statement within the transaction timeout."""


class CommitOutcomeUnknown(StoreUnavailable):
    """The connection broke while the store was committing: the write may have taken effect.

    Raised only for work that cannot recognise its own committed result; running it
    again could apply it twice.
    """


# Retrying a write that lost a conflict with concurrent writers (seen with fifty
# identical writes at once on the embedded store) may take several rounds.
CONFLICT_RETRY_TIME = 30.0


# Driver errors that mean "no usable connection": worth telling the caller to retry later.
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionError)
# "This cluster member cannot take writes now": a leader switch, a member that has just
# become a follower, or no routing table naming a writer. Retried within their own budget.
_LEADER_SWITCH = (
    NotALeader,
    ForbiddenOnReadOnlyDatabase,
    RoutingServiceUnavailable,
    WriteServiceUnavailable,
    ReadServiceUnavailable,
)


def retry_budget(
    cause: BaseException, *, committing: bool, connection: float, leader_switch: float
) -> tuple[str, float | None]:
    """The kind of a failure and how long that kind is retried (None: never)."""
    if isinstance(cause, _LEADER_SWITCH):
        return "leader switch", leader_switch
    if isinstance(cause, TransientError):
        return "conflict", CONFLICT_RETRY_TIME if cause.is_retryable() else None
    if isinstance(cause, _UNAVAILABLE) or (committing and commit_reply_lost(cause)):
        return "connection", connection
    if isinstance(cause, Neo4jError | DriverError) and cause.is_retryable():
        return "connection", connection
    return "not retryable", None


def driver_cause(error: BaseException) -> BaseException:
    """The driver's own error behind a StoreUnavailable raised by ``Deadline``."""
    if isinstance(error, StoreUnavailable) and error.__cause__ is not None:
        return error.__cause__
    return error


def commit_reply_lost(cause: BaseException) -> bool:
    """The connection failed with COMMIT sent: the store may have committed."""
    return isinstance(
        cause, IncompleteCommit | ServiceUnavailable | SessionExpired | ConnectionError
    )


class Deadline:
    """Give up after ``seconds`` and turn connection failures into the store's own errors.

    The driver has no read timeout of its own: without this, a store that accepts a
    connection and then stops answering would hold the request forever.
    """

    def __init__(self, seconds: float) -> None:
        self._timeout = asyncio.timeout(seconds)
        self._seconds = seconds

    async def __aenter__(self) -> None:
        await self._timeout.__aenter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> bool:
        try:
            await self._timeout.__aexit__(kind, error, tb)
        except TimeoutError:
            raise StoreTimeout(
                f"the store did not answer within {self._seconds:g} s (STORE_QUERY_TIMEOUT)"
            ) from None
        if isinstance(error, _UNAVAILABLE):
            raise StoreUnavailable(" ".join(str(error).split()) or type(error).__name__) from error
        return False
