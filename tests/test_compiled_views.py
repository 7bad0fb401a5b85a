"""The whole-graph views on the compiled path answer byte for byte as the general executor.

evidenceGapMap, practiceGap and recommend are shaped by schema/compiled_views.py from
the plans' maps (the gap map's cells by the plan, remembered per snapshot); the same
documents run through graphql-core must give the same JSON, errors included.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi import FastAPI

from service.plans import evidence_index, gap_map
from tests.test_compiled import _both

_JUDGEMENT = """eifLevel eifValue mixed titleIvE commonScale commonScaleLabel direction reasons
    trialCount consistency { label trials rigorousTrials favourableTrials nullTrials
      harmfulTrials independentTrials ukTrials ukFavourableTrials shareFavourable }
    decidingFindings { id measure direction significant followUpMonths summary outcomeIds
      study { id year design designRating status independent } }
    decidingTrials { id name design uk rigorous designRating appraisalBasis
      missingAttributes direction harmful longestFollowUpMonths publicationIds }"""

DOCUMENTS = {
    "the benchmark's sparse map": """{ evidenceGapMap(filter: {absoluteGaps: false}) {
        cells { interventionId outcomeId status studyCount findingCount
          findingsByDirection { direction count } } } }""",
    "every field, aliases, typename and fragments": """query Map {
        map: evidenceGapMap { __typename
          rows: interventions { __typename id name kind }
          outcomes { ...Column }
          domains { domain outcomes { ...Column } }
          cells { __typename ...Counts on: outcomeId status
            ... on GapMapCell { studiesByDesign { design count } }
            strongest { __typename eifValue reasons caveats { code } } } } }
        fragment Column on GapMapOutcome { id name domain partOfId }
        fragment Counts on GapMapCell { interventionId studyCount ongoingStudyCount
          findingCount findingsByDirection { direction n: count } }""",
    "the strongest evidence in full": f"""{{ evidenceGapMap(filter: {{absoluteGaps: false}}) {{
        cells {{ strongest {{ {_JUDGEMENT} caveats {{ code text }} }} }} }} }}""",
    "filters as variables": """query ($kinds: [InterventionKind!], $domains: [OutcomeDomain!],
          $gaps: Boolean!) {
        evidenceGapMap(filter: {interventionKinds: $kinds, outcomeDomains: $domains,
            absoluteGaps: $gaps}) {
          interventions { id } cells { interventionId outcomeId status
            strongest { eifValue caveats { code } } } } }""",
    "rows by id, read by their own statement": """{ evidenceGapMap(filter: {
          interventionIds: ["mash", "incredible-years"],
          outcomeIds: ["outcome-child-maltreatment", "outcome-child-conduct-problems"]}) {
        outcomes { id } cells { interventionId outcomeId status studyCount
          strongest { eifLevel decidingFindings { id } } } } }""",
    "the practice gap": """query ($kinds: [InterventionKind!]) {
        practiceGap(interventionKinds: $kinds) { __typename
          widelyUsedWeaklyEvidenced { interventionId }
          ranking { interventionId name kind deliveringAgencies deliveringAgencyNames funders
            funding { currency amount } largestFundingTotal widelyUsed rarelyUsed category
            evidence { commonScale commonScaleLabel basis source viaVariant { id name kind }
              outcome { id name } rating { id scheme value topic } caveats { code text }
              judgement { eifValue trialCount } } }
          thresholds { widelyUsedMinAgencies widelyFundedMinAmount rarelyUsedMaxAgencies
            wellEvidencedMin weaklyEvidencedMax } } }""",
    "recommend": """query ($context: LocalContext!) { recommend(context: $context) {
        __typename recommendations { __typename ...Recommended }
        excluded { interventionId reasons } } }
        fragment Recommended on Recommendation { interventionId name rank costRating minAge
          maxAge score { total parts { name points reasons } } hasHarmfulTrial
          ratingCaveats { code text } evidenceLevel judgement { eifValue trialCount }
          relatedOnly favourableFindings similarAreaDeliveries
          reasons { text steps { kind id name } } cautions { code message } }""",
    "a network's keys and names": """query ($id: ID!) { network(interventionId: $id) {
        __typename nodes { key id label name } edges { type source target } } }""",
    "networks under aliases, one of an unknown id": """{
        mash: network(interventionId: "mash") { n: nodes { ...Item } edges { __typename type } }
        none: network(interventionId: "no-such-intervention") { nodes { key } } }
        fragment Item on NetworkNode { __typename key name }""",
    "views beside lookups and lists": """{ practiceGap { ranking { interventionId } }
        evidenceGapMap(filter: {absoluteGaps: false}) { cells { outcomeId } }
        intervention(id: "mash") { name } interventions(first: 2) { totalCount } }""",
}
VARIABLES: dict[str, dict[str, Any]] = {
    "filters as variables": {
        "kinds": ["PROGRAMME", "SYSTEM_ARRANGEMENT"],
        "domains": ["CHILD_SAFETY", "CHILD_BEHAVIOUR"],
        "gaps": True,
    },
    "the practice gap": {"kinds": None},
    "recommend": {"context": {"outcomeIds": ["outcome-child-behaviour"], "maxCostRating": 4}},
    "a network's keys and names": {"id": "mash"},
}


def _json(answer: dict[str, Any] | None) -> bytes:
    return orjson.dumps(answer)


@pytest.mark.parametrize("name", DOCUMENTS)
async def test_a_view_on_the_compiled_path_answers_as_the_general_executor(
    app: FastAPI, name: str
) -> None:
    general, compiled = await _both(app, DOCUMENTS[name], VARIABLES.get(name))
    assert not general["errors"]
    assert compiled is not None, "this document compiles"
    assert _json(compiled) == _json(general)
    # Again: the gap map's cells now come from what the snapshot remembered.
    _, again = await _both(app, DOCUMENTS[name], VARIABLES.get(name))
    assert _json(again) == _json(general)


async def test_the_maps_hold_cells_with_evidence(app: FastAPI) -> None:
    """The comparisons above compare something: the sparse map is not empty."""
    general, _ = await _both(app, DOCUMENTS["the benchmark's sparse map"])
    cells = general["data"]["evidenceGapMap"]["cells"]
    assert any(c["status"] == "EVIDENCE" and c["findingCount"] > 0 for c in cells)


async def test_the_networks_compared_are_not_empty(app: FastAPI) -> None:
    general, _ = await _both(app, DOCUMENTS["networks under aliases, one of an unknown id"])
    assert len(general["data"]["mash"]["n"]) > 3 and general["data"]["mash"]["edges"]
    assert general["data"]["none"] is None


async def test_a_network_with_properties_is_left_to_the_general_executor(app: FastAPI) -> None:
    """Properties are a JSON scalar the shapers do not serialise: graphql-core answers, and
    the plan reads them."""
    query = '{ network(interventionId: "mash") { nodes { key properties } } }'
    general, compiled = await _both(app, query)
    assert compiled is None
    assert any(node["properties"] for node in general["data"]["network"]["nodes"])


async def test_a_refused_argument_gives_the_same_error_on_both_paths(app: FastAPI) -> None:
    variables = {"context": {"outcomeIds": ["no-such-outcome"]}}
    general, compiled = await _both(app, DOCUMENTS["recommend"], variables)
    assert compiled is not None
    assert general["data"] is None and general["errors"][0]["path"] == ["recommend"]
    assert _json(compiled) == _json(general)


async def test_cells_under_two_names_are_left_to_the_general_executor(app: FastAPI) -> None:
    query = "{ evidenceGapMap { a: cells { status } b: cells { outcomeId } } }"
    general, compiled = await _both(app, query)
    assert compiled is None
    assert general["data"]["evidenceGapMap"]["a"]


async def test_differently_shaped_maps_keep_a_bounded_number_of_shaped_copies(
    app: FastAPI,
) -> None:
    """Each document selecting the cells its own way gets its own shaped cells; the
    snapshot keeps only the latest few per intervention, and answers stay exact."""
    fields = ["outcomeId", "status", "studyCount", "findingCount", "interventionId", "__typename"]
    queries = [
        "{ evidenceGapMap(filter: {absoluteGaps: false}) { cells { "
        + " ".join(fields[: n + 1])
        + " } } }"
        for n in range(gap_map.SHAPED_KEPT + 2)
    ]
    for query in [*queries, queries[0]]:
        general, compiled = await _both(app, query)
        assert compiled is not None and not general["errors"]
        assert _json(compiled) == _json(general)
    snapshot = await evidence_index.current(app.state.runtime.store)
    copies = [len(snapshot.memo(i["id"]).get("shaped_cells", {})) for i in snapshot.interventions]
    assert max(copies) >= 1, "the compiled maps shaped cells from the snapshot"
    assert max(copies) <= gap_map.SHAPED_KEPT
