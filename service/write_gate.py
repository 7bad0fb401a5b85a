"""The embedded store's write gate: one write at a time across every process on a DATA_DIR.

Concurrent transactions on the embedded store can both create the same relationship
(docs/embedded-store.md, quirk 5), so writes to it pass a gate one at a time. With several
worker processes (and the ``import``/``keys`` commands, which attach to the running store)
an in-process lock is not enough: the gate is an exclusive ``flock`` on
``DATA_DIR/write-gate.lock``, taken by one coroutine of the process at a time (an
``asyncio.Lock`` in front of it), so a process holds at most one claim on the file.

The kernel call that waits for the file lock blocks, so it runs in a daemon thread and
the event loop only awaits its answer. A caller that stops waiting (its deadline passed)
leaves the claim to finish in that thread; it is let go as soon as it is granted, and the
process's next writer waits for it first. The lock is released by the kernel when its
process exits, however it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import threading
from pathlib import Path
from typing import Final

from service.errors import SetupError

FILE_NAME: Final = "write-gate.lock"


class WriteGate:
    """``await acquire()`` / ``release()`` like an ``asyncio.Lock``, held across processes."""

    def __init__(self, data_dir: Path) -> None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(data_dir / FILE_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise SetupError(
                f"the write gate's file in {data_dir} cannot be created ({error.strerror}); "
                "set DATA_DIR to a directory you can write to"
            ) from None
        self.path = data_dir / FILE_NAME
        self._local = asyncio.Lock()
        # The claim on the file a caller stopped waiting for, while it is still pending.
        self._abandoned: asyncio.Future[None] | None = None

    async def acquire(self) -> None:
        await self._local.acquire()
        try:
            if self._abandoned is not None:
                await asyncio.shield(self._abandoned)
            if _try_lock(self._fd):
                return
            claim = _claim_in_thread(self._fd)
            try:
                await asyncio.shield(claim)
            except asyncio.CancelledError:
                self._abandoned = claim
                claim.add_done_callback(self._let_go)
                raise
        except BaseException:
            self._local.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._local.release()

    def locked(self) -> bool:
        return self._local.locked()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def _let_go(self, claim: asyncio.Future[None]) -> None:
        if not claim.cancelled() and claim.exception() is None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        if self._abandoned is claim:
            self._abandoned = None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _claim_in_thread(fd: int) -> asyncio.Future[None]:
    """A future set once this process holds the file lock (waited for in a daemon thread:
    a thread pool's threads would hold up the process's exit while another holds it)."""
    loop = asyncio.get_running_loop()
    claim: asyncio.Future[None] = loop.create_future()

    def settle(error: BaseException | None) -> None:
        if claim.done():
            return
        if error is None:
            claim.set_result(None)
        else:
            claim.set_exception(error)

    def wait() -> None:
        error: OSError | None = None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as failed:
            error = failed
        try:
            loop.call_soon_threadsafe(settle, error)
        except RuntimeError:  # the loop closed meanwhile: nobody will use the lock
            if error is None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    threading.Thread(target=wait, name="write-gate", daemon=True).start()
    return claim
