"""Property-based fuzzing of the schema (hypothesis-graphql): valid queries with random
arguments and selections, and invalid ones, never give a 5xx or a masked error."""

from __future__ import annotations

import os
from typing import Any

import httpx
import hypothesis_graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.build import SDL_PATH

SDL = SDL_PATH.read_text(encoding="utf-8")
# 500 valid and 500 invalid queries per run (a CI run sends at least 1,000 generated
# requests); raise FUZZ_EXAMPLES for a longer run.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
_FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ran: dict[str, int] = {"valid": 0, "invalid": 0}


async def _check(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code < 500, (query, response.text)
    assert "Traceback" not in response.text
    assert "Unexpected error" not in response.text, (query, response.text)
    body: dict[str, Any] = response.json()
    if response.status_code == 200:
        assert "data" in body
    return body


@_FUZZ
@given(query=hypothesis_graphql.from_schema(SDL, allow_x00=False))
async def test_valid_queries_never_fail_the_server(client: httpx.AsyncClient, query: str) -> None:
    ran["valid"] += 1
    await _check(client, query)


@_FUZZ
@given(
    query=hypothesis_graphql.from_schema(SDL, mode=hypothesis_graphql.Mode.NEGATIVE)
    | st.text(max_size=200)
)
async def test_invalid_queries_never_fail_the_server(client: httpx.AsyncClient, query: str) -> None:
    ran["invalid"] += 1
    await _check(client, query)


def test_fuzzing_ran(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\nfuzz cases run: {ran['valid']} valid + {ran['invalid']} invalid queries")  # noqa: T201
    # Hypothesis may stop early only when it has run out of distinct cases.
    assert ran["valid"] >= EXAMPLES * 0.9
    assert ran["invalid"] >= EXAMPLES * 0.9
