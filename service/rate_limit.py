"""Per-client request quotas, advertised with the IETF RateLimit header fields.

Header syntax from draft-ietf-httpapi-ratelimit-headers-10 (section 3 and 4):
``RateLimit-Policy: "default";q=300;w=60`` (quota and window in seconds) and
``RateLimit: "default";r=299;t=42`` (remaining quota, seconds until it resets). A client
over its quota gets 429 with ``Retry-After`` (RFC 9110, section 10.2.3).

Fixed windows per client, kept in memory: each service replica counts on its own, so
the quota a client really gets is per replica (documented in the README).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

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
