"""Per-client request quotas, advertised with the IETF RateLimit header fields.

Header syntax from draft-ietf-httpapi-ratelimit-headers-10 (section 3 and 4):
``RateLimit-Policy: "default";q=300;w=60`` (quota and window in seconds) and
``RateLimit: "default";r=299;t=42`` (remaining quota, seconds until it resets). A client
over its quota gets 429 with ``Retry-After`` (RFC 9110, section 10.2.3).

Fixed windows per client. One process counts in memory (``RateLimiter``); the worker
processes of one service count together in a table in shared memory
(``SharedRateLimiter``, in the directory of service/shared_state.py), so a quota holds whichever worker
answers. Separate service replicas still count on their own, so the quota a client
really gets is per replica (documented in the README).
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

_POLICY = "default"
# Forget clients whose window has passed once this many are tracked.
_SWEEP_AT = 10_000


@dataclass(frozen=True)
class Quota:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int
    window_seconds: int

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Policy": f'"{_POLICY}";q={self.limit};w={self.window_seconds}',
            "RateLimit": f'"{_POLICY}";r={self.remaining};t={self.reset_seconds}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


class Limiter(Protocol):
    limit: int

    def hit(self, key: str, cost: int = 1) -> Quota: ...


class RateLimiter:
    """At most ``limit`` operations per ``window`` seconds for each client key; a batched
    GraphQL request costs one per operation in it."""

    def __init__(
        self, *, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, cost: int = 1) -> Quota:
        """Count ``cost`` operations for ``key`` and say whether they fit the quota (if
        not, none is counted)."""
        now = self._clock()
        started, used = self._windows.get(key, (now, 0))
        if now - started >= self.window:
            started, used = now, 0
        allowed = used + cost <= self.limit
        if allowed:
            used += cost
        self._windows[key] = (started, used)
        if len(self._windows) > _SWEEP_AT:
            self._sweep(now)
        return Quota(
            allowed=allowed,
            limit=self.limit,
            remaining=self.limit - used,
            reset_seconds=max(1, math.ceil(started + self.window - now)),
            window_seconds=math.ceil(self.window),
        )

    def _sweep(self, now: float) -> None:
        self._windows = {
            key: (started, used)
            for key, (started, used) in self._windows.items()
            if now - started < self.window
        }


# The shared table: open addressing over fixed slots of (key hash, window start, used),
# 24 bytes each, 1.5 MB in all. A client's slot is found within _PROBES slots of its hash;
# a slot whose window has passed is free again. When every probed slot holds a live
# window (tens of thousands of clients at once), the one that started longest ago is
# taken over, and that client starts a fresh window.
_SLOT: Final = struct.Struct("<Qdq")
_SLOTS: Final = 1 << 16
_PROBES: Final = 32


class SharedRateLimiter:
    """``RateLimiter``'s quotas, counted in a table in shared memory that every worker
    process of the service maps (a file in the workers' shared directory).

    Each hit holds an exclusive ``flock`` on the file for the few microseconds it reads
    and writes one slot, so two workers never count over each other; a worker that finds
    it held waits in the kernel for that long, never sleeping on a timer. ``time.monotonic``
    is the system's boot clock on Linux, the same in every process.
    """

    def __init__(
        self,
        path: Path,
        *,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        size = _SLOTS * _SLOT.size
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zero-filled: every slot free
        self._table = mmap.mmap(self._fd, size)

    def hit(self, key: str, cost: int = 1) -> Quota:
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        wanted = int.from_bytes(digest, "little") or 1  # 0 marks a slot never used
        now = self._clock()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            offset = self._slot(wanted, now)
            holder, started, used = _SLOT.unpack_from(self._table, offset)
            if holder != wanted or now - started >= self.window:
                started, used = now, 0
            allowed = used + cost <= self.limit
            if allowed:
                used += cost
            _SLOT.pack_into(self._table, offset, wanted, started, used)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return Quota(
            allowed=allowed,
            limit=self.limit,
            remaining=self.limit - used,
            reset_seconds=max(1, math.ceil(started + self.window - now)),
            window_seconds=math.ceil(self.window),
        )

    def close(self) -> None:
        self._table.close()
        os.close(self._fd)

    def _slot(self, wanted: int, now: float) -> int:
        """The offset of ``wanted``'s slot, else of a free one, else of the oldest."""
        free = oldest = -1
        oldest_start = math.inf
        for probe in range(_PROBES):
            offset = ((wanted + probe) % _SLOTS) * _SLOT.size
            holder, started, _ = _SLOT.unpack_from(self._table, offset)
            if holder == wanted:
                return offset
            if free < 0 and (holder == 0 or now - started >= self.window):
                free = offset
            if started < oldest_start:
                oldest, oldest_start = offset, started
        return free if free >= 0 else oldest
