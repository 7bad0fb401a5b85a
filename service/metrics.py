"""Prometheus metrics, one registry per app so that tests can build several apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    _children: dict[tuple[str, ...], Any] = field(default_factory=dict, repr=False)

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
