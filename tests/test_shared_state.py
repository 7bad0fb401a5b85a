"""The pieces worker processes share, checked across real processes: the write gate (a
file lock in DATA_DIR), rate-limit windows (a table in shared memory) and persisted
queries (SQLite), both in the workers' shared directory. tests/test_workers.py checks them again through a served service."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.rate_limit import RateLimiter, SharedRateLimiter
from service.shared_state import SharedDocuments, SharedState
from service.store import StoreTimeout
from service.write_gate import FILE_NAME, WriteGate
from service.writes.retry import through_gate

# A second process that takes the gate's file lock, says so, and holds it until its
# stdin closes.
_HOLDER = """
import fcntl, sys
with open(sys.argv[1], "a") as gate:
    fcntl.flock(gate, fcntl.LOCK_EX)
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path / FILE_NAME)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stdout.readline() == "held\n"
        try:
            yield process
        finally:
            process.kill()


class _Store:
    """What ``through_gate`` needs of a store."""

    def __init__(self, gate: WriteGate) -> None:
        self.write_gate = gate


async def test_a_gate_held_by_another_process_stops_writes_until_the_deadline(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    gate = WriteGate(tmp_path)
    started = time.monotonic()
    with pytest.raises(StoreTimeout):
        async with through_gate(_Store(gate), 0.5):  # type: ignore[arg-type]
            pytest.fail("passed a gate another process holds")
    assert 0.4 < time.monotonic() - started < 2.0
    # The abandoned claim is still waiting in its thread; once the other process lets go,
    # the next writer passes, and the gate is free again afterwards.
    assert holder.stdin is not None
    holder.stdin.close()
    async with asyncio.timeout(5):
        await gate.acquire()
    gate.release()
    other = WriteGate(tmp_path)
    async with asyncio.timeout(5):
        await other.acquire()
    other.release()
    gate.close()
    other.close()


async def test_writers_of_two_processes_take_turns(tmp_path: Path) -> None:
    """Two gates on one file (two processes' handles) never both hold it."""
    first, second = WriteGate(tmp_path), WriteGate(tmp_path)
    holding: list[str] = []
    overlaps = 0

    async def write(gate: WriteGate, name: str) -> None:
        nonlocal overlaps
        for _ in range(20):
            await gate.acquire()
            try:
                overlaps += bool(holding)
                holding.append(name)
                await asyncio.sleep(0.001)
                holding.remove(name)
            finally:
                gate.release()

    await asyncio.wait_for(
        asyncio.gather(*(write(g, n) for g, n in ((first, "a"), (second, "b")) * 3)), 30
    )
    assert overlaps == 0
    first.close()
    second.close()


@pytest.fixture
def shared() -> Iterator[SharedState]:
    state = SharedState.create()
    try:
        yield state
    finally:
        state.remove()
    assert not state.directory.exists()


def test_the_shared_limiter_answers_as_the_in_memory_one(shared: SharedState) -> None:
    now = [0.0]
    mapped = SharedRateLimiter(shared.rate_limit_path, limit=5, window=10, clock=lambda: now[0])
    in_memory = RateLimiter(limit=5, window=10, clock=lambda: now[0])
    pick = random.Random(7)
    clients = [f"client-{n}" for n in range(40)]
    for _ in range(5000):
        now[0] += pick.random() * 0.1
        key, cost = pick.choice(clients), pick.choice([1, 1, 1, 2, 7])
        assert mapped.hit(key, cost) == in_memory.hit(key, cost)
    mapped.close()


_HAMMER = """
import sys
from pathlib import Path
from service.rate_limit import SharedRateLimiter
limiter = SharedRateLimiter(Path(sys.argv[1]), limit=10**9, window=600)
print(sum(limiter.hit(f"client-{n % 7}").allowed for n in range(int(sys.argv[2]))))
"""


def test_processes_hitting_at_once_lose_no_count(shared: SharedState) -> None:
    """Four processes count 2,000 hits each over seven clients at the same time; the
    shared table then holds every one of the 8,000."""
    hammers = [
        subprocess.Popen(
            [sys.executable, "-c", _HAMMER, str(shared.rate_limit_path), "2000"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    counted = [int(hammer.communicate(timeout=120)[0]) for hammer in hammers]
    assert counted == [2000] * 4
    limiter = SharedRateLimiter(shared.rate_limit_path, limit=10**9, window=600)
    used = sum(10**9 - 1 - limiter.hit(f"client-{n}").remaining for n in range(7))
    assert used == 8000
    limiter.close()


def test_a_document_registered_by_one_process_is_found_by_another(shared: SharedState) -> None:
    other = SharedState(shared.directory)
    SharedDocuments(shared, size=2).put("a" * 64, "{ a }")
    assert SharedDocuments(other, size=2).get("a" * 64) == "{ a }"
    assert SharedDocuments(other, size=2).get("b" * 64) is None
    for name in "bcd":
        SharedDocuments(other, size=2).put(name * 64, "{ x }")
    assert SharedDocuments(shared, size=2).get("a" * 64) is None, "the oldest goes first"
    other.close()
