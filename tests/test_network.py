"""network(interventionId): the arrangement as nodes and edges for a graph view."""

from __future__ import annotations

from tests.conftest import GraphQL

NETWORK = """
query($id: ID!) {
  network(interventionId: $id) {
    nodes { key id label name properties }
    edges { type source target properties }
  }
}
"""


async def test_mash_network_has_its_agencies_roles_and_review(gql: GraphQL) -> None:
    network = (await gql(NETWORK, id="mash"))["network"]
    nodes = {n["key"]: n for n in network["nodes"]}
    assert nodes["Intervention:mash"]["name"] == "Multi-Agency Safeguarding Hub"
    participations = [e for e in network["edges"] if e["type"] == "PARTICIPATES_IN"]
    assert len(participations) == 5
    for edge in participations:
        assert edge["target"] == "Intervention:mash"
        assert nodes[edge["source"]]["label"] == "Agency"
        assert edge["properties"]["role"]
        assert edge["properties"]["recordedBy"] == "example-data"
    sectors = {nodes[e["source"]]["properties"]["sector"] for e in participations}
    assert {"POLICE", "HEALTH", "EDUCATION", "PROBATION", "CHILDRENS_SOCIAL_CARE"} == sectors
    assert {
        "type": "EVALUATES",
        "source": "Study:study-eif-2017-child-protection",
        "target": "Intervention:mash",
    } in [{k: e[k] for k in ("type", "source", "target")} for e in network["edges"]]


async def test_every_edge_joins_nodes_of_the_network(gql: GraphQL) -> None:
    network = (await gql(NETWORK, id="pcit"))["network"]
    keys = [n["key"] for n in network["nodes"]]
    assert len(keys) == len(set(keys)), "each node once"
    assert all(e["source"] in keys and e["target"] in keys for e in network["edges"])
    types = {e["type"] for e in network["edges"]}
    assert {"RATES", "ISSUED", "EVALUATES"} <= types


async def test_dates_in_properties_are_iso_strings(gql: GraphQL) -> None:
    network = (await gql(NETWORK, id="signs-of-safety"))["network"]
    [grant] = [
        e for e in network["edges"] if e["type"] == "FUNDS" and e["source"] == "Agency:agency-dfe"
    ]
    assert grant["properties"]["awardedOn"] == "2016-03-01"
    assert grant["properties"]["amount"] == 4_800_000
