"""Running a mutation's transaction: under its idempotency key, through the store's write
gate, and again when a concurrent writer created the same node first.

Two transactions that MERGE the same new id both try to create it; the unique
constraint lets one commit. Neo4j makes the other wait and then match; the embedded
store instead fails it with a constraint violation. Run again, the loser's MERGE
matches the winner's node, so the write is retried a few times before the violation is
reported (a genuine duplicate CREATE fails every time).

On the embedded store, concurrent transactions that MERGE the same relationship can
both create it (docs/embedded-store.md, quirk 5), so the service passes its mutations
through the store's write gate one at a time. On Neo4j there is no gate: the node locks
the write layer takes serialise such writers in the database, across service replicas.
The wait for the gate is part of the request's time: a write that cannot pass it within
STORE_QUERY_TIMEOUT fails with StoreTimeout (503, like a store too slow to answer) rather
than queueing without end behind a stalled store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final, TypeVar

from neo4j.exceptions import ConstraintError

from service.store import Store, StoreTimeout, Transaction
from service.writes.idempotency import WriteKey, write_once

T = TypeVar("T")
ATTEMPTS: Final = 5


async def write_merging(
    store: Store, work: Callable[[Transaction], Awaitable[Any]], *, key: WriteKey, window: float
) -> Any:
    """Run ``work`` once for ``key`` (see ``write_once``); its answer must be JSON-ready
    apart from dates and times."""

    async def once() -> Any:
        async with through_gate(store, store.query_timeout):
            return await write_once(store, key, work, encode=_same, decode=_same, window=window)

    return await again_after_merge_conflicts(once)


async def again_after_merge_conflicts(run: Callable[[], Awaitable[T]]) -> T:
    """Run ``run`` again when a concurrent writer created a node (or claimed an idempotency
    key) first: run again, its MERGE finds what the other one created."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await run()
        except ConstraintError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


@asynccontextmanager
async def through_gate(store: Store, wait: float) -> AsyncIterator[None]:
    """Hold the store's write gate (when it has one), waiting for it at most ``wait``
    seconds: StoreTimeout after that, with nothing written."""
    gate = store.write_gate
    if gate is None:
        yield
        return
    try:
        async with asyncio.timeout(wait):
            await gate.acquire()
    except TimeoutError:
        raise StoreTimeout(
            f"earlier writes held the store for over {wait:g} s; nothing was written"
        ) from None
    try:
        yield
    finally:
        gate.release()


def _same(value: Any) -> Any:
    return value
