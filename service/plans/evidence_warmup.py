"""Warming the whole-graph views after start-up, so that no user waits for it.

The first whole-graph gap map, practice gap or recommendation of a process builds the
evidence snapshot (evidence_index.py) and judges every cell: half a minute on the
benchmark graph. Once the service is ready, each process does that in the background:

- in small steps: the store is read one statement at a time (the event loop serves
  requests in between), and the judging runs in a worker thread a few dozen
  interventions at a time, so other requests are slowed, never stalled;
- one process at a time on one DATA_DIR (an advisory file lock): the first writes the
  judged snapshot to its version's file (evidence_files.py), and the others, when their
  turn comes, load it in seconds instead of reading the store and judging again;
- a request that needs the snapshot meanwhile shares the build under way (or, in a
  process still waiting its turn, builds its own as before), and its answers are the
  same whichever way the snapshot came to be.

``EVIDENCE_WARMUP=false`` turns it off (the first view then pays, as before);
``EVIDENCE_SNAPSHOT_FILES=false`` keeps every process's snapshot to itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import fcntl
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from service.plans import evidence_index, gap_map, practice_gap
from service.store import Store

logger = logging.getLogger(__name__)

# Interventions judged per step: tens of milliseconds of one core each.
STEP: Final = 40
# How often a process waiting for its turn looks whether the lock is free.
_LOCK_POLL_SECONDS: Final = 0.5
_LOCK_FILE: Final = ".warm-up.lock"


async def warm_up(store: Store, *, delay: float = 0.0) -> evidence_index.Snapshot:
    """Build the snapshot, judge the whole gap map and practice gap, and keep the
    judged snapshot in its version's file (when the store has a folder for them)."""
    await asyncio.sleep(delay)
    async with _turn(store.evidence_snapshots):
        started = time.perf_counter()
        snapshot = await evidence_index.current(store)
        built = time.perf_counter()
        interventions = snapshot.interventions
        for start in range(0, len(interventions), STEP):
            await asyncio.to_thread(
                gap_map.judge_cells, snapshot, interventions[start : start + STEP]
            )
        await practice_gap.practice_gap(store)
        judged = time.perf_counter()
        written = await asyncio.to_thread(evidence_index.keep, store, snapshot)
        evidence_index.settle(snapshot)
        return_freed_memory()
        logger.info(
            "evidence snapshot at version %d warm: built in %.1f s, judged in %.1f s%s",
            snapshot.version,
            built - started,
            judged - built,
            f", written to {written} in {time.perf_counter() - judged:.1f} s" if written else "",
        )
    return snapshot


def return_freed_memory() -> None:
    """Give the C library's freed heap back to the system: building or loading the
    snapshot frees a hundred megabytes or so (statement rows, the file's bytes) that
    glibc would otherwise keep as the process's resident memory. Elsewhere, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.asynccontextmanager
async def _turn(folder: Path | None) -> AsyncIterator[None]:
    """Hold the warm-up lock of ``folder`` (every process on one DATA_DIR shares it),
    waiting without blocking the event loop; without a folder, go at once."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / _LOCK_FILE).open("a") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                await asyncio.sleep(_LOCK_POLL_SECONDS)
                continue
            break
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
