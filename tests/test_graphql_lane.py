"""/graphql is answered by its own lane (service/graphql_lane.py), past the same edge as
every route: what the router did for it still holds."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from service.graphql_lane import COMPRESS_FROM_BYTES, GraphQLLane
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
    lane = GraphQLLane(
        path="/graphql",
        methods=("GET", "POST"),
        endpoint=endpoint,
        exception_handlers=app.exception_handlers,
    )
    transport = httpx.ASGITransport(app=lane)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answered = await client.post("/graphql", json=QUERY)
    assert answered.status_code == 409
    assert answered.json()["code"] == "CONFLICT"


def test_the_lane_takes_its_path_and_methods_only() -> None:
    lane = GraphQLLane(
        path="/graphql", methods=("GET", "POST"), endpoint=_never, exception_handlers={}
    )

    def scope(method: str, path: str, root_path: str = "") -> dict[str, Any]:
        return {"type": "http", "method": method, "path": path, "root_path": root_path}

    assert lane.takes(scope("POST", "/graphql"))
    assert lane.takes(scope("HEAD", "/graphql"))
    assert lane.takes(scope("GET", "/api/graphql", root_path="/api"))
    assert not lane.takes(scope("PUT", "/graphql"))
    assert not lane.takes(scope("OPTIONS", "/graphql"))  # CORS preflights: the edge's
    assert not lane.takes(scope("POST", "/graphql/"))
    assert not lane.takes(scope("POST", "/v1/graphql"))
    assert not lane.takes({"type": "websocket", "path": "/graphql"} | {"method": "GET"})


async def _never(_: Request) -> Response:
    raise AssertionError("not called")


async def test_large_answers_are_gzipped_for_clients_that_accept_it(
    client: httpx.AsyncClient,
) -> None:
    query = {"query": "{ __schema { types { name description } } }"}
    plain = await client.post("/graphql", json=query, headers={"accept-encoding": "identity"})
    assert len(plain.content) >= COMPRESS_FROM_BYTES
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    async with client.stream(
        "POST", "/graphql", json=query, headers={"accept-encoding": "gzip"}
    ) as zipped:
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["vary"] == "Accept-Encoding"
        sent = b"".join([chunk async for chunk in zipped.aiter_raw()])
    assert int(zipped.headers["content-length"]) == len(sent) < len(plain.content)
    assert gzip.decompress(sent) == plain.content
    small = await client.post("/graphql", json=QUERY, headers={"accept-encoding": "gzip"})
    assert len(small.content) < COMPRESS_FROM_BYTES
    assert "content-encoding" not in small.headers and "vary" not in small.headers
