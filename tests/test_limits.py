"""Abusive queries are refused before any Cypher runs, naming the limit and its value."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.rate_limit import RateLimiter
from service.store import Store
from tests.conftest import GraphQL, StoreAddress, settings_for


def _limit(body: dict[str, Any]) -> dict[str, Any]:
    """The one limit error (other validation errors may come with it)."""
    [error] = [e for e in body["errors"] if e.get("extensions", {}).get("code") == "LIMIT_EXCEEDED"]
    assert "data" not in body
    extensions: dict[str, Any] = error["extensions"]
    assert extensions["code"] == "LIMIT_EXCEEDED"
    assert extensions["limit"] in error["message"]
    assert str(extensions["value"]) in error["message"]
    return extensions


async def _refused(gql: GraphQL, query: str, **variables: Any) -> dict[str, Any]:
    body = await gql.raw(query, **variables)
    assert gql.statements == 0, "no Cypher ran"
    return _limit(body)


async def test_too_deep_a_query_is_refused(gql: GraphQL) -> None:
    nested = "participants { agency { participations { intervention { " * 4 + "id" + " } } } }" * 4
    refused = await _refused(gql, f'{{ intervention(id: "mash") {{ {nested} }} }}')
    assert refused == {"code": "LIMIT_EXCEEDED", "limit": "MAX_QUERY_DEPTH", "value": 15}


async def test_depth_counts_through_fragments(gql: GraphQL) -> None:
    query = (
        "fragment P on Intervention { participants { agency { participations { intervention { "
        "participants { agency { participations { intervention { participants { agency { "
        "participations { intervention { id } } } } } } } } } } } } }"
        '{ intervention(id: "mash") { variants { variantOf { variants { ...P } } } } }'
    )
    assert (await _refused(gql, query))["limit"] == "MAX_QUERY_DEPTH"


async def test_too_many_aliases_are_refused(gql: GraphQL) -> None:
    fields = " ".join(f'a{n}: intervention(id: "mash") {{ id }}' for n in range(31))
    assert (await _refused(gql, f"{{ {fields} }}"))["limit"] == "MAX_ALIASES"


async def test_too_many_directives_are_refused(gql: GraphQL) -> None:
    directives = " ".join(["@include(if: true)"] * 21)
    refused = await _refused(gql, f'{{ intervention(id: "mash") {directives} {{ id }} }}')
    assert refused["limit"] == "MAX_DIRECTIVES"


async def test_too_many_tokens_are_refused(gql: GraphQL) -> None:
    body = await gql.raw("{ " + "__typename " * 2001 + "}")
    assert gql.statements == 0
    [error] = body["errors"]
    assert "2000" in error["message"] and "MAX_TOKENS" in error["message"]
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "MAX_TOKENS", "value": 2000}


async def test_costly_query_is_refused_with_page_size_from_variables(gql: GraphQL) -> None:
    query = """query ($n: Int) { interventions(first: $n) { edges { node {
        participants { agency { participations { intervention {
          studies { findings { outcomes { name } } }
        } } } }
    } } } }"""
    # 100 interventions x 5 participants x 5 participations x 5 studies x 5 findings x 5
    # outcomes: over 300 000 values.
    assert (await _refused(gql, query, n=100))["limit"] == "MAX_QUERY_COST"
    cheap = await gql(query, n=2)
    assert len(cheap["interventions"]["edges"]) == 2


async def test_page_size_over_the_maximum_is_refused(gql: GraphQL) -> None:
    body = await gql.raw("{ studies(first: 101) { totalCount } }")
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert "100" in error["message"]
    assert gql.statements == 0


async def test_a_batch_over_the_limit_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 11)
    assert response.status_code == 400
    assert _limit(response.json())["limit"] == "MAX_BATCH_SIZE"


async def test_anonymous_callers_get_no_field_suggestions(gql: GraphQL) -> None:
    body = await gql.raw('{ intervention(id: "mash") { nam } }')
    [error] = body["errors"]
    assert error["message"] == "Cannot query field 'nam' on type 'Intervention'."


async def test_introspection_is_on_by_default(gql: GraphQL) -> None:
    data = await gql("{ __schema { queryType { name } } }")
    assert data == {"__schema": {"queryType": {"name": "Query"}}}


@pytest.fixture
async def strict_client(embedded: StoreAddress, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """An app with introspection off and a quota of three requests a minute."""
    app: FastAPI = create_app(
        settings_for(embedded, load_example_data=False, introspection=False, rate_limit_requests=3)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def test_introspection_can_be_switched_off(strict_client: httpx.AsyncClient) -> None:
    response = await strict_client.post(
        "/graphql", json={"query": "{ __schema { types { name } } }"}
    )
    errors = response.json()["errors"]
    assert errors
    assert all("introspection" in error["message"].lower() for error in errors)


async def test_rate_limit_headers_and_429_with_retry_after(
    strict_client: httpx.AsyncClient,
) -> None:
    responses = [
        await strict_client.post("/graphql", json={"query": "{ __typename }"}) for _ in range(4)
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0].headers["ratelimit-policy"] == '"default";q=3;w=60'
    assert [r.headers["ratelimit"].split(";")[1] for r in responses] == [
        "r=2",
        "r=1",
        "r=0",
        "r=0",
    ]
    refused = responses[3]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_anonymous_callers_get_no_enum_value_suggestions(gql: GraphQL) -> None:
    body = await gql.raw(
        "query ($d: [StudyDesign!]) { studies(filter: {designIn: $d}) { totalCount } }", d=["RCTX"]
    )
    [error] = body["errors"]
    assert "RCTX" in error["message"]
    assert "Did you mean" not in error["message"]


def test_rate_limit_window_starts_again_after_it_passes() -> None:
    now = [100.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    assert [limiter.hit("ip:a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("ip:b").allowed, "each client has its own quota"
    now[0] += 30
    refused = limiter.hit("ip:a")
    assert (refused.allowed, refused.reset_seconds) == (False, 30)
    now[0] += 30
    again = limiter.hit("ip:a")
    assert (again.allowed, again.remaining, again.reset_seconds) == (True, 1, 60)
