"""Batches of a file's records, the next one read in a worker thread while the current
one is written.

Reading a batch (parsing the file, resolving citations and ends) is Python work; writing
it is mostly waiting for the store, which runs in a process of its own. Reading one batch
ahead lets the two overlap: the thread holds the interpreter while the event loop waits.
The batches are still consumed one at a time and in order, and the iterator is only ever
advanced by one thread at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TypeVar, cast

T = TypeVar("T")


@contextlib.asynccontextmanager
async def read_ahead(batches: Iterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """``async with read_ahead(batches) as ahead: async for batch in ahead: ...``; on
    leaving, a batch still being read is abandoned (its thread finishes it unseen)."""
    loop = asyncio.get_running_loop()
    end = object()

    def advance() -> object:
        return next(batches, end)

    pending: asyncio.Future[object] = loop.run_in_executor(None, advance)

    async def each() -> AsyncGenerator[T, None]:
        nonlocal pending
        while (batch := await pending) is not end:
            pending = loop.run_in_executor(None, advance)
            yield cast(T, batch)

    iterator = each()
    try:
        yield iterator
    finally:
        await iterator.aclose()
        if not pending.done():
            pending.cancel()
