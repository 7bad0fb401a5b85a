"""Root fields that fetch one node by id, and navigation in both directions."""

from __future__ import annotations

from tests.conftest import GraphQL

MASH = """
query {
  intervention(id: "mash") {
    id name kind source recordedBy createdAt
    participants { role source agency { id name sector } intervention { id } }
    studies { id title year design findings { measure summary intervention { id } } }
  }
}
"""


async def test_mash_shows_member_agencies_roles_sectors_and_the_review(gql: GraphQL) -> None:
    """The arrangement, its agencies with roles and sectors, and the 2017 review's verdict."""
    mash = (await gql(MASH))["intervention"]
    assert mash["name"] == "Multi-Agency Safeguarding Hub"
    assert mash["kind"] == "SYSTEM_ARRANGEMENT"
    assert mash["recordedBy"] == "example-data"
    assert mash["source"]
    sectors = {p["agency"]["sector"] for p in mash["participants"]}
    assert {"POLICE", "CHILDRENS_SOCIAL_CARE", "HEALTH", "EDUCATION", "PROBATION"} <= sectors
    assert all(p["role"] and p["intervention"]["id"] == "mash" for p in mash["participants"])
    names = [p["agency"]["name"] for p in mash["participants"]]
    assert names == sorted(names), "nested lists come ordered by name"
    review = next(s for s in mash["studies"] if s["id"] == "study-eif-2017-child-protection")
    assert review["year"] == 2017
    assert review["design"] == "EVIDENCE_REVIEW"
    mash_findings = [f for f in review["findings"] if f["intervention"]["id"] == "mash"]
    assert len(mash_findings) == 1
    assert "robust" in mash_findings[0]["summary"].lower()


async def test_agency_side_of_participation_leads_back_to_the_arrangement(gql: GraphQL) -> None:
    data = await gql(
        """{ agency(id: "agency-police") { name sector
              participations { role intervention { id name } agency { id } } } }"""
    )
    police = data["agency"]
    assert police["sector"] == "POLICE"
    [participation] = [p for p in police["participations"] if p["intervention"]["id"] == "mash"]
    assert participation["agency"]["id"] == "agency-police"
    assert "intelligence" in participation["role"]


async def test_funding_edge_carries_amount_date_and_both_ends(gql: GraphQL) -> None:
    """The £4.8m innovation-fund grant to Signs of Safety, seen from the funder and the funded."""
    data = await gql(
        """{
          funded: intervention(id: "signs-of-safety") {
            countryOfOrigin originDecade
            funding { amount currency awardedOn purpose funder { id sector } intervention { id } study { id } }
          }
          funder: agency(id: "agency-dfe") { funding { amount intervention { id } study { id } } }
        }"""
    )
    funded = data["funded"]
    assert funded["countryOfOrigin"] == "Australia"
    assert funded["originDecade"] == "1990s"
    [grant] = [f for f in funded["funding"] if f["funder"]["id"] == "agency-dfe"]
    assert grant["amount"] == 4_800_000
    assert grant["currency"] == "GBP"
    assert grant["awardedOn"].startswith("2016-03")
    assert grant["study"] is None and grant["intervention"] == {"id": "signs-of-safety"}
    assert {
        "amount": 4_800_000.0,
        "intervention": {"id": "signs-of-safety"},
        "study": None,
    } in data["funder"]["funding"]


async def test_study_finding_outcome_and_back(gql: GraphQL) -> None:
    data = await gql(
        """{
          study(id: "study-chaffin-2004") {
            design status country independent
            interventions { id }
            agencies { role agency { id } study { id } }
            findings { id direction followUpMonths study { id } outcomes { id findings { id } } }
          }
        }"""
    )
    study = data["study"]
    assert study["design"] == "RCT"
    assert {"id": "pcit"} in study["interventions"]
    [finding] = [f for f in study["findings"] if f["id"] == "finding-chaffin-2004-re-reports"]
    assert finding["direction"] == "FAVOURABLE"
    assert finding["study"] == {"id": "study-chaffin-2004"}
    assert all({"id": finding["id"]} in outcome["findings"] for outcome in finding["outcomes"])


async def test_outcome_taxonomy_navigates_up_and_down(gql: GraphQL) -> None:
    data = await gql(
        """{
          outcome(id: "outcome-child-maltreatment") {
            name domain partOf { id narrower { id } }
            targetedBy { id }
          }
        }"""
    )
    outcome = data["outcome"]
    assert outcome["partOf"]["id"] == "outcome-child-safety"
    assert {"id": "outcome-child-maltreatment"} in outcome["partOf"]["narrower"]


async def test_rating_history_issuer_and_rated_intervention(gql: GraphQL) -> None:
    data = await gql(
        """{
          intervention(id: "pcit") {
            ratings { id scheme value ratedOn issuer { id ratingsIssued { id } } intervention { id } }
          }
        }"""
    )
    ratings = data["intervention"]["ratings"]
    assert len(ratings) >= 2, "an older rating stays as history"
    dates = [r["ratedOn"] for r in ratings]
    assert dates == sorted(dates, reverse=True), "ratings come newest first"
    for rating in ratings:
        assert rating["intervention"] == {"id": "pcit"}
        assert {"id": rating["id"]} in rating["issuer"]["ratingsIssued"]


async def test_variants_point_both_ways(gql: GraphQL) -> None:
    data = await gql(
        """{
          variant: intervention(id: "incredible-years-preschool-basic") { variantOf { id variants { id } } }
          developed: agency(id: "agency-university-of-washington") { developed { id developers { id } } }
        }"""
    )
    parent = data["variant"]["variantOf"]
    assert parent["id"] == "incredible-years"
    assert {"id": "incredible-years-preschool-basic"} in parent["variants"]
    assert {
        "id": "incredible-years",
        "developers": [{"id": "agency-university-of-washington"}],
    } in data["developed"]["developed"]


async def test_delivery_edges_show_who_uses_an_intervention(gql: GraphQL) -> None:
    data = await gql(
        """{ intervention(id: "signs-of-safety") {
              deliveries { status agency { id areaType } intervention { id } } } }"""
    )
    deliveries = data["intervention"]["deliveries"]
    assert len(deliveries) >= 5
    assert all(d["intervention"]["id"] == "signs-of-safety" for d in deliveries)
    assert {d["agency"]["areaType"] for d in deliveries} & {"URBAN", "RURAL", "MIXED"}


async def test_unknown_ids_resolve_to_null(gql: GraphQL) -> None:
    data = await gql(
        """{
          intervention(id: "no-such") { id }
          agency(id: "no-such") { id }
          study(id: "no-such") { id }
          outcome(id: "no-such") { id }
          finding(id: "no-such") { id }
          rating(id: "no-such") { id }
          network(interventionId: "no-such") { nodes { key } }
        }"""
    )
    assert data == {
        "intervention": None,
        "agency": None,
        "study": None,
        "outcome": None,
        "finding": None,
        "rating": None,
        "network": None,
    }


async def test_an_id_of_another_label_is_unknown(gql: GraphQL) -> None:
    """Ids are unique per label, so an agency's id does not find an intervention."""
    data = await gql('{ intervention(id: "agency-police") { id } }')
    assert data == {"intervention": None}


async def test_cypher_looking_ids_are_plain_data(gql: GraphQL) -> None:
    data = await gql(
        "query($id: ID!) { intervention(id: $id) { id } }",
        id="x'}) MATCH (n) DETACH DELETE n //",
    )
    assert data == {"intervention": None}
    assert (await gql('{ intervention(id: "mash") { id } }'))["intervention"] == {"id": "mash"}
