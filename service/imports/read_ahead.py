"""Batches of a file's records, the next one read and checked in a worker thread while the
current one is written.

Reading a batch (parsing the file, checking its records, resolving citations and ends) is
Python work; writing it is mostly waiting for the store, which runs in a process of its
own. Reading one batch ahead lets the two overlap: the thread holds the interpreter while
the event loop waits. The batches are still consumed one at a time and in order, and the
steps are only ever advanced by one thread at a time.

A step may instead ask something only the event loop can answer (``Ask``: the labels of
nodes in the graph, read in the import's own transaction). The loop answers it between
two batches and the thread goes on with the answer, so the transaction is never used by
two statements at once.

On leaving, early (the writer stopped, or a step failed) or not, the step being read is
let finish (at most one batch) and the steps are closed: no thread goes on reading a file
whose import has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, TypeVar, cast

T = TypeVar("T")


class Ask:
    """A question a step puts to the event loop; the answer is sent back into the steps."""


THREAD_NAME: Final = "import-read-ahead"


async def _unanswerable(question: Ask) -> Any:
    raise TypeError(f"read_ahead was given no way to answer {question!r}")


@contextlib.asynccontextmanager
async def read_ahead(
    steps: Generator[T | Ask, Any, None],
    answer: Callable[[Ask], Awaitable[Any]] = _unanswerable,
) -> AsyncIterator[AsyncIterator[T]]:
    """``async with read_ahead(steps, answer) as ahead: async for batch in ahead: ...``"""
    end = object()

    def advance(reply: Any) -> object:
        try:
            return steps.send(reply)
        except StopIteration:
            return end

    # A thread of its own, so that leaving can wait for the very step it started (an
    # awaited future cancelled with its task says nothing of the thread still running).
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
    current = thread.submit(advance, None)

    async def each() -> AsyncGenerator[T, None]:
        nonlocal current
        while (step := await asyncio.wrap_future(current)) is not end:
            if isinstance(step, Ask):
                reply = await answer(step)
                current = thread.submit(advance, reply)
                continue
            current = thread.submit(advance, None)
            yield cast(T, step)

    iterator = each()
    try:
        yield iterator
    finally:
        await iterator.aclose()
        try:
            # The step under way is let finish; its batch or error is no longer wanted.
            await asyncio.wait([asyncio.wrap_future(current)])
        finally:
            if current.done():
                if not current.cancelled():
                    current.exception()  # seen, so that it is not logged as never retrieved
                steps.close()
            thread.shutdown(wait=current.done())
