"""A batch of N operations costs N units of the rate limit, not one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.rate_limit import RateLimiter
from service.store import Store
from tests.conftest import StoreAddress, settings_for

OPERATION = {"query": "{ __typename }"}


@pytest.fixture
async def limited(embedded: StoreAddress, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """An app allowing five operations a minute."""
    app: FastAPI = create_app(
        settings_for(embedded, load_example_data=False, rate_limit_requests=5)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_a_batch_costs_one_unit_per_operation(limited: httpx.AsyncClient) -> None:
    four = await limited.post("/graphql", json=[OPERATION] * 4)
    assert four.status_code == 200 and len(four.json()) == 4
    assert four.headers["ratelimit"].startswith('"default";r=1;')
    two = await limited.post("/graphql", json=[OPERATION] * 2)
    assert two.headers["ratelimit"].startswith('"default";r=0;')
    assert two.status_code == 429, "two operations do not fit in the one unit left"
    assert two.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "retry-after" in two.headers
    # Like any refused request, the batch's first unit counted; none of it ran.
    assert (await limited.post("/graphql", json=OPERATION)).status_code == 429


def test_the_limiter_counts_costs_and_refuses_what_does_not_fit() -> None:
    limiter = RateLimiter(limit=10, window=60, clock=lambda: 0.0)
    assert limiter.hit("c", cost=10).allowed
    refused = limiter.hit("c", cost=1)
    assert not refused.allowed and refused.remaining == 0
