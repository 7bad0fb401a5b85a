"""The store: one async Neo4j driver, transactions, deadlines, statement counting.

Reads run in read transactions and writes in write transaction functions; both are
retried on transient failures (a dropped connection, a leader switch)
within ``retry_time``, so write functions must be idempotent. Schema statements run in
auto-commit transactions and are never retried. Every call names the database and has a
deadline: the transaction timeout is sent to the server, and the client gives up at the
same time, so a store that stops answering cannot hang a request. Records come back as
plain dicts with Python-native values.

Failures the caller can do nothing about but wait come out as ``StoreUnavailable`` (no
connection) or ``StoreTimeout`` (the deadline passed); the schema layer reports both.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.exceptions import (
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.time import Date, DateTime, Duration, Time
from opentelemetry import trace

from service.metrics import Metrics

logger = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)

T = TypeVar("T")
Row = dict[str, Any]

# Called with the text of every statement sent, when set (tests capture them for the
# Cypher linter); None costs one comparison per statement.
_statement_observer: Callable[[str], None] | None = None


def observe_statements(observer: Callable[[str], None] | None) -> None:
    """Call ``observer`` with every statement any store sends from now on (None stops)."""
    global _statement_observer
    _statement_observer = observer


class StoreUnavailable(Exception):
    """The store cannot be reached (down, restarting, or the connection broke)."""


class StoreTimeout(Exception):
    """The store did not finish a statement within the transaction timeout."""


# Driver errors that mean "no usable connection": worth telling the caller to retry later.
_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionError)
_MODES = {neo4j.READ_ACCESS: "read", neo4j.WRITE_ACCESS: "write"}
# Quick retries: a broken pooled connection is replaced at once; a store that is down
# is given up on after STORE_RETRY_TIME.
_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 1.0
# Retrying a write that lost a conflict with concurrent writers (seen with fifty
# identical writes at once on the embedded store) may take several rounds.
CONFLICT_RETRY_TIME = 30.0


class Store:
    """Runs Cypher against one database and counts every statement it sends."""

    def __init__(
        self,
        driver: AsyncDriver,
        *,
        database: str,
        metrics: Metrics,
        query_timeout: float = 10.0,
        retry_time: float = 2.0,
    ) -> None:
        self._driver = driver
        self.database = database
        self._metrics = metrics
        self.query_timeout = query_timeout
        # Set for the embedded store, whose isolation lets two concurrent transactions
        # both create the same relationship: mutations then run one at a time here.
        self.write_gate: asyncio.Lock | None = None
        self.retry_time = retry_time
        self.statements_run = 0
        # Whether search uses the full-text index (Neo4j) or substring matching; set at
        # start-up by service.plans.search.detect_full_text.
        self.full_text_search = False

    @classmethod
    def connect(
        cls,
        *,
        uri: str,
        user: str,
        password: str,
        database: str,
        metrics: Metrics,
        connect_timeout: float,
        acquire_timeout: float,
        retry_time: float = 2.0,
        query_timeout: float = 10.0,
    ) -> Store:
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=acquire_timeout,
        )
        return cls(
            driver,
            database=database,
            metrics=metrics,
            query_timeout=query_timeout,
            retry_time=retry_time,
        )

    async def verify(self) -> None:
        """Raise unless the store answers (StoreUnavailable, StoreTimeout, AuthError...)."""
        async with self._deadline():
            await self._driver.verify_connectivity()

    async def close(self) -> None:
        await self._driver.close()

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run one read-only statement in a read transaction and return its rows."""
        self._count("read", query)

        async def work(tx: neo4j.AsyncTransaction) -> list[Row]:
            result = await tx.run(query, dict(params or {}))
            return [to_native(record.data()) async for record in result]

        return await self._transaction(neo4j.READ_ACCESS, work)

    async def write(
        self, work: Callable[[Transaction], Awaitable[T]], *, timeout: float | None = None
    ) -> T:
        """Run ``work`` in one write transaction; it may be run again whole after a
        connection failure (even one after the commit), so it must be idempotent.

        ``timeout`` replaces STORE_QUERY_TIMEOUT for long work such as a bulk import.
        """

        async def unit(tx: neo4j.AsyncTransaction) -> T:
            return await work(Transaction(tx, self))

        return await self._transaction(neo4j.WRITE_ACCESS, unit, timeout=timeout)

    async def write_one(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run one statement in a write transaction and return its rows."""

        async def _work(tx: Transaction) -> list[Row]:
            return await tx.run(query, params)

        return await self.write(_work)

    async def run_schema(self, query: LiteralString) -> None:
        """Run a schema statement (constraint, index) in its own auto-commit transaction.

        Neo4j refuses schema changes inside a transaction that also writes data. Not
        retried: the driver cannot tell whether a failed one took effect.
        """
        self._count("schema", query)
        async with self._deadline(), self._driver.session(database=self.database) as session:
            result = await session.run(query)
            await result.consume()

    async def _transaction(
        self,
        access_mode: str,
        work: Callable[[neo4j.AsyncTransaction], Awaitable[T]],
        *,
        timeout: float | None = None,
    ) -> T:
        """Run ``work`` in one transaction, retrying it on transient failures.

        Each attempt has the full transaction timeout; attempts stop when the retry
        budget (STORE_RETRY_TIME) is spent. A timeout is not retried: a slow statement
        would only be slow again. (The driver's own retry loop waits a second before
        the first retry and cannot tell a timeout from a dead store, hence this one.)
        Conflicts between concurrent writers (transient errors from a live store) have a
        budget of their own, CONFLICT_RETRY_TIME: under contention the loser's retry
        must outlast the winners, which is not a sign of a dead store.
        """
        # A span per transaction (retries included); a no-op unless tracing is configured.
        with _tracer.start_as_current_span(
            f"neo4j {_MODES[access_mode]}",
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system.name": "neo4j", "db.namespace": self.database},
        ):
            return await self._attempts(access_mode, work, timeout=timeout)

    async def _attempts(
        self,
        access_mode: str,
        work: Callable[[neo4j.AsyncTransaction], Awaitable[T]],
        *,
        timeout: float | None,
    ) -> T:
        loop = asyncio.get_running_loop()
        started = loop.time()
        seconds = timeout or self.query_timeout
        delay = _FIRST_RETRY_DELAY
        while True:
            try:
                async with (
                    _Deadline(seconds),
                    self._driver.session(
                        database=self.database,
                        default_access_mode=access_mode,
                        # Shared with execute_query: each call sees the writes before it.
                        bookmark_manager=self._driver.execute_query_bookmark_manager,
                    ) as session,
                ):
                    tx = await session.begin_transaction(timeout=seconds)
                    async with tx:
                        outcome = await work(tx)
                        await tx.commit()
                return outcome
            except (StoreUnavailable, Neo4jError, DriverError) as error:
                retryable = isinstance(error, StoreUnavailable) or error.is_retryable()
                budget = (
                    CONFLICT_RETRY_TIME if isinstance(error, TransientError) else self.retry_time
                )
                if not retryable or loop.time() - started + delay > budget:
                    self._metrics.cypher_errors.labels(_MODES[access_mode]).inc()
                    raise
                logger.info("retrying a transaction in %.2f s after: %s", delay, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_RETRY_DELAY)
            except Exception:
                self._metrics.cypher_errors.labels(_MODES[access_mode]).inc()
                raise

    def _deadline(self) -> _Deadline:
        return _Deadline(self.query_timeout)

    def _count(self, mode: str, query: str) -> None:
        self.statements_run += 1
        self._metrics.cypher_statements.labels(mode).inc()
        if _statement_observer is not None:
            _statement_observer(query)


class _Deadline:
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


class Transaction:
    """A write transaction handed to a unit of work; counts each statement it runs."""

    def __init__(self, tx: neo4j.AsyncTransaction, store: Store) -> None:
        self._tx = tx
        self._store = store

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        self._store._count("write", query)
        result = await self._tx.run(query, dict(params or {}))
        return [to_native(record.data()) async for record in result]


def to_native(value: Any) -> Any:
    """Convert driver temporal types to the standard library's, recursively."""
    if isinstance(value, dict):
        return {key: to_native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_native(item) for item in value]
    if isinstance(value, Date | DateTime | Time):
        native: dt.date | dt.datetime | dt.time = value.to_native()
        return native
    if isinstance(value, Duration):
        return str(value)
    return value
