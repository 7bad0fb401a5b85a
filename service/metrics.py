"""Prometheus metrics, one registry per app so that tests can build several apps."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

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
