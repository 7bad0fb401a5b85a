"""Reading an import's batches one ahead in a worker thread keeps their order and their
errors, and stops reading when the writer stops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from service.imports.read_ahead import read_ahead


def _batches(count: int, seen: list[int], fail_at: int | None = None) -> Iterator[list[int]]:
    for number in range(count):
        if number == fail_at:
            raise ValueError(f"batch {number} is unreadable")
        seen.append(number)
        yield [number, threading.get_ident()]


async def test_batches_come_in_order_read_off_the_event_loops_thread() -> None:
    seen: list[int] = []
    got = []
    async with read_ahead(_batches(5, seen)) as ahead:
        async for batch in ahead:
            got.append(batch)
    assert [number for number, _ in got] == [0, 1, 2, 3, 4]
    assert all(thread != threading.get_ident() for _, thread in got)


async def test_an_error_reading_a_batch_reaches_the_writer_after_the_batches_before_it() -> None:
    seen: list[int] = []
    got = []
    with pytest.raises(ValueError, match="batch 2 is unreadable"):
        async with read_ahead(_batches(5, seen, fail_at=2)) as ahead:
            async for batch in ahead:
                got.append(batch[0])
    assert got == [0, 1]


async def test_a_writer_that_stops_leaves_at_most_one_batch_read_ahead() -> None:
    seen: list[int] = []
    with pytest.raises(RuntimeError, match="refused"):
        async with read_ahead(_batches(100, seen)) as ahead:
            async for batch in ahead:
                if batch[0] == 3:
                    raise RuntimeError("refused")
    await asyncio.sleep(0.2)  # a batch being read when the writer stopped is finished
    assert seen[:4] == [0, 1, 2, 3] and len(seen) <= 5
