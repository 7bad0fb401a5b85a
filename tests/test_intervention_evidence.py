"""The intervention's page over GraphQL: the same judgement as every other view, in one
statement, with its trials, appraisal and caveats."""

from __future__ import annotations

from tests.conftest import GraphQL

PAGE = """{
  interventionEvidence(interventionId: "family-group-conferencing") {
    intervention { id }
    headline { commonScale basis caveats { code } }
    outcomes {
      outcome { id }
      evidence { strongest {
        eifValue trialCount consistency { label trials ukTrials ukFavourableTrials }
        decidingTrials { id country uk rigorous designRating appraisalBasis missingAttributes }
        caveats { code }
      } }
    }
  }
  missing: interventionEvidence(interventionId: "nope") { intervention { id } }
}"""


async def test_the_page_shows_the_uk_trial_that_decided_entry_to_care(gql: GraphQL) -> None:
    data = await gql(PAGE)
    assert gql.statements == 2, "one statement per root field"
    assert data["missing"] is None
    page = data["interventionEvidence"]
    assert page["headline"]["commonScale"] == 4
    assert "UK_TRIALS" in {c["code"] for c in page["headline"]["caveats"]}
    cells = {o["outcome"]["id"]: o["evidence"]["strongest"] for o in page["outcomes"]}
    entry = cells["outcome-entry-to-care"]
    assert entry["eifValue"] == "3+" and entry["trialCount"] == 1
    assert entry["consistency"] == {
        "label": "SINGLE_TRIAL",
        "trials": 1,
        "ukTrials": 1,
        "ukFavourableTrials": 1,
    }
    assert entry["decidingTrials"] == [
        {
            "id": "study-taylor-2024-fgc-rct",
            "country": "GB",
            "uk": True,
            "rigorous": True,
            "designRating": "MODERATE",
            "appraisalBasis": "APPRAISED",
            "missingAttributes": [
                "attritionPercent",
                "differentialAttritionPercent",
                "comparison",
                "followUpMonths",
            ],
        }
    ]
    assert {"UK_TRIALS", "APPRAISED_FROM_ATTRIBUTES"} <= {c["code"] for c in entry["caveats"]}


RECOMMEND = """{
  recommend(context: {outcomeIds: ["outcome-entry-to-care"], minAge: 3, maxAge: 6, areaType: RURAL}) {
    recommendations {
      rank interventionId hasHarmfulTrial
      score { total parts { name points reasons } }
      judgement { decidingTrials { id country } caveats { code } }
      ratingCaveats { code }
    }
  }
}"""


async def test_recommend_explains_its_order_by_a_score_in_parts(gql: GraphQL) -> None:
    ranked = (await gql(RECOMMEND))["recommend"]["recommendations"]
    assert gql.statements == 1
    top = ranked[0]
    assert top["interventionId"] == "family-group-conferencing"
    assert top["judgement"]["decidingTrials"] == [
        {"id": "study-taylor-2024-fgc-rct", "country": "GB"}
    ]
    assert [p["name"] for p in top["score"]["parts"]] == [
        "STRENGTH",
        "DIRECTION",
        "HARM",
        "RATINGS",
        "UK",
        "FIT",
    ]
    assert top["score"]["total"] == sum(p["points"] for p in top["score"]["parts"])
    for part in top["score"]["parts"]:
        assert sum(int(r.split(":")[0]) for r in part["reasons"]) == part["points"], part
    harmful = [r["hasHarmfulTrial"] for r in ranked]
    assert harmful == sorted(harmful), "no programme with a harmful trial above one without"
