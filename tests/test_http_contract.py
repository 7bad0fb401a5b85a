"""The HTTP contract partners integrate against: OpenAPI 3.1 at /v1/openapi.json describes
every non-GraphQL endpoint, and what the live app answers fits it; the unversioned paths
of before answer 308 to /v1.

Each response is checked against the document: its status must be documented for the
operation, and its body must validate (JSON Schema 2020-12, as OpenAPI 3.1 uses) against
the schema documented for its media type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.conftest import WriteClient

NON_GRAPHQL_OPERATIONS = {
    ("/v1/imports", "post"),
    ("/v1/imports/templates/{table}.csv", "get"),
    ("/v1/exports/{export_format}", "get"),
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/metrics", "get"),
}


@pytest.fixture(scope="module")
async def contract(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _check(contract: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    """The response's status is documented for the operation and its body fits the schema."""
    operation = contract["paths"][path][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path}: {response.status_code} is not documented"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    content = documented.get("content", {})
    assert media_type in content or (
        media_type == "application/json" and response.status_code >= 400
    ), f"{method} {path} {response.status_code}: {media_type} is not documented"
    schema = content.get(media_type, {}).get("schema")
    if schema is None or not media_type.endswith("json"):
        return
    validator = Draft202012Validator(
        {"$ref": "urn:contract#" + schema["$ref"].removeprefix("#")}
        if "$ref" in schema
        else schema,
        registry=_registry(contract),
    )
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert errors == [], f"{method} {path} {response.status_code}: {errors[0].message}"


def _registry(contract: dict[str, Any]) -> Registry:
    """The document as a JSON Schema 2020-12 resource, so $refs into it resolve."""
    dialect = "https://json-schema.org/draft/2020-12/schema"
    return Registry().with_resource(
        "urn:contract", Resource.from_contents({**contract, "$schema": dialect})
    )


def test_the_document_is_openapi_3_1_with_both_bearer_schemes(contract: dict[str, Any]) -> None:
    assert contract["openapi"] == "3.1.0"
    schemes = contract["components"]["securitySchemes"]
    assert schemes["apiKey"]["scheme"] == schemes["jwt"]["scheme"] == "bearer"
    assert schemes["jwt"]["bearerFormat"] == "JWT"
    operations = {(path, method) for path, item in contract["paths"].items() for method in item}
    assert operations == NON_GRAPHQL_OPERATIONS
    imports = contract["paths"]["/v1/imports"]["post"]
    assert imports["security"] == [{"apiKey": ["evidence:write"]}, {"jwt": ["evidence:write"]}]
    assert set(imports["requestBody"]["content"]) == {"application/json", "text/csv"}
    assert {"200", "400", "401", "403", "413", "422", "503"} <= set(imports["responses"])
    problem = contract["components"]["schemas"]["Problem"]["properties"]
    assert set(problem) == {"type", "title", "status", "detail", "code", "argument"}
    assert "HTTPValidationError" not in contract["components"]["schemas"]


async def test_the_example_data_file_is_a_valid_import_body(contract: dict[str, Any]) -> None:
    example = json.loads(
        (Path(__file__).parent.parent / "examples" / "evidence-graph.json").read_text()
    )
    validator = Draft202012Validator(
        {"$ref": "urn:contract#/components/schemas/GraphFile"}, registry=_registry(contract)
    )
    assert list(validator.iter_errors(example)) == []
    assert list(validator.iter_errors({"nodes": "not a list"})) != []


async def test_live_answers_fit_the_contract(
    contract: dict[str, Any], client: httpx.AsyncClient, writes: WriteClient
) -> None:
    checks = [
        ("/healthz", "get", await client.get("/healthz")),
        ("/readyz", "get", await client.get("/readyz")),
        ("/metrics", "get", await client.get("/metrics")),
        (
            "/v1/imports/templates/{table}.csv",
            "get",
            await client.get("/v1/imports/templates/studies.csv"),
        ),
        (
            "/v1/exports/{export_format}",
            "get",
            await client.get("/v1/exports/cytoscape", params={"ids": "Intervention:mash"}),
        ),
        (
            "/v1/exports/{export_format}",
            "get",
            await client.get(
                "/v1/exports/graphml", params={"ids": "Intervention:mash", "depth": 9}
            ),
        ),
    ]
    token = {"authorization": f"Bearer {writes.tokens['writer']}"}
    good = {
        "sources": {"s": {"citation": "Contract test"}},
        "nodes": [
            {
                "label": "Outcome",
                "id": "contract-outcome",
                "source": "s",
                "properties": {"name": "Contract outcome", "domain": "OTHER"},
            }
        ],
        "relationships": [],
    }
    bad = {**good, "nodes": [{**good["nodes"][0], "properties": {"name": "No domain"}}]}
    for body, headers in ((good, token), (bad, token), (good, {})):
        checks.append(
            (
                "/v1/imports",
                "post",
                await writes.http.post("/v1/imports", json=body, headers=headers),
            )
        )
    dry = {**good, "nodes": [{**good["nodes"][0], "id": "contract-dry-run"}]}
    checks.append(
        (
            "/v1/imports",
            "post",
            await writes.http.post("/v1/imports?dryRun=true", json=dry, headers=token),
        )
    )
    statuses = [response.status_code for _, _, response in checks]
    assert statuses == [200, 200, 200, 200, 200, 400, 200, 422, 401, 200]
    assert checks[-1][2].json()["written"][0]["status"] == "created"
    for path, method, response in checks:
        _check(contract, path, method, response)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/imports", "/v1/imports"),
        ("/imports/templates/agencies.csv", "/v1/imports/templates/agencies.csv"),
        (
            "/exports/graphml?ids=Intervention%3Amash&depth=1",
            "/v1/exports/graphml?ids=Intervention%3Amash&depth=1",
        ),
        ("/openapi.json", "/v1/openapi.json"),
    ],
)
async def test_old_paths_answer_308_to_v1(client: httpx.AsyncClient, old: str, new: str) -> None:
    for method in ("GET", "POST"):
        response = await client.request(method, old, follow_redirects=False)
        assert response.status_code == 308
        assert response.headers["location"] == new
        assert 'rel="successor-version"' in response.headers["link"]


async def test_a_post_to_the_old_path_arrives_with_its_body(writes: WriteClient) -> None:
    """308 keeps method and body: an old client's import still lands."""
    body = {
        "sources": {"s": {"citation": "Old path"}},
        "nodes": [
            {
                "label": "Outcome",
                "id": "old-path-outcome",
                "source": "s",
                "properties": {"name": "Old path outcome", "domain": "OTHER"},
            }
        ],
        "relationships": [],
    }
    response = await writes.http.post(
        "/imports", json=body, headers={"authorization": f"Bearer {writes.tokens['writer']}"}
    )
    assert response.history[0].status_code == 308
    assert response.status_code == 200
    assert response.json()["nodes"]["created"] == 1
