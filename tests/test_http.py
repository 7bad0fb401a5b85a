"""HTTP endpoints besides GraphQL: health, readiness, metrics, GraphiQL, error masking."""

from __future__ import annotations

import httpx

from tests.conftest import GraphQL


async def test_healthz_says_the_process_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_checks_store_and_migrations(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready"})


async def test_metrics_count_cypher_statements(client: httpx.AsyncClient, gql: GraphQL) -> None:
    def statements(text: str) -> float:
        [line] = [
            line
            for line in text.splitlines()
            if line.startswith('evidence_cypher_statements_total{mode="read"}')
        ]
        return float(line.split()[-1])

    before = statements((await client.get("/metrics")).text)
    await gql('{ intervention(id: "mash") { name } b: agency(id: "agency-dfe") { name } }')
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    # Both lookups, in the one statement the compiled path sends for them (schema/compiled.py).
    assert gql.statements == 1
    assert statements(response.text) == before + gql.statements
    assert (
        'evidence_http_requests_total{method="POST",route="/graphql",status="200"}' in response.text
    )


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_unknown_field_is_a_validation_error(gql: GraphQL) -> None:
    body = await gql.raw('{ intervention(id: "mash") { budget } }')
    [error] = body["errors"]
    assert "Cannot query field 'budget'" in error["message"]
    assert gql.statements == 0


async def test_metrics_label_routes_by_their_first_segment(client: httpx.AsyncClient) -> None:
    await client.get("/v1/exports/cytoscape", params={"ids": "Intervention:mash", "depth": 1})
    await client.get("/no/such/page")
    text = (await client.get("/metrics")).text
    assert 'evidence_http_requests_total{method="GET",route="/exports",status="200"}' in text
    assert 'evidence_http_requests_total{method="GET",route="other",status="404"}' in text
