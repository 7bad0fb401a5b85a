"""/graphql is answered by its own lane (service/graphql_lane.py), past the same edge as
every route: what the router did for it still holds."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from service.graphql_lane import GraphQLLane
from service.http_problems import Problem
from service.problem_handlers import add_problem_handlers

QUERY = {"query": '{ intervention(id: "mash") { id } }'}


async def test_graphql_is_answered_with_the_edges_headers(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json=QUERY, headers={"X-Request-ID": "lane-1", "Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "lane-1"
    assert response.json() == {"data": {"intervention": {"id": "mash"}}}


async def test_head_and_other_methods_are_refused_as_before(client: httpx.AsyncClient) -> None:
    head = await client.head("/graphql")
    assert (head.status_code, head.headers["allow"]) == (405, "GET, POST")
    put = await client.put("/graphql", json=QUERY)
    assert put.status_code == 405
    assert put.headers["content-type"] == "application/problem+json"
    assert put.json()["code"] == "METHOD_NOT_ALLOWED"


async def test_graphql_under_a_root_path(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app, root_path="/evidence")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/evidence/graphql", json=QUERY)
    assert response.status_code == 200
    assert response.json()["data"]["intervention"]["id"] == "mash"


async def test_an_exception_from_the_endpoint_meets_the_apps_handlers() -> None:
    async def endpoint(_: Request) -> Response:
        raise Problem(409, "held elsewhere", code="CONFLICT")

    app = FastAPI()
    add_problem_handlers(app)
    app.add_middleware(
        GraphQLLane,
        path="/graphql",
        methods=("GET", "POST"),
        endpoint=endpoint,
        exception_handlers=app.exception_handlers,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answered = await client.post("/graphql", json=QUERY)
        elsewhere = await client.post("/other", json=QUERY)
    assert answered.status_code == 409
    assert answered.json()["code"] == "CONFLICT"
    assert elsewhere.status_code == 404  # other paths go on to the router
