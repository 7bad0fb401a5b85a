"""Reading an import's batches one ahead in a worker thread keeps their order and their
errors, lets the steps ask the event loop, and leaves no thread reading when the writer
stops, fails or is cancelled."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

from service.imports.read_ahead import THREAD_NAME, Ask, read_ahead


def _batches(
    count: int, seen: list[int], fail_at: int | None = None
) -> Generator[list[int], None, None]:
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
    assert seen[:4] == [0, 1, 2, 3] and len(seen) <= 5
    await asyncio.sleep(0.2)
    assert len(seen) <= 5, "nothing is read after leaving"


def _live_read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


@dataclass(frozen=True)
class _Double(Ask):
    value: int


def _asking(count: int, closed: list[bool]) -> Generator[int | Ask, Any, None]:
    try:
        for number in range(count):
            doubled = yield _Double(number)
            yield doubled + 1
    finally:
        closed.append(True)


async def test_a_step_asks_the_event_loop_and_goes_on_with_its_answer() -> None:
    loop_thread = threading.get_ident()
    asked_on: list[int] = []

    async def answer(question: Ask) -> int:
        assert isinstance(question, _Double)
        asked_on.append(threading.get_ident())
        return question.value * 2

    closed: list[bool] = []
    async with read_ahead(_asking(4, closed), answer) as ahead:
        got = [batch async for batch in ahead]
    assert got == [1, 3, 5, 7]
    assert asked_on == [loop_thread] * 4
    assert closed == [True] and not _live_read_ahead_threads()


async def test_leaving_early_waits_for_the_step_under_way_and_closes_the_steps() -> None:
    started, finished, closed = threading.Event(), threading.Event(), []

    def slow_steps() -> Generator[int, None, None]:
        try:
            yield 0
            started.set()
            time.sleep(0.3)  # the batch being read when the writer stops
            finished.set()
            yield 1
        finally:
            closed.append(True)

    with pytest.raises(RuntimeError, match="refused"):
        async with read_ahead(slow_steps()) as ahead:
            async for _ in ahead:
                await asyncio.to_thread(started.wait, 5)
                raise RuntimeError("refused")
    assert finished.is_set(), "the step under way was let finish before leaving"
    assert closed == [True], "the steps (and the file they read) were closed"
    assert not _live_read_ahead_threads()


async def test_a_failed_answer_reaches_the_writer_and_stops_the_thread() -> None:
    async def answer(question: Ask) -> int:
        raise ConnectionError("the store went away")

    closed: list[bool] = []
    with pytest.raises(ConnectionError, match="went away"):
        async with read_ahead(_asking(3, closed), answer) as ahead:
            async for _ in ahead:
                pass
    assert closed == [True] and not _live_read_ahead_threads()


async def test_a_cancelled_writer_leaves_no_thread_reading() -> None:
    closed: list[bool] = []

    def endless() -> Generator[int, None, None]:
        try:
            number = 0
            while True:
                time.sleep(0.01)
                yield number
                number += 1
        finally:
            closed.append(True)

    async def write_all() -> None:
        async with read_ahead(endless()) as ahead:
            async for _ in ahead:
                await asyncio.sleep(0.01)

    task = asyncio.create_task(write_all())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert closed == [True] and not _live_read_ahead_threads()
