"""Every list takes ``ids``: several nodes, with everything nested, in one statement."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQL

LISTS = {
    "interventions": ["mash", "no-such-id"],
    "agencies": ["agency-eif"],
    "outcomes": ["outcome-child-safety"],
    "studies": ["study-eif-2017-child-protection"],
}


@pytest.mark.parametrize("field", LISTS)
async def test_a_list_by_ids_gives_exactly_those_nodes(gql: GraphQL, field: str) -> None:
    query = f"query ($ids: [ID!]) {{ {field}(filter: {{ids: $ids}}) {{ totalCount edges {{ node {{ id }} }} }} }}"
    data = await gql(query, ids=LISTS[field])
    found = [edge["node"]["id"] for edge in data[field]["edges"]]
    assert found == [node_id for node_id in LISTS[field] if node_id != "no-such-id"]
    assert data[field]["totalCount"] == len(found)
    assert gql.statements == 1


async def test_ids_combine_with_the_other_filters(gql: GraphQL) -> None:
    query = """query ($ids: [ID!], $kinds: [InterventionKind!]) {
      interventions(filter: {ids: $ids, kindIn: $kinds}) { edges { node { id kind } } } }"""
    data = await gql(query, ids=["mash"], kinds=["PROGRAMME"])
    assert data["interventions"]["edges"] == []
    data = await gql(query, ids=["mash"], kinds=["SYSTEM_ARRANGEMENT"])
    assert data["interventions"]["edges"] == [
        {"node": {"id": "mash", "kind": "SYSTEM_ARRANGEMENT"}}
    ]


async def test_nested_selections_of_several_nodes_cost_one_statement(gql: GraphQL) -> None:
    ids = ["mash", "signs-of-safety", "family-group-conferencing"]
    query = """query ($ids: [ID!]) { interventions(filter: {ids: $ids}) { edges { node {
      id studies { title findings { direction outcomes { name } } } participants { agency { name } } } } } }"""
    data = await gql(query, ids=ids)
    assert {edge["node"]["id"] for edge in data["interventions"]["edges"]} <= set(ids)
    assert len(data["interventions"]["edges"]) >= 2
    assert gql.statements == 1
