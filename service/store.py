"""The store: one async Neo4j driver, transactions, deadlines, statement counting.

A read is one statement, run as an auto-commit transaction (a single round trip); writes
run in explicit transactions around the caller's work. Failures are retried by kind,
each kind within its own budget: a broken connection (STORE_RETRY_TIME),
a cluster member that cannot take writes now (a leader switch, STORE_LEADER_RETRY_TIME),
a conflict with concurrent writers (CONFLICT_RETRY_TIME). A write whose connection broke
while the store was committing may have taken effect: it is run again only when its work
first looks for its own committed result (``write(..., rerun_safe=True)``, see
``service/writes/idempotency.py``); otherwise the caller gets ``CommitOutcomeUnknown``.
Schema statements run in auto-commit transactions and are never retried. Every call
names the database and has a deadline: the transaction timeout is sent to the server,
and the client gives up at the same time, so a store that stops answering cannot hang a
request. Records come back as plain dicts with Python-native values.

Failures the caller can do nothing about but wait come out as ``StoreUnavailable`` (no
connection) or ``StoreTimeout`` (the deadline passed); the schema layer reports both.

Each HTTP request reads and writes through its own view of the store
(``Store.for_request``), with a bookmark manager of its own seeded from the bookmarks
the client sent back: a request then reads at least the state its client last wrote,
whichever service replica and cluster member it reaches.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase
from neo4j.api import AsyncBookmarkManager, Bookmarks
from neo4j.exceptions import DriverError, Neo4jError
from opentelemetry import trace

from service.metrics import Metrics
from service.store_faults import (
    CONFLICT_RETRY_TIME,
    CommitOutcomeUnknown,
    Deadline,
    StoreTimeout,
    StoreUnavailable,
    commit_reply_lost,
    driver_cause,
    retry_budget,
)
from service.store_transaction import Row, Transaction, native_value, to_native
from service.write_gate import WriteGate

__all__ = [
    "CONFLICT_RETRY_TIME",
    "CommitOutcomeUnknown",
    "Row",
    "Store",
    "StoreTimeout",
    "StoreUnavailable",
    "Transaction",
    "observe_statements",
    "to_native",
    "trace_transactions",
]

logger = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)

T = TypeVar("T")

# Called with the text of every statement sent, when set (tests capture them for the
# Cypher linter); None costs one comparison per statement.
_statement_observer: Callable[[str], None] | None = None


def observe_statements(observer: Callable[[str], None] | None) -> None:
    """Call ``observer`` with every statement any store sends from now on (None stops)."""
    global _statement_observer
    _statement_observer = observer


# Whether each transaction gets a span; set once tracing is configured (service/tracing.py).
_traced = False


def trace_transactions(on: bool = True) -> None:
    """Give every store transaction from now on a span of its own (False: no more)."""
    global _traced
    _traced = on


_MODES = {neo4j.READ_ACCESS: "read", neo4j.WRITE_ACCESS: "write"}
# Quick retries: a broken pooled connection is replaced at once; a store that is down
# is given up on after STORE_RETRY_TIME.
_FIRST_RETRY_DELAY = 0.05
_MAX_RETRY_DELAY = 1.0


class _Counter:
    """Statements sent, shared by a store and every per-request view of it."""

    def __init__(self) -> None:
        self.value = 0


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
        leader_retry_time: float = 30.0,
    ) -> None:
        self._driver = driver
        self.database = database
        self._metrics = metrics
        self.query_timeout = query_timeout
        # Set for the embedded store, whose isolation lets two concurrent transactions
        # both create the same relationship: mutations then run one at a time, across
        # every process on its DATA_DIR (service/write_gate.py).
        self.write_gate: WriteGate | None = None
        self.retry_time = retry_time
        self.leader_retry_time = leader_retry_time
        self._counter = _Counter()
        # The process-wide manager until ``for_request`` gives a view one of its own.
        self._bookmarks: AsyncBookmarkManager = driver.execute_query_bookmark_manager
        # Whether a write through this view committed (its response carries a bookmark).
        self.wrote = False
        # Whether search uses the full-text index (Neo4j) or substring matching; set at
        # start-up by service.plans.search.detect_full_text.
        self.full_text_search = False
        # Where the whole-graph evidence snapshot is kept for the other processes on the
        # same DATA_DIR (service/plans/evidence_files.py); None keeps it in memory only.
        self.evidence_snapshots: Path | None = None
        # Whether reads convert driver values to Python's (see ``unconverted``).
        self._converts = True

    @property
    def statements_run(self) -> int:
        return self._counter.value

    def for_request(self, bookmarks: list[str] | None = None) -> Store:
        """A view of this store for one request: same driver, counters and write gate,
        and a bookmark manager of its own that starts from ``bookmarks``."""
        view = self._view()
        view._bookmarks = AsyncGraphDatabase.bookmark_manager(
            initial_bookmarks=Bookmarks.from_raw_values(bookmarks) if bookmarks else None
        )
        view.wrote = False
        return view

    def unconverted(self) -> Store:
        """This view, but its reads return values as the driver gives them (temporal
        values as ``neo4j.time`` types): for a caller that converts while it walks the
        rows anyway (schema/result_shapes.py)."""
        view = self._view()
        view._converts = False
        return view

    def _view(self) -> Store:
        """A shallow copy, as ``copy.copy`` makes: 0.5 µs where that takes 1.7 (twice per
        request)."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        return view

    async def bookmarks(self) -> list[str]:
        """The bookmarks this view holds: the state its reads wait for."""
        held = await self._bookmarks.get_bookmarks()
        return sorted(held)

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
        leader_retry_time: float = 30.0,
        query_timeout: float = 10.0,
        max_connection_lifetime: float = 2700.0,
        max_connection_pool_size: int = 100,
        liveness_check_timeout: float | None = 300.0,
    ) -> Store:
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=acquire_timeout,
            max_connection_lifetime=max_connection_lifetime,
            max_connection_pool_size=max_connection_pool_size,
            liveness_check_timeout=liveness_check_timeout,
        )
        return cls(
            driver,
            database=database,
            metrics=metrics,
            query_timeout=query_timeout,
            retry_time=retry_time,
            leader_retry_time=leader_retry_time,
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
        """Run one read-only statement and return its rows.

        One statement needs no explicit transaction: it runs as an auto-commit one, a
        single round trip (RUN and PULL sent together), where BEGIN, RUN and COMMIT
        took three: on shape a of the benchmark, 0.69 → 0.57 ms of the service's CPU
        per request (bench/RESULTS.md). The session's read access mode still routes it to a
        reader, its bookmarks still apply, and it has the same server-side timeout.
        """
        self._count("read", query)

        async def unit(session: neo4j.AsyncSession, seconds: float, _: _Progress) -> list[Row]:
            result = await session.run(neo4j.Query(query, timeout=seconds), dict(params or {}))
            keys = result.keys()
            if not self._converts:
                return [dict(zip(keys, record, strict=True)) async for record in result]
            return [
                {key: native_value(value) for key, value in zip(keys, record, strict=True)}
                async for record in result
            ]

        # A read has nothing to commit: running it again is always safe.
        return await self._session(neo4j.READ_ACCESS, unit, rerun_safe=True)

    async def write(
        self,
        work: Callable[[Transaction], Awaitable[T]],
        *,
        timeout: float | None = None,
        rerun_safe: bool = False,
    ) -> T:
        """Run ``work`` in one write transaction.

        ``work`` is run again whole after a failure that rolled the transaction back (a
        connection lost before the commit, a conflict, a leader switch). When the
        connection is lost during the commit, the outcome is unknown: the work is run
        again only if ``rerun_safe`` (it first looks for its own committed result), else
        ``CommitOutcomeUnknown`` is raised. ``timeout`` replaces STORE_QUERY_TIMEOUT for
        long work such as a bulk import.
        """

        async def unit(tx: neo4j.AsyncTransaction) -> T:
            wrapped = Transaction(tx, self._count)
            outcome = await work(wrapped)
            await wrapped.finish()
            return outcome

        outcome = await self._session(
            neo4j.WRITE_ACCESS, _in_transaction(unit), timeout=timeout, rerun_safe=rerun_safe
        )
        self.wrote = True
        return outcome

    async def write_one(
        self,
        query: LiteralString,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> list[Row]:
        """Run one statement in a write transaction and return its rows (``timeout``
        replaces STORE_QUERY_TIMEOUT, as for ``write``)."""

        async def _work(tx: Transaction) -> list[Row]:
            return await tx.run(query, params)

        return await self.write(_work, timeout=timeout)

    async def run_schema(self, query: LiteralString) -> None:
        """Run a schema statement (constraint, index) in its own auto-commit transaction.

        Neo4j refuses schema changes inside a transaction that also writes data. Not
        retried: the driver cannot tell whether a failed one took effect.
        """
        self._count("schema", query)
        async with self._deadline(), self._driver.session(database=self.database) as session:
            result = await session.run(query)
            await result.consume()

    async def _session(
        self,
        access_mode: str,
        unit: _Unit[T],
        *,
        timeout: float | None = None,
        rerun_safe: bool = False,
    ) -> T:
        """Run ``unit`` (a transaction, or one auto-commit statement) in a session,
        retrying it on transient failures.

        Each attempt has the full transaction timeout. A failure is retried within the
        budget of its kind, counted from the first failure of that kind: a broken
        connection STORE_RETRY_TIME (a store that is down is given up on quickly), a
        leader switch STORE_LEADER_RETRY_TIME (an election takes seconds), a conflict
        between concurrent writers CONFLICT_RETRY_TIME (under contention the loser's
        retry must outlast the winners). A timeout is not retried: a slow statement
        would only be slow again. (The driver's own retry loop waits a second before the
        first retry and cannot tell these apart, hence this one.)
        """
        # A span per transaction (retries included) when tracing is configured. Without a
        # tracer provider the span would be a no-op that still cost more than converting
        # a row: it is then not started at all. (Asking OpenTelemetry for its provider on
        # every statement cost 1 % of the service's CPU: it looks in os.environ.)
        if not _traced:
            return await self._attempts(access_mode, unit, timeout=timeout, rerun_safe=rerun_safe)
        with _tracer.start_as_current_span(
            f"neo4j {_MODES[access_mode]}",
            kind=trace.SpanKind.CLIENT,
            attributes={"db.system.name": "neo4j", "db.namespace": self.database},
        ):
            return await self._attempts(access_mode, unit, timeout=timeout, rerun_safe=rerun_safe)

    async def _attempts(
        self,
        access_mode: str,
        unit: _Unit[T],
        *,
        timeout: float | None,
        rerun_safe: bool,
    ) -> T:
        loop = asyncio.get_running_loop()
        first_seen: dict[str, float] = {}
        seconds = timeout or self.query_timeout
        delay = _FIRST_RETRY_DELAY
        while True:
            progress: _Progress = _Progress()
            try:
                async with (
                    Deadline(seconds),
                    self._driver.session(
                        database=self.database,
                        default_access_mode=access_mode,
                        bookmark_manager=self._bookmarks,
                    ) as session,
                ):
                    outcome = await unit(session, seconds, progress)
                return outcome
            except (StoreUnavailable, Neo4jError, DriverError) as error:
                if progress.committed:
                    # The store confirmed the commit; only giving the connection back failed.
                    logger.info("a connection failed after its transaction committed: %s", error)
                    return progress.outcome  # type: ignore[no-any-return]
                cause = driver_cause(error)
                committing = progress.committing
                if committing and commit_reply_lost(cause) and not rerun_safe:
                    self._metrics.cypher_errors.labels(_MODES[access_mode]).inc()
                    raise CommitOutcomeUnknown(
                        "the connection broke while the store was committing; the write may "
                        "or may not have taken effect"
                    ) from error
                kind, budget = retry_budget(
                    cause,
                    committing=committing,
                    connection=self.retry_time,
                    leader_switch=self.leader_retry_time,
                )
                now = loop.time()
                started = first_seen.setdefault(kind, now)
                if budget is None or now - started + delay > budget:
                    self._metrics.cypher_errors.labels(_MODES[access_mode]).inc()
                    raise
                logger.info("retrying a transaction (%s) in %.2f s after: %s", kind, delay, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_RETRY_DELAY)
            except Exception:
                self._metrics.cypher_errors.labels(_MODES[access_mode]).inc()
                raise

    def _deadline(self) -> Deadline:
        return Deadline(self.query_timeout)

    def _count(self, mode: str, query: str) -> None:
        self._counter.value += 1
        self._metrics.statements_counter(mode).inc()
        if _statement_observer is not None:
            _statement_observer(query)


class _Progress:
    """How far one attempt of a transaction got: a failure after COMMIT was sent may
    have left the write done, and one after the commit was confirmed did."""

    def __init__(self) -> None:
        self.committing = False
        self.committed = False
        self.outcome: Any = None


# What runs in one attempt's session: given the session, the attempt's timeout in
# seconds and its progress.
_Unit = Callable[[neo4j.AsyncSession, float, _Progress], Awaitable[T]]


def _in_transaction(work: Callable[[neo4j.AsyncTransaction], Awaitable[T]]) -> _Unit[T]:
    """``work`` in an explicit transaction of its own, committed after it."""

    async def unit(session: neo4j.AsyncSession, seconds: float, progress: _Progress) -> T:
        tx = await session.begin_transaction(timeout=seconds)
        async with tx:
            outcome = await work(tx)
            progress.committing = True
            await tx.commit()
            progress.outcome = outcome
            progress.committed = True
        return outcome

    return unit
