"""The store's CPU per statement: the service's generated Cypher beside the hand-written one.

Run with ``python -m bench.statement_cost`` (``BENCH_SHAPES=a,b`` narrows it,
``BENCH_STATEMENTS=N`` sets how many times each statement runs per round, default 300;
``BENCH_ROUNDS`` the rounds, default 5; ``BENCH_CONCURRENCY`` how many statements
are in flight at a time, default 1; ``BENCH_PROFILE=1`` also prints the store's
PROFILE of both statements). On the benchmark graph (bench/data.py), for
each shape it takes the statement the service's compiled path sends for the shape's
document (caught on its way to the store) and runs, in alternating rounds:

- ``raw``: the hand-written statement of bench/shapes.py, in a read transaction as the
  benchmark's raw side sends it;
- ``generated``: the service's statement, sent the same way, so the two differ only in
  their Cypher;
- ``service tx``: the service's statement through the service's own ``Store.read`` (its
  transaction settings: timeout, bookmarks), so the cost of the transaction around the
  statement shows apart from the statement's own.

It prints the store process's CPU per statement (from /proc, the store's background
work included, hence several rounds) and each side's ratio to ``raw``; the sides take
turns in blocks of a few statements, so the store's background work falls on all alike. Both statements'
answers are compared before anything is timed.
"""

from __future__ import annotations

import asyncio
import os
import statistics
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import neo4j

from bench.data import open_store, prepared_graph, store_settings
from bench.run import _cpu
from bench.shapes import SHAPES, Rows, Shape, raw_answer
from schema.build import build_schema
from schema.compiled import compiled_operation, run
from schema.context import Context
from schema.limits import Limits
from service.embedded_store import start_embedded_store
from service.settings import Settings
from service.store import Store

ONLY = set(filter(None, os.environ.get("BENCH_SHAPES", "a,b,c-aliases,c-ids").split(",")))
STATEMENTS = int(os.environ.get("BENCH_STATEMENTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "100"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "1"))
_BLOCK = 24
PROFILE = bool(os.environ.get("BENCH_PROFILE"))


class _Recording:
    """A store view for the compiled path that keeps what it sends (and sends it)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def unconverted(self) -> _Recording:
        return self

    async def read(self, statement: Any, params: Mapping[str, Any] | None = None) -> Any:
        self.sent.append((statement, dict(params or {})))
        return await self.store.unconverted().read(statement, params)


async def generated_statement(
    shape: Shape, store: Store, settings: Settings
) -> tuple[str, dict[str, Any], Rows]:
    """The one statement the service's compiled path sends for ``shape``, its parameters
    and the answer as the hand-written statement's rows."""
    schema = build_schema()
    context = Context(store=store, settings=settings)
    first = await schema.execute(
        shape.query, variable_values=shape.variables, context_value=context
    )
    if first.errors:
        raise RuntimeError(f"{shape.key}: {first.errors}")
    entry = schema.documents.peek(Limits.of(settings), shape.query)
    compiled = compiled_operation(schema._schema, entry, None) if entry else None
    if entry is None or compiled is None:
        raise RuntimeError(f"{shape.key}: the compiled path does not answer this document")
    recording = _Recording(store)
    answer = await run(
        schema._schema,
        entry,
        compiled,
        variables=shape.variables,
        context=Context(store=recording, settings=settings),  # type: ignore[arg-type]
    )
    if answer is None or answer.errors or len(recording.sent) != 1:
        raise RuntimeError(f"{shape.key}: expected one statement, sent {len(recording.sent)}")
    if shape.answer(answer.data or {}) != shape.answer(first.data or {}):
        raise RuntimeError(f"{shape.key}: the compiled path and the executor disagree")
    statement, params = recording.sent[0]
    return statement, params, shape.answer(answer.data or {})


@dataclass
class Side:
    name: str
    send: Callable[[], Awaitable[Any]]
    cpu_ms: list[float]


async def _plain_read(
    driver: neo4j.AsyncDriver, database: str, statement: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    """A read transaction as the benchmark's raw side runs one (bench/load.py)."""
    async with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        tx = await session.begin_transaction()
        async with tx:
            result = await tx.run(statement, params)
            rows = [record.data() async for record in result]
            await tx.commit()
    return rows


async def _profile(
    driver: neo4j.AsyncDriver, database: str, statement: str, params: dict[str, Any]
) -> str:
    """The store's own account of the statement (ArcadeDB: its plan and time per step)."""
    async with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
        result = await session.run(f"PROFILE {statement}", params)
        summary = await result.consume()
    profile = summary.profile or {}
    return str(profile.get("args", {}).get("string-representation", profile))


async def _block(side: Side) -> None:
    """``_BLOCK`` statements of one side, ``CONCURRENCY`` of them in flight at a time."""
    left = _BLOCK

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await side.send()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def _measure_round(sides: list[Side], store_pid: int) -> None:
    """One round: the sides take turns in blocks of a few statements, so that the store's
    background work (its garbage collector, its compiler) falls on them alike."""
    used = [0.0] * len(sides)
    for block in range(STATEMENTS // _BLOCK):
        turn = sides if block % 2 == 0 else sides[::-1]
        for side in turn:
            before = _cpu(store_pid)
            await _block(side)
            used[sides.index(side)] += _cpu(store_pid) - before
    for side, seconds in zip(sides, used, strict=True):
        side.cpu_ms.append(seconds * 1000 / (STATEMENTS // _BLOCK * _BLOCK))


async def main() -> None:
    graph = await prepared_graph()
    settings = store_settings(graph.data_dir)
    print(f"load average {os.getloadavg()[0]:.1f} at the start")  # noqa: T201
    embedded = await start_embedded_store(settings)
    store = open_store(embedded)
    driver = neo4j.AsyncGraphDatabase.driver(embedded.uri, auth=(embedded.user, embedded.password))
    database = embedded.database
    try:
        for shape in [s for s in SHAPES if s.key in ONLY]:
            statement, params, served = await generated_statement(shape, store, settings)
            raw_rows = await _plain_read(driver, database, shape.cypher, shape.params)
            if raw_answer(shape, raw_rows) != served:
                raise RuntimeError(f"{shape.key}: service and hand-written Cypher disagree")
            print(f"\n== {shape.title}\n-- hand-written:\n{shape.cypher}\n  {shape.params}")  # noqa: T201
            print(f"-- generated:\n{statement}\n  {params}")  # noqa: T201
            if PROFILE:
                for name, text, values in (
                    ("hand-written", shape.cypher, shape.params),
                    ("generated", statement, params),
                ):
                    plan = await _profile(driver, database, text, values)
                    print(f"-- PROFILE of the {name} statement:\n{plan}")  # noqa: T201

            sides = [
                Side("raw", partial(_plain_read, driver, database, shape.cypher, shape.params), []),
                Side("generated", partial(_plain_read, driver, database, statement, params), []),
                Side("service tx", partial(store.unconverted().read, statement, params), []),
            ]
            for side in sides:  # the store's plan cache, its compiler, the pooled connections
                for _ in range(WARMUP):
                    await side.send()
            for _ in range(ROUNDS):
                await _measure_round(sides, embedded.pid)
            for side in sides:
                ratios = [a / b for a, b in zip(side.cpu_ms, sides[0].cpu_ms, strict=True)]
                print(  # noqa: T201
                    f"{shape.key:10} {side.name:11} store CPU "
                    f"{statistics.median(side.cpu_ms):6.2f} ms/statement "
                    f"({', '.join(f'{value:.2f}' for value in side.cpu_ms)}); ratio to raw "
                    f"per round {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"
                )
    finally:
        await driver.close()
        await store.close()
        await embedded.stop()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main())
