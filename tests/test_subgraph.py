"""subgraph(ids, depth, relationshipTypes, labels): nodes within depth hops and the edges among them."""

from __future__ import annotations

from typing import Any

import pytest

from service.plans.subgraph import MAX_SUBGRAPH_DEPTH, MAX_SUBGRAPH_IDS, MAX_SUBGRAPH_NODES
from tests.conftest import GraphQL

SUBGRAPH = """
query($ids: [String!]!, $depth: Int!, $types: [RelationshipType!], $labels: [NodeLabel!]) {
  subgraph(ids: $ids, depth: $depth, relationshipTypes: $types, labels: $labels) {
    nodes { key id label name properties }
    edges { type source target properties }
  }
}
"""


async def _subgraph(gql: GraphQL, ids: list[str], depth: int, **filters: Any) -> dict[str, Any]:
    data = await gql(SUBGRAPH, ids=ids, depth=depth, **filters)
    subgraph: dict[str, Any] = data["subgraph"]
    return subgraph


async def test_depth_zero_is_the_seed_alone(gql: GraphQL) -> None:
    subgraph = await _subgraph(gql, ["Intervention:mash"], 0)
    assert [n["key"] for n in subgraph["nodes"]] == ["Intervention:mash"]
    assert subgraph["edges"] == []
    assert subgraph["nodes"][0]["name"] == "Multi-Agency Safeguarding Hub"


async def test_one_hop_around_mash_reaches_its_agencies_review_and_outcome(gql: GraphQL) -> None:
    subgraph = await _subgraph(gql, ["Intervention:mash"], 1)
    keys = {n["key"] for n in subgraph["nodes"]}
    assert {
        "Intervention:mash",
        "Agency:agency-police",
        "Agency:agency-health",
        "Agency:agency-education",
        "Agency:agency-probation",
        "Agency:agency-childrens-social-care",
        "Agency:agency-devon-county-council",
        # Councils whose own pages say they run a MASH (DELIVERS).
        "Agency:agency-westminster",
        "Agency:agency-hammersmith-fulham",
        "Agency:agency-kensington-chelsea",
        "Agency:agency-barnet",
        "Agency:agency-herefordshire",
        "Study:study-eif-2017-child-protection",
        "Finding:finding-eif-2017-mash",
        "Outcome:outcome-child-safety",
    } == keys
    assert gql.statements == 1
    edges = {(e["source"], e["type"], e["target"]) for e in subgraph["edges"]}
    # Relationships among the reached nodes count too, not only those to the seed.
    assert (
        "Study:study-eif-2017-child-protection",
        "REPORTS",
        "Finding:finding-eif-2017-mash",
    ) in edges
    assert all(e["source"] in keys and e["target"] in keys for e in subgraph["edges"])
    [police] = [e for e in subgraph["edges"] if e["source"] == "Agency:agency-police"]
    assert police["type"] == "PARTICIPATES_IN"
    assert police["properties"]["role"]


async def test_relationship_types_and_labels_limit_the_walk(gql: GraphQL) -> None:
    subgraph = await _subgraph(
        gql, ["Intervention:mash"], 3, types=["PARTICIPATES_IN"], labels=["Agency"]
    )
    labels = sorted({n["label"] for n in subgraph["nodes"]})
    assert labels == ["Agency", "Intervention"]
    assert len(subgraph["nodes"]) == 6
    assert {e["type"] for e in subgraph["edges"]} == {"PARTICIPATES_IN"}
    assert len(subgraph["edges"]) == 5


async def test_deeper_walks_reach_more_and_keep_edges_inside(gql: GraphQL) -> None:
    one = await _subgraph(gql, ["Intervention:mash"], 1)
    two = await _subgraph(gql, ["Intervention:mash"], 2)
    assert {n["key"] for n in one["nodes"]} < {n["key"] for n in two["nodes"]}
    assert "Intervention:pcit" in {n["key"] for n in two["nodes"]}  # via the EIF review
    keys = {n["key"] for n in two["nodes"]}
    assert all(e["source"] in keys and e["target"] in keys for e in two["edges"])


async def test_several_seeds_and_unknown_ids(gql: GraphQL) -> None:
    subgraph = await _subgraph(gql, ["Intervention:pcit", "Agency:agency-dfe", "Study:nope"], 0)
    assert [n["key"] for n in subgraph["nodes"]] == ["Agency:agency-dfe", "Intervention:pcit"]


async def test_a_seed_named_twice_appears_once(gql: GraphQL) -> None:
    once = await _subgraph(gql, ["Intervention:mash"], 1)
    twice = await _subgraph(gql, ["Intervention:mash", "Intervention:mash"], 1)
    assert twice == once


async def test_same_id_under_another_label_is_another_node(gql: GraphQL) -> None:
    subgraph = await _subgraph(gql, ["Agency:mash"], 1)
    assert subgraph == {"nodes": [], "edges": []}


@pytest.mark.parametrize(
    ("variables", "argument", "words"),
    [
        (
            {"ids": ["Intervention:mash"], "depth": MAX_SUBGRAPH_DEPTH + 1},
            "depth",
            "MAX_SUBGRAPH_DEPTH is 4",
        ),
        ({"ids": ["Intervention:mash"], "depth": -1}, "depth", "MAX_SUBGRAPH_DEPTH"),
        (
            {"ids": [f"Agency:a{i}" for i in range(MAX_SUBGRAPH_IDS + 1)], "depth": 1},
            "ids",
            "MAX_SUBGRAPH_IDS is 50",
        ),
        ({"ids": [], "depth": 1}, "ids", "at least one"),
        ({"ids": ["mash"], "depth": 1}, "ids", "Label:id"),
        ({"ids": ["Child:x"], "depth": 1}, "ids", "unknown label"),
    ],
)
async def test_out_of_bounds_requests_are_refused_before_any_cypher(
    gql: GraphQL, variables: dict[str, Any], argument: str, words: str
) -> None:
    body = await gql.raw(SUBGRAPH, **variables)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert words in error["message"]
    assert gql.statements == 0


async def test_a_subgraph_over_the_node_bound_is_refused(
    gql: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size bound is checked on the result; lowered here so the example data exceeds it."""
    from service.plans import subgraph as plan

    monkeypatch.setattr(plan, "MAX_SUBGRAPH_NODES", 5)
    body = await gql.raw(SUBGRAPH, ids=["Intervention:mash"], depth=2)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "depth"}
    assert "MAX_SUBGRAPH_NODES (5)" in error["message"]
    assert MAX_SUBGRAPH_NODES == 2000
