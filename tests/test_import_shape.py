"""Import input is checked before it is read into memory: bodies that are not import files
are 422 problems naming the place; bodies nested 10,000 and 100,000 deep are refused with
memory bounded; two overlapping imports both succeed."""

from __future__ import annotations

import asyncio
import json
import time
import tracemalloc
from typing import Any

import pytest

from service.http_problems import PROBLEM_JSON
from tests.conftest import WriteClient

SOURCES = {"s": {"citation": "Shape test (2026)"}}


async def _import(writes: WriteClient, body: bytes) -> Any:
    return await writes.http.post(
        "/v1/imports",
        content=body,
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {writes.tokens['writer']}",
        },
    )


def _deep(depth: int) -> bytes:
    nested = b"[" * depth + b"]" * depth
    return (
        b'{"sources": {"s": {"citation": "x"}}, "nodes": [{"label": "Intervention", '
        b'"id": "deep", "source": "s", "properties": {"aliases": ' + nested + b"}}]}"
    )


@pytest.mark.parametrize(
    ("body", "where", "reason"),
    [
        ({}, "$", "lacks the required member 'sources'"),
        ([1, 2, 3], "$", "must be an object, not an array"),
        ({"sources": {}, "nodes": "x"}, "nodes", "must be an array, not a string"),
        ({"nodes": [], "sources": {}, "edges": []}, "$", "unknown member 'edges'"),
        ({"sources": {"s": "text"}, "nodes": []}, "sources.s", "must be an object"),
        ({"sources": SOURCES, "nodes": [7]}, "nodes[0]", "must be an object, not a number"),
        (
            {
                "sources": SOURCES,
                "nodes": [{"label": ["Intervention"], "id": "x", "source": "s", "properties": {}}],
            },
            "nodes[0].label",
            "must be a string, not an array",
        ),
        (
            {
                "sources": SOURCES,
                "nodes": [],
                "relationships": [{"type": "TARGETS", "from": "a", "to": 3, "source": "s"}],
            },
            "relationships[0].to",
            "must be a string, not a number",
        ),
        (
            {
                "sources": SOURCES,
                "nodes": [{"label": "Intervention", "id": "x", "source": "s", "properties": []}],
            },
            "nodes[0].properties",
            "must be an object, not an array",
        ),
    ],
)
async def test_bodies_that_are_not_import_files_are_422_naming_the_place(
    writes: WriteClient, body: Any, where: str, reason: str
) -> None:
    before = await writes.count()
    response = await _import(writes, json.dumps(body).encode())
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["code"] == "BAD_USER_INPUT"
    [rejected] = problem["rejected"]
    assert rejected["where"] == where
    assert reason in rejected["reason"]
    assert await writes.count() == before, "nothing was written"


@pytest.mark.parametrize("depth", [10_000, 100_000])
async def test_deeply_nested_bodies_are_refused_with_memory_bounded(
    writes: WriteClient, depth: int
) -> None:
    body = _deep(depth)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = await _import(writes, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    assert response.status_code == 422, response.text
    [rejected] = response.json()["rejected"]
    assert rejected["where"].startswith("nodes[0].properties.aliases[0][0]")
    assert "nests deeper than 32 levels" in rejected["reason"]
    # The body itself is copied a few times on its way in (request, temporary file);
    # what the check holds beyond that is a frame per level up to 32.
    assert peak < 8 * len(body) + 4_000_000, f"peak {peak / 1e6:.1f} MB for depth {depth}"
    print(  # noqa: T201
        f"\ndepth {depth:,} ({len(body) / 1e3:.0f} kB): 422 in {seconds:.2f} s, "
        f"peak Python allocation {peak / 1e6:.1f} MB"
    )


def _file(prefix: str, shared: str) -> bytes:
    nodes = [
        {
            "label": "Intervention",
            "id": node_id,
            "source": "s",
            "properties": {"name": f"Overlap {node_id}", "kind": "PROGRAMME"},
        }
        for node_id in [*(f"{shared}-{n}" for n in range(20)), f"{prefix}-own"]
    ]
    return json.dumps({"sources": SOURCES, "nodes": nodes}).encode()


async def test_overlapping_imports_sent_at_once_both_succeed(writes: WriteClient) -> None:
    first, second = await asyncio.gather(
        _import(writes, _file("overlap-a", "overlap-shared")),
        _import(writes, _file("overlap-b", "overlap-shared")),
    )
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    created = first.json()["nodes"]["created"] + second.json()["nodes"]["created"]
    unchanged = first.json()["nodes"]["unchanged"] + second.json()["nodes"]["unchanged"]
    assert (created, unchanged) == (22, 20)
    count = await writes.count(
        "MATCH (n:Intervention) WHERE n.id STARTS WITH 'overlap-' RETURN count(n) AS n"
    )
    assert count == 22
