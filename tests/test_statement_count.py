"""Each root field runs exactly one Cypher statement, however deep its selection."""

from __future__ import annotations

from tests.conftest import GraphQL

DEEP_INTERVENTION = """
fragment AgencyBits on Agency { id name sector participations { role intervention { id name } } }
{
  intervention(id: "signs-of-safety") {
    name
    participants { role agency { ...AgencyBits } }
    deliveries { status agency { ...AgencyBits deliveries { intervention { id } } } }
    funding { amount funder { ...AgencyBits funding { study { id } intervention { id } } } }
    studies {
      title
      agencies { role agency { name studyRoles { study { id } } } }
      findings { measure outcomes { name partOf { name narrower { id targetedBy { id } } } } }
    }
    targets { name findings { study { title } intervention { ratings { value issuer { name } } } } }
    ratings { value issuer { ratingsIssued { intervention { name } } } outcomes { name } }
    variants { id variantOf { id } }
  }
}
"""


async def test_deeply_nested_lookup_is_one_statement(gql: GraphQL) -> None:
    data = await gql(DEEP_INTERVENTION)
    assert data["intervention"]["name"] == "Signs of Safety"
    assert data["intervention"]["funding"], "the nested data really came back"
    assert gql.statements == 1


async def test_deeply_nested_connection_is_one_statement(gql: GraphQL) -> None:
    data = await gql(
        """{
          interventions(first: 10) {
            totalCount
            pageInfo { hasNextPage hasPreviousPage endCursor }
            edges { cursor node {
              name
              participants { agency { participations { intervention { studies { findings {
                outcomes { partOf { name } } study { agencies { agency { name } } }
              } } } } } }
              studies { findings { intervention { name } } }
            } }
          }
        }"""
    )
    assert data["interventions"]["totalCount"] == len(data["interventions"]["edges"]) > 5
    assert gql.statements == 1


async def test_second_page_with_previous_page_check_is_one_statement(gql: GraphQL) -> None:
    first = await gql("{ agencies(first: 3) { pageInfo { endCursor } } }")
    cursor = first["agencies"]["pageInfo"]["endCursor"]
    data = await gql(
        """query($after: String) { agencies(first: 3, after: $after) {
             totalCount pageInfo { hasPreviousPage hasNextPage } edges { node { name funding { amount } } } } }""",
        after=cursor,
    )
    assert data["agencies"]["pageInfo"]["hasPreviousPage"] is True
    assert gql.statements == 1


_SEVERAL_ROOT_FIELDS = """{
  a: intervention(id: "mash") { participants { agency { name } } }
  b: agency(id: "agency-police") { participations { intervention { name } } }
  c: study(id: "study-hutchings-2007") { findings { outcomes { name } } }
  d: outcome(id: "outcome-child-safety") { narrower { name } }
  e: studies(first: 5) { edges { node { title } } }
  f: network(interventionId: "mash") { nodes { key NETWORK_NODE_FIELDS } edges { type } }
}"""


async def test_several_root_fields_run_one_statement_each(gql: GraphQL) -> None:
    """Through the general executor (the network's properties, a JSON scalar, send the
    whole operation there): a statement per root field."""
    data = await gql(_SEVERAL_ROOT_FIELDS.replace("NETWORK_NODE_FIELDS", "properties"))
    assert data["a"]["participants"] and data["f"]["nodes"][0]["properties"]
    assert gql.statements == 6


async def test_compiled_lookups_by_id_share_one_statement(gql: GraphQL) -> None:
    """On the compiled path the four lookups by id are read by one statement; the list and
    the network keep one each."""
    data = await gql(_SEVERAL_ROOT_FIELDS.replace("NETWORK_NODE_FIELDS", "name"))
    assert data["a"]["participants"] and data["d"] and data["f"]["nodes"][0]["name"]
    assert gql.statements == 3
