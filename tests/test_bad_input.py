"""Bad input never becomes a 500: malformed HTTP and GraphQL get a 4xx (or a GraphQL
error in a 200), never a 5xx, a stack trace, or a masked "Unexpected error."."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

RESPONSE_JSON = "application/graphql-response+json"
LOOKUP = "query ($id: ID!) { intervention(id: $id) { id name } }"


def _post(body: bytes | str, content_type: str = "application/json") -> dict[str, Any]:
    return {
        "method": "POST",
        "content": body.encode() if isinstance(body, str) else body,
        "headers": {"content-type": content_type},
    }


def _json(payload: Any) -> dict[str, Any]:
    return _post(json.dumps(payload))


def _get(**params: str) -> dict[str, Any]:
    return {"method": "GET", "params": params, "headers": {}}


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# (name, request, expected status with Accept: application/graphql-response+json)
CASES: list[tuple[str, dict[str, Any], int]] = [
    ("not JSON", _post("query { intervention }"), 400),
    ("truncated JSON", _post('{"query": "{ __typename }"'), 400),
    ("empty body", _post(""), 400),
    ("JSON number", _post("42"), 400),
    ("JSON string", _post('"{ __typename }"'), 400),
    ("JSON null", _post("null"), 400),
    ("query is a number", _json({"query": 42}), 400),
    ("query is null", _json({"query": None}), 400),
    ("query is a list", _json({"query": ["{ __typename }"]}), 400),
    ("query is a map", _json({"query": {"a": 1}}), 400),
    ("query is empty", _json({"query": ""}), 400),
    ("variables is a string", _json({"query": LOOKUP, "variables": "mash"}), 400),
    ("variables is a list", _json({"query": LOOKUP, "variables": ["mash"]}), 400),
    ("variables has the wrong type", _json({"query": LOOKUP, "variables": {"id": {"a": 1}}}), 400),
    ("operationName is a number", _json({"query": LOOKUP, "operationName": 7}), 400),
    ("unknown operationName", _json({"query": LOOKUP, "operationName": "Nope"}), 400),
    ("extensions is a list", _json({"query": "{ __typename }", "extensions": []}), 400),
    ("JSON nested 40 000 deep", _post(_deep(40_000)), 400),
    (
        "variables nested 40 deep",
        _post('{"query": "{ __typename }", "variables": {"v": ' + _deep(40) + "}}"),
        400,
    ),
    ("GraphQL nested 5 000 deep", _json({"query": "{ a" * 5000 + " }" * 5000}), 400),
    ("huge string variable", _json({"query": LOOKUP, "variables": {"id": "x" * 90_000}}), 200),
    (
        "huge list variable",
        _json(
            {
                "query": "query ($d: [StudyDesign!]) { studies(filter: {designIn: $d}) { totalCount } }",
                "variables": {"d": ["RCT"] * 10_000},
            }
        ),
        200,
    ),
    ("body over the size limit", _json({"query": LOOKUP, "variables": {"id": "x" * 200_000}}), 413),
    ("invalid UTF-8", _post(b'{"query": "{ __typename \xff\xfe }"}'), 400),
    (
        "lone surrogate in the query",
        _post('{"query": "{ intervention(id: \\"\\ud800\\") { id } }"}'),
        400,
    ),
    (
        "lone surrogate in a variable",
        _post('{"query": "' + LOOKUP.replace('"', '\\"') + '", "variables": {"id": "\\udfff"}}'),
        400,
    ),
    (
        "lone surrogate in a key",
        _post('{"query": "{ __typename }", "variables": {"\\ud800": 1}}'),
        400,
    ),
    (
        "surrogate pair is fine",
        _post('{"query": "{ intervention(id: \\"\\ud83c\\udfc3\\") { id } }"}'),
        200,
    ),
    ("NUL in a string", _json({"query": LOOKUP, "variables": {"id": "ma\u0000sh"}}), 200),
    (
        "circular fragments",
        _json(
            {
                "query": "fragment A on Intervention { ...B } fragment B on Intervention { ...A } "
                '{ intervention(id: "mash") { ...A } }'
            }
        ),
        400,
    ),
    (
        "self-referencing fragment",
        _json({"query": 'fragment A on Agency { ...A } { agency(id: "x") { ...A } }'}),
        400,
    ),
    (
        "alias flood",
        _json({"query": "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }"}),
        400,
    ),
    ("directive flood", _json({"query": "{ __typename " + "@include(if: true) " * 500 + "}"}), 400),
    ("field flood", _json({"query": "{ " + "__typename " * 8_000 + "}"}), 400),
    ("Int beyond 32 bits", _json({"query": "{ studies(first: 99999999999) { totalCount } }"}), 400),
    (
        "Int beyond 32 bits in a variable",
        _json(
            {
                "query": "query ($n: Int) { studies(first: $n) { totalCount } }",
                "variables": {"n": 2**40},
            }
        ),
        400,
    ),
    (
        "huge integer literal in JSON",
        _post(
            '{"query": "query ($n: Int) { studies(first: $n) { totalCount } }", "variables": {"n": '
            + "9" * 5000
            + "}}"
        ),
        400,
    ),
    (
        "infinite float in JSON",
        _post(
            '{"query": "query ($n: Int) { studies(first: $n) { totalCount } }", "variables": {"n": 1e999}}'
        ),
        400,
    ),
    (
        "NaN in JSON",
        _post(
            '{"query": "query ($n: Int) { studies(first: $n) { totalCount } }", "variables": {"n": NaN}}'
        ),
        400,
    ),
    ("float for an Int", _json({"query": "{ studies(first: 1.5) { totalCount } }"}), 400),
    ("negative page size", _json({"query": "{ studies(first: -1) { totalCount } }"}), 200),
    (
        "year out of range",
        _json({"query": "{ studies(filter: {yearFrom: 2147483647}) { totalCount } }"}),
        200,
    ),
    ("garbage cursor", _json({"query": '{ studies(after: "%%%garbage") { totalCount } }'}), 200),
    (
        "unknown enum value",
        _json({"query": "{ studies(filter: {designIn: [NOPE]}) { totalCount } }"}),
        400,
    ),
    ("wrong content type", _post('{"query": "{ __typename }"}', "text/plain"), 415),
    (
        "non-UTF-8 charset",
        _post('{"query": "{ __typename }"}', "application/json; charset=latin-1"),
        415,
    ),
    ("GET with variables that are not JSON", _get(query=LOOKUP, variables="{nope"), 400),
    ("GET with a mutation", _get(query="mutation { x }"), 405),
    ("GET without a query", {"method": "GET", "headers": {"accept": RESPONSE_JSON}}, 400),
    (
        "GET with invalid UTF-8 in the URL",
        {"method": "GET", "url": "/graphql?query=%7B%20%ED%A0%80%20%7D", "headers": {}},
        400,
    ),
    ("PUT", {"method": "PUT", "content": b"{}", "headers": {}}, 405),
]


@pytest.mark.parametrize(("name", "request_args", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_answered_without_a_server_error(
    client: httpx.AsyncClient, name: str, request_args: dict[str, Any], expected: int
) -> None:
    args = dict(request_args)
    method, url = args.pop("method"), args.pop("url", "/graphql")
    for accept in (RESPONSE_JSON, "application/json"):
        headers = {**args.get("headers", {}), "accept": accept}
        response = await client.request(method, url, **{**args, "headers": headers})
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text
        assert "Unexpected error" not in response.text, response.text
        if accept == RESPONSE_JSON:
            assert response.status_code == expected, response.text[:500]
        if response.headers.get("content-type", "").startswith(("application/json", RESPONSE_JSON)):
            response.json()
