"""Gap map, practice gap, local fit and co-participation on data built through the write API,
in a store of this module's own (so nothing here changes what other tests read)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import GraphQL
from tests.gap_views_data import P, gap_views_app

pytestmark = pytest.mark.slow

IDS = [f"{P}hub", f"{P}model", f"{P}newcomer", f"{P}programme"]


@pytest.fixture(scope="module")
async def views(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[GraphQL]:
    async with gap_views_app(tmp_path_factory.mktemp("gap-views")) as served:
        yield GraphQL(served.client, served.store)


GAP_MAP = """query ($ids: [ID!]) {
  evidenceGapMap(filter: {interventionIds: $ids}) {
    interventions { id }
    outcomes { id domain }
    domains { domain outcomes { id } }
    cells {
      interventionId outcomeId status studyCount ongoingStudyCount findingCount
      studiesByDesign { design count }
      findingsByDirection { direction count }
      strongest { eifValue titleIvE commonScale mixed deciding: decidingFindings { id } }
    }
  }
}"""


def _cell(
    status: str,
    studies: int = 0,
    ongoing: int = 0,
    findings: int = 0,
    designs: dict[str, int] | None = None,
    directions: dict[str, int] | None = None,
    strongest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "status": status,
        "studyCount": studies,
        "ongoingStudyCount": ongoing,
        "findingCount": findings,
        "studiesByDesign": [{"design": d, "count": c} for d, c in (designs or {}).items()],
        "findingsByDirection": [
            {"direction": d, "count": c} for d, c in (directions or {}).items()
        ],
        "strongest": strongest,
    }


GAP = _cell("ABSOLUTE_GAP")


def _ne(*deciding: str) -> dict[str, Any]:
    """A rigorous evaluation found no benefit: an unrated QED with nothing recorded
    against it is appraised MODERATE (docs/evidence-rules.md, Appraisal)."""
    return {
        "eifValue": "NE",
        "titleIvE": "Does not currently meet criteria",
        "commonScale": 0,
        "mixed": False,
        "deciding": [{"id": d} for d in deciding],
    }


def _nl2(*deciding: str) -> dict[str, Any]:
    return {
        "eifValue": "NL2",
        "titleIvE": "Does not currently meet criteria",
        "commonScale": 1,
        "mixed": False,
        "deciding": [{"id": d} for d in deciding],
    }


async def test_gap_map_cells_are_exact_in_row_and_column_order(views: GraphQL) -> None:
    data = (await views(GAP_MAP, ids=IDS))["evidenceGapMap"]
    assert views.statements == 1
    assert [i["id"] for i in data["interventions"]] == IDS, "rows by name"
    columns = [f"{P}behaviour", f"{P}maltreatment", f"{P}safety"]
    assert [o["id"] for o in data["outcomes"]] == columns, "columns by domain, then name"
    assert data["domains"] == [
        {"domain": "CHILD_BEHAVIOUR", "outcomes": [{"id": f"{P}behaviour"}]},
        {"domain": "CHILD_SAFETY", "outcomes": [{"id": f"{P}maltreatment"}, {"id": f"{P}safety"}]},
    ]
    cells = {(c.pop("interventionId"), c.pop("outcomeId")): c for c in data["cells"]}
    assert list(cells) == [(i, o) for i in IDS for o in columns]
    expected = {
        (f"{P}hub", f"{P}behaviour"): GAP,
        (f"{P}hub", f"{P}maltreatment"): GAP,  # a finding on the broader outcome is not one on it
        (f"{P}hub", f"{P}safety"): _cell(
            "EVIDENCE", 1, 0, 1, {"EVIDENCE_REVIEW": 1}, {"NOT_REPORTED": 1}, _nl2()
        ),
        (f"{P}model", f"{P}behaviour"): GAP,
        (f"{P}model", f"{P}maltreatment"): _cell(
            "EVIDENCE", 1, 0, 1, {"QED": 1}, {"NO_EFFECT": 1}, _ne(f"{P}f-model")
        ),
        (f"{P}model", f"{P}safety"): _cell(
            "EVIDENCE",
            2,
            1,
            1,
            {"MIXED_METHODS": 1, "QED": 1},
            {"NO_EFFECT": 1},
            _ne(f"{P}f-model"),
        ),
        (f"{P}newcomer", f"{P}behaviour"): _cell("ONLY_ONGOING", 1, 1, 0, {"RCT": 1}),
        (f"{P}newcomer", f"{P}maltreatment"): GAP,
        (f"{P}newcomer", f"{P}safety"): GAP,
        (f"{P}programme", f"{P}behaviour"): _cell(
            "EVIDENCE",
            2,
            0,
            2,
            {"RCT": 2},
            {"FAVOURABLE": 2},
            {
                "eifValue": "4",
                "titleIvE": "Well-supported",
                "commonScale": 5,
                "mixed": False,
                "deciding": [{"id": f"{P}f-rct-2"}, {"id": f"{P}f-rct-1"}],
            },
        ),
        (f"{P}programme", f"{P}maltreatment"): GAP,
        (f"{P}programme", f"{P}safety"): GAP,
    }
    assert cells == expected


async def test_gap_map_filters_outcomes_by_domain_and_interventions_by_kind(views: GraphQL) -> None:
    data = await views(
        """{ evidenceGapMap(filter: {interventionKinds: [SYSTEM_ARRANGEMENT], outcomeDomains: [CHILD_SAFETY]}) {
              interventions { id } outcomes { id } cells { interventionId outcomeId status } } }"""
    )
    gap_map = data["evidenceGapMap"]
    assert [i["id"] for i in gap_map["interventions"]] == [f"{P}hub", f"{P}panel"]
    assert [o["id"] for o in gap_map["outcomes"]] == [f"{P}maltreatment", f"{P}safety"]
    assert [c["status"] for c in gap_map["cells"]] == [
        "ABSOLUTE_GAP",
        "EVIDENCE",
        "ABSOLUTE_GAP",
        "ABSOLUTE_GAP",
    ]


PRACTICE_GAP = """query ($ids: [ID!]) {
  practiceGap(interventionIds: $ids) {
    widelyUsedWeaklyEvidenced { interventionId }
    wellEvidencedRarelyUsed { interventionId }
    ranking {
      interventionId deliveringAgencies funders largestFundingTotal funding { currency amount }
      widelyUsed rarelyUsed category
      evidence { commonScale basis source rating { scheme value } }
    }
  }
}"""


async def test_practice_gap_ranks_use_against_evidence_with_the_numbers(views: GraphQL) -> None:
    gap = (await views(PRACTICE_GAP, ids=IDS))["practiceGap"]
    assert views.statements == 1
    assert [r["interventionId"] for r in gap["widelyUsedWeaklyEvidenced"]] == [
        f"{P}hub",
        f"{P}model",
    ]
    assert [r["interventionId"] for r in gap["wellEvidencedRarelyUsed"]] == [f"{P}programme"]
    ranking = {r.pop("interventionId"): r for r in gap["ranking"]}
    assert list(ranking) == [f"{P}hub", f"{P}model", f"{P}programme", f"{P}newcomer"]
    assert ranking[f"{P}hub"] == {
        "deliveringAgencies": 6,
        "funders": 0,
        "largestFundingTotal": 0.0,
        "funding": [],
        "widelyUsed": True,
        "rarelyUsed": False,
        "category": "WIDELY_USED_WEAKLY_EVIDENCED",
        "evidence": {
            "commonScale": 1,
            "basis": "FINDINGS",
            "rating": None,
            "source": "the service's judgement: EIF NL2, Title IV-E Does not currently "
            "meet criteria on Safety",
        },
    }
    model = ranking[f"{P}model"]
    assert (model["deliveringAgencies"], model["funding"]) == (
        2,
        [{"currency": "GBP", "amount": 2_000_000.0}],
    ), "an ended delivery does not count"
    assert model["category"] == "WIDELY_USED_WEAKLY_EVIDENCED"
    programme = ranking[f"{P}programme"]
    assert (programme["deliveringAgencies"], programme["evidence"]["commonScale"]) == (1, 5)
    assert programme["category"] == "WELL_EVIDENCED_RARELY_USED"
    newcomer = ranking[f"{P}newcomer"]
    assert newcomer["evidence"]["basis"] == "RATING"
    assert newcomer["evidence"]["rating"] == {"scheme": "CEBC", "value": "3"}
    assert (newcomer["evidence"]["commonScale"], newcomer["category"]) == (3, "IN_BETWEEN")


RECOMMEND = """query ($context: LocalContext!) {
  recommend(context: $context) {
    recommendations {
      rank interventionId evidenceLevel relatedOnly
      reasons { text steps { kind id } }
      cautions { code message }
    }
    excluded { interventionId reasons }
  }
}"""


async def test_recommend_ranks_excludes_and_cautions(views: GraphQL) -> None:
    context = {
        "outcomeIds": [f"{P}behaviour"],
        "areaType": "RURAL",
        "maxCostRating": 3,
        "minAge": 4,
        "maxAge": 6,
    }
    result = (await views(RECOMMEND, context=context))["recommend"]
    assert views.statements == 1
    ranked = result["recommendations"]
    assert [(r["rank"], r["interventionId"]) for r in ranked] == [
        (1, f"{P}programme"),
        (2, f"{P}newcomer"),
    ]
    assert result["excluded"] == [
        {"interventionId": f"{P}pricey", "reasons": ["cost rating 5 is above 3"]}
    ]
    top = ranked[0]
    assert top["evidenceLevel"] == 5
    assert [step["kind"] for step in top["reasons"][0]["steps"]] == [
        "FINDING",
        "STUDY",
        "COUNTRY",
        "OUTCOME",
    ]
    assert top["reasons"][0]["steps"][0]["id"] == f"{P}f-rct-2"
    assert "in US on Behaviour" in top["reasons"][0]["text"], "countries stored as ISO codes"
    assert {c["code"]: c["message"] for c in top["cautions"]} == {
        "NOT_UK_TESTED": "No completed UK evaluation is recorded.",
        "ONLY_TESTED_ELSEWHERE": "Only tested in urban areas.",
    }
    assert [c["code"] for c in ranked[1]["cautions"]] == [
        "NOT_UK_TESTED",
        "NO_EVALUATION",
        "COST_UNKNOWN",
        "AGE_RANGE_UNKNOWN",
    ]


async def test_recommend_uk_tested_only_excludes_untested_programmes(views: GraphQL) -> None:
    context = {"outcomeIds": [f"{P}behaviour"], "ukTestedOnly": True}
    result = (await views(RECOMMEND, context=context))["recommend"]
    assert [r["interventionId"] for r in result["recommendations"]] == [f"{P}pricey"]
    assert [e["interventionId"] for e in result["excluded"]] == [f"{P}newcomer", f"{P}programme"]


async def test_recommend_refuses_an_unknown_outcome(views: GraphQL) -> None:
    body = await views.raw(RECOMMEND, context={"outcomeIds": ["no-such-outcome"]})
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "context"}


async def test_co_participation_weights_agency_pairs_by_shared_arrangements(views: GraphQL) -> None:
    data = await views(
        "{ coParticipation { source { id } target { id } weight arrangements { id } } }"
    )
    assert views.statements == 1
    assert data["coParticipation"] == [
        {
            "source": {"id": f"{P}csc"},
            "target": {"id": f"{P}police"},
            "weight": 2,
            "arrangements": [{"id": f"{P}hub"}, {"id": f"{P}panel"}],
        },
        {
            "source": {"id": f"{P}health"},
            "target": {"id": f"{P}police"},
            "weight": 1,
            "arrangements": [{"id": f"{P}hub"}],
        },
        {
            "source": {"id": f"{P}csc"},
            "target": {"id": f"{P}health"},
            "weight": 1,
            "arrangements": [{"id": f"{P}hub"}],
        },
    ]


async def test_arrangement_shows_agencies_roles_outcomes_and_evidence(views: GraphQL) -> None:
    data = await views(
        """{ arrangement(interventionId: "gv-hub") {
              intervention { name } sectors
              participants { role agency { id sector } }
              outcomes { outcome { id } targeted evidence { status } }
            } }"""
    )
    hub = data["arrangement"]
    assert views.statements == 1
    assert hub["sectors"] == ["CHILDRENS_SOCIAL_CARE", "HEALTH", "POLICE"]
    assert hub["participants"] == [
        {"role": "shares records", "agency": {"id": f"{P}health", "sector": "HEALTH"}},
        {"role": "shares intelligence", "agency": {"id": f"{P}police", "sector": "POLICE"}},
        {"role": "decides", "agency": {"id": f"{P}csc", "sector": "CHILDRENS_SOCIAL_CARE"}},
    ]
    assert hub["outcomes"] == [
        {"outcome": {"id": f"{P}safety"}, "targeted": True, "evidence": {"status": "EVIDENCE"}}
    ]
    assert (await views('{ arrangement(interventionId: "nope") { sectors } }')) == {
        "arrangement": None
    }
