"""The store: one async Neo4j driver, transactions, statement counting.

Reads run in read transactions and writes in write transaction functions (retried by
the driver on transient errors, so they must be idempotent); every call names the
database. Records come back as plain dicts with Python-native values.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, LiteralString, TypeVar

import neo4j
from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.time import Date, DateTime, Duration, Time

from service.metrics import Metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")
Row = dict[str, Any]


class Store:
    """Runs Cypher against one database and counts every statement it sends."""

    def __init__(self, driver: AsyncDriver, *, database: str, metrics: Metrics) -> None:
        self._driver = driver
        self.database = database
        self._metrics = metrics
        self.statements_run = 0

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
    ) -> Store:
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=(user, password),
            connection_timeout=connect_timeout,
            connection_acquisition_timeout=acquire_timeout,
            max_transaction_retry_time=acquire_timeout,
        )
        return cls(driver, database=database, metrics=metrics)

    async def verify(self) -> None:
        await self._driver.verify_connectivity()

    async def close(self) -> None:
        await self._driver.close()

    async def read(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run one read-only statement in a read transaction and return its rows."""
        self._count("read")
        try:
            result = await self._driver.execute_query(
                query,
                dict(params or {}),
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        except Exception:
            self._metrics.cypher_errors.labels("read").inc()
            raise
        return [to_native(record.data()) for record in result.records]

    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run ``work`` in one write transaction; the driver may retry it whole."""

        async def _unit(tx: AsyncManagedTransaction) -> T:
            return await work(Transaction(tx, self))

        return await self._run_write(_unit)

    async def write_one(
        self, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[Row]:
        """Run one statement in a write transaction and return its rows."""

        async def _work(tx: Transaction) -> list[Row]:
            return await tx.run(query, params)

        return await self.write(_work)

    async def run_schema(self, query: LiteralString) -> None:
        """Run a schema statement (constraint, index) in its own auto-commit transaction.

        Neo4j refuses schema changes inside a transaction that also writes data.
        """
        self._count("schema")
        async with self._driver.session(database=self.database) as session:
            result = await session.run(query)
            await result.consume()

    async def _run_write(self, unit: Callable[[AsyncManagedTransaction], Awaitable[T]]) -> T:
        async with self._driver.session(database=self.database) as session:
            return await session.execute_write(unit)

    def _count(self, mode: str) -> None:
        self.statements_run += 1
        self._metrics.cypher_statements.labels(mode).inc()


class Transaction:
    """A write transaction handed to a unit of work; counts each statement it runs."""

    def __init__(self, tx: AsyncManagedTransaction, store: Store) -> None:
        self._tx = tx
        self._store = store

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        self._store._count("write")
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
