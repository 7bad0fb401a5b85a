"""Per-client request quotas, advertised with the IETF RateLimit header fields.

Header syntax from draft-ietf-httpapi-ratelimit-headers-10 (section 3 and 4):
``RateLimit-Policy: "default";q=300;w=60`` (quota and window in seconds) and
``RateLimit: "default";r=299;t=42`` (remaining quota, seconds until it resets). A client
over its quota gets 429 with ``Retry-After`` (RFC 9110, section 10.2.3).

Fixed windows per client. One process counts in memory (``RateLimiter``); the worker
processes of one service count together in their shared SQLite file
(``SharedRateLimiter``, service/shared_state.py), so a quota holds whichever worker
answers. Separate service replicas still count on their own, so the quota a client
really gets is per replica (documented in the README).
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
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


# One statement, so one transaction: the window restarts when it has passed, and the
# cost is counted only if it fits. SQLite evaluates every SET expression on the old row.
_HIT: Final = """
INSERT INTO rate_windows (client, started, used, allowed)
VALUES (:client, :now, CASE WHEN :cost <= :limit THEN :cost ELSE 0 END, :cost <= :limit)
ON CONFLICT (client) DO UPDATE SET
    started = CASE WHEN :now - started >= :window THEN :now ELSE started END,
    used = CASE
        WHEN :now - started >= :window THEN CASE WHEN :cost <= :limit THEN :cost ELSE 0 END
        WHEN used + :cost <= :limit THEN used + :cost
        ELSE used END,
    allowed = CASE
        WHEN :now - started >= :window THEN :cost <= :limit
        ELSE used + :cost <= :limit END
RETURNING started, used, allowed
"""
_FORGET: Final = "DELETE FROM rate_windows WHERE :now - started >= :window"


class SharedRateLimiter:
    """``RateLimiter``'s quotas counted in a SQLite table that every worker process of the
    service writes (time.monotonic is the system's boot clock, the same in every process)."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        limit: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._connection = connection
        self._clock = clock
        self._hits = 0

    def hit(self, key: str, cost: int = 1) -> Quota:
        now = self._clock()
        started, used, allowed = self._connection.execute(
            _HIT,
            {"client": key, "now": now, "cost": cost, "limit": self.limit, "window": self.window},
        ).fetchone()
        self._hits += 1
        if self._hits % _SWEEP_AT == 0:
            self._connection.execute(_FORGET, {"now": now, "window": self.window})
        return Quota(
            allowed=bool(allowed),
            limit=self.limit,
            remaining=self.limit - used,
            reset_seconds=max(1, math.ceil(started + self.window - now)),
            window_seconds=math.ceil(self.window),
        )
