"""Prometheus metrics, one registry per app so that tests can build several apps.

With several worker processes, /metrics answers for the whole service, whichever worker
takes the scrape: each worker's client writes its values to files in ``shared_dir`` (the
Prometheus client's multiprocess mode, switched on by PROMETHEUS_MULTIPROC_DIR in the
worker's environment, which its parent sets) and the exposition sums them. Counters of
a worker that died stay in the sums, so no counter goes backwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    shared_dir: Path | None = None
    _children: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)

    def exposition(self) -> bytes:
        """The text format of every metric: this process's, or all the workers' summed."""
        if self.shared_dir is None:
            return generate_latest(self.registry)
        everyone = CollectorRegistry()
        MultiProcessCollector(everyone, path=str(self.shared_dir))  # type: ignore[no-untyped-call]  # the client library has no annotation here
        return generate_latest(everyone)

    def __post_init__(self) -> None:
        self.cypher_statements = Counter(
            "evidence_cypher_statements",
            "Cypher statements sent to the store, by access mode.",
            ["mode"],
            registry=self.registry,
        )
        self.cypher_errors = Counter(
            "evidence_cypher_errors",
            "Cypher statements that failed, by access mode.",
            ["mode"],
            registry=self.registry,
        )
        self.http_requests = Counter(
            "evidence_http_requests",
            "HTTP requests answered, by method, route and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.http_duration = Histogram(
            "evidence_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            registry=self.registry,
        )

    # The labelled children, each looked up once: ``labels()`` takes a lock and builds a
    # key on every call, and a request made several such calls.
    def statements_counter(self, mode: str) -> Counter:
        key = ("statements", mode)
        if key not in self._children:
            self._children[key] = self.cypher_statements.labels(mode)
        counter: Counter = self._children[key]
        return counter

    def requests_counter(self, method: str, route: str, status: str) -> Counter:
        key = ("requests", method, route, status)
        if key not in self._children:
            self._children[key] = self.http_requests.labels(method, route, status)
        counter: Counter = self._children[key]
        return counter

    def duration_histogram(self, route: str) -> Histogram:
        key = ("duration", route)
        if key not in self._children:
            self._children[key] = self.http_duration.labels(route)
        histogram: Histogram = self._children[key]
        return histogram
