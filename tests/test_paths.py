"""paths(fromId, toId, maxLength): the shortest connections between two nodes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQL

PATHS = """
query($from: String!, $to: String!, $max: Int!) {
  paths(fromId: $from, toId: $to, maxLength: $max) {
    truncated
    paths { length nodes { key label name } edges { type source target properties } }
  }
}
"""


async def test_police_reach_pcit_through_the_mash_review(gql: GraphQL) -> None:
    result = (
        await gql(PATHS, **{"from": "Agency:agency-police", "to": "Intervention:pcit", "max": 4})
    )["paths"]
    assert gql.statements == 1
    assert result["truncated"] is False
    [path] = result["paths"]
    assert path["length"] == 3
    assert [n["key"] for n in path["nodes"]] == [
        "Agency:agency-police",
        "Intervention:mash",
        "Study:study-eif-2017-child-protection",
        "Intervention:pcit",
    ]
    # Edges keep their stored direction even where the path walks against it.
    assert [(e["source"], e["type"], e["target"]) for e in path["edges"]] == [
        ("Agency:agency-police", "PARTICIPATES_IN", "Intervention:mash"),
        ("Study:study-eif-2017-child-protection", "EVALUATES", "Intervention:mash"),
        ("Study:study-eif-2017-child-protection", "EVALUATES", "Intervention:pcit"),
    ]
    assert path["edges"][0]["properties"]["role"]


async def test_no_path_within_max_length_gives_none(gql: GraphQL) -> None:
    result = (
        await gql(PATHS, **{"from": "Agency:agency-police", "to": "Intervention:pcit", "max": 2})
    )["paths"]
    assert result == {"truncated": False, "paths": []}


async def test_several_shortest_paths_all_come_back(gql: GraphQL) -> None:
    result = (
        await gql(PATHS, **{"from": "Intervention:mash", "to": "Intervention:pcit", "max": 4})
    )["paths"]
    middles = sorted(p["nodes"][1]["key"] for p in result["paths"])
    assert {p["length"] for p in result["paths"]} == {2}
    assert "Study:study-eif-2017-child-protection" in middles
    assert len(middles) == len(set(middles))


@pytest.mark.parametrize(
    ("variables", "argument", "words"),
    [
        (
            {"from": "Intervention:mash", "to": "Intervention:pcit", "max": 7},
            "maxLength",
            "MAX_PATH_LENGTH is 6",
        ),
        (
            {"from": "Intervention:mash", "to": "Intervention:pcit", "max": 0},
            "maxLength",
            "MAX_PATH_LENGTH",
        ),
        ({"from": "mash", "to": "Intervention:pcit", "max": 3}, "fromId", "Label:id"),
        ({"from": "Intervention:mash", "to": "Thing:pcit", "max": 3}, "toId", "unknown label"),
        ({"from": "Intervention:mash", "to": "Intervention:mash", "max": 3}, "toId", "same node"),
    ],
)
async def test_bad_arguments_are_refused_before_any_cypher(
    gql: GraphQL, variables: dict[str, Any], argument: str, words: str
) -> None:
    body = await gql.raw(PATHS, **variables)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert words in error["message"]
    assert gql.statements == 0
