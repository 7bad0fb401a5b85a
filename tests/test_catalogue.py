"""The evidence rules on the starter catalogue, against a reviewer's expectations stated
before the rules ran (tests/catalogue_expectations.py). Both example files are loaded
into a store of this module's own, the way ``make serve`` loads them."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from service.graph_file_schema import graph_file_schema
from service.graph_load import CATALOGUE_DATA, EXAMPLE_FILES, load_example_data_if_empty
from service.migrations import apply_migrations
from service.plans import (
    evidence_facts,
    gap_map,
    intervention_evidence,
    practice_gap,
    ratings_overview,
)
from service.plans.lookup import node_by_id
from service.plans.recommend import recommend
from service.plans.selection import Selection
from service.rules import local_fit
from service.rules.judgement import judge_evidence
from service.rules.rating_scale import scale
from service.store import Store
from tests import catalogue_expectations as expected
from tests.conftest import own_store


@pytest.fixture(scope="module")
async def catalogue(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Store]:
    async with own_store(Path(tmp_path_factory.mktemp("catalogue")) / "store") as store:
        await apply_migrations(store)
        assert await load_example_data_if_empty(store, EXAMPLE_FILES) is not None
        yield store


@pytest.fixture(scope="module")
async def facts(catalogue: Store) -> evidence_facts.EvidenceFacts:
    return await evidence_facts.fetch(catalogue, with_areas=True)


def _intervention(facts: evidence_facts.EvidenceFacts, intervention_id: str) -> dict[str, Any]:
    found = [i for i in facts.interventions if i["id"] == intervention_id]
    assert found, f"{intervention_id} is in the catalogue"
    return found[0]


def _judgement(
    facts: evidence_facts.EvidenceFacts, intervention_id: str, outcome_id: str
) -> dict[str, Any]:
    outcome = facts.outcome(outcome_id)
    assert outcome is not None, f"{outcome_id} is in the catalogue"
    cell = gap_map.cell(_intervention(facts, intervention_id), outcome)
    assert cell["strongest"] is not None, f"{intervention_id} has findings on {outcome_id}"
    return dict(cell["strongest"])


async def _recommend(store: Store, context_name: str) -> dict[str, Any]:
    asked = expected.CONTEXTS[context_name]
    context = local_fit.Context(
        outcome_ids=tuple(asked["outcomes"]),
        min_age=asked.get("minAge"),
        max_age=asked.get("maxAge"),
        area_type=asked.get("areaType"),
    )
    return await recommend(store, context=context)


def _ranks(result: dict[str, Any]) -> dict[str, int]:
    return {r["intervention_id"]: r["rank"] for r in result["recommendations"]}


def test_the_catalogue_fits_the_published_file_format() -> None:
    document = json.loads(CATALOGUE_DATA.read_text(encoding="utf-8"))
    jsonschema.validate(document, graph_file_schema())
    programmes = [n for n in document["nodes"] if n["label"] == "Intervention"]
    assert len(programmes) >= 40


@pytest.mark.parametrize(("intervention", "outcome", "reason"), expected.EVIDENCE_BASED)
async def test_evidence_based(
    facts: evidence_facts.EvidenceFacts, intervention: str, outcome: str, reason: str
) -> None:
    judgement = _judgement(facts, intervention, outcome)
    favourable_rigorous = any(
        t["rigorous"] and t["direction"] == "FAVOURABLE" for t in judgement["deciding_trials"]
    )
    assert judgement["common_scale"] >= 3, reason
    assert judgement["direction"] == "FAVOURABLE" or (
        judgement["direction"] == "MIXED" and favourable_rigorous
    ), reason


@pytest.mark.parametrize(("intervention", "outcome", "reason"), expected.NOT_SHOWN_TO_WORK)
async def test_not_shown_to_work(
    facts: evidence_facts.EvidenceFacts, intervention: str, outcome: str, reason: str
) -> None:
    judgement = _judgement(facts, intervention, outcome)
    assert judgement["eif_level"] in {"NE", "NL2", "2"}, reason
    assert judgement["direction"] != "FAVOURABLE", reason


@pytest.mark.parametrize(("intervention", "reason"), expected.UK_TESTED)
async def test_uk_tested(
    facts: evidence_facts.EvidenceFacts, intervention: str, reason: str
) -> None:
    assert local_fit.uk_tested(_intervention(facts, intervention)), reason


@pytest.mark.parametrize(("intervention", "reason"), expected.NOT_UK_TESTED)
async def test_not_uk_tested(
    facts: evidence_facts.EvidenceFacts, intervention: str, reason: str
) -> None:
    assert not local_fit.uk_tested(_intervention(facts, intervention)), reason


@pytest.mark.parametrize(("intervention", "outcome", "reason"), expected.UNFAVOURABLE_FINDING)
async def test_a_harmful_finding_decides_and_is_cautioned(
    catalogue: Store,
    facts: evidence_facts.EvidenceFacts,
    intervention: str,
    outcome: str,
    reason: str,
) -> None:
    judgement = _judgement(facts, intervention, outcome)
    assert any(f["direction"] == "UNFAVOURABLE" for f in judgement["deciding_findings"]), reason
    assert any(c["code"] == "HARMFUL_TRIAL" for c in judgement["caveats"]), reason
    result = await recommend(catalogue, context=local_fit.Context(outcome_ids=(outcome,)))
    [entry] = [r for r in result["recommendations"] if r["intervention_id"] == intervention]
    assert "UNFAVOURABLE_FINDING" in {c["code"] for c in entry["cautions"]}, reason
    assert entry["has_harmful_trial"], reason


@pytest.mark.parametrize(("intervention", "reason"), expected.UK_TRIAL_CAVEAT)
async def test_a_null_uk_trial_is_never_hidden_behind_a_good_rating(
    catalogue: Store, intervention: str, reason: str
) -> None:
    gap = await practice_gap.practice_gap(catalogue, intervention_ids=[intervention])
    [row] = gap["ranking"]
    codes = {c["code"] for c in row["evidence"]["caveats"]}
    assert "UK_TRIAL_NOT_FAVOURABLE" in codes, reason
    page = await intervention_evidence.intervention_evidence(
        catalogue, intervention_id=intervention
    )
    assert page is not None
    assert "UK_TRIAL_NOT_FAVOURABLE" in {c["code"] for c in page["headline"]["caveats"]}, reason


@pytest.mark.parametrize(("rating", "kind", "reason"), expected.CAVEATED_RATINGS)
async def test_caveats_go_with_their_ratings(
    catalogue: Store, facts: evidence_facts.EvidenceFacts, rating: str, kind: str, reason: str
) -> None:
    selection = Selection({"caveats": Selection({"kind": Selection(), "text": Selection()})})
    node = await node_by_id(catalogue, label="Rating", node_id=rating, selection=selection)
    assert node is not None, rating
    assert kind in {c["kind"] for c in node["caveats"]}, reason
    # Wherever the rating itself is shown, in the views, its caveat is shown with it.
    shown = [
        c
        for i in facts.interventions
        for r in i["ratings"]
        if r["id"] == rating
        for c in r["caveats"]
    ]
    assert kind in {c["kind"] for c in shown}, reason
    [owner] = [i["id"] for i in facts.interventions if rating in {r["id"] for r in i["ratings"]}]
    overview = await ratings_overview.ratings_overview(
        catalogue,
        intervention_id=owner,
        selection=Selection({"current": Selection({"id": Selection()})}),
    )
    assert overview is not None
    if rating in {r["id"] for r in overview["current"]}:
        assert f"RATING_{kind}" in {c["code"] for c in overview["caveats"]}, reason


@pytest.mark.parametrize(("a", "b", "context", "reason"), expected.RANKS_ABOVE)
async def test_ranks_above(catalogue: Store, a: str, b: str, context: str, reason: str) -> None:
    ranks = _ranks(await _recommend(catalogue, context))
    assert a in ranks, f"{a} is listed: {reason}"
    if b in ranks:
        assert ranks[a] < ranks[b], reason


@pytest.mark.parametrize(("a", "b", "context", "reason"), expected.NEVER_ABOVE)
async def test_harm_never_ranks_above_no_harm(
    catalogue: Store, a: str, b: str, context: str, reason: str
) -> None:
    ranks = _ranks(await _recommend(catalogue, context))
    if a in ranks and b in ranks:
        assert ranks[a] > ranks[b], reason


@pytest.mark.parametrize(("intervention", "trials", "reason"), expected.TRIAL_COUNTS)
async def test_trials_not_publications(
    facts: evidence_facts.EvidenceFacts, intervention: str, trials: int, reason: str
) -> None:
    findings = _intervention(facts, intervention)["findings"]
    assert judge_evidence(findings)["trial_count"] == trials, reason


@pytest.mark.parametrize(("rating", "precision", "reason"), expected.RATING_DATE_PRECISION)
async def test_rating_dates_keep_their_precision(
    catalogue: Store, rating: str, precision: str, reason: str
) -> None:
    selection = Selection({"rated_on_precision": Selection()})
    node = await node_by_id(catalogue, label="Rating", node_id=rating, selection=selection)
    assert node is not None and node["rated_on_precision"] == precision, reason


@pytest.mark.parametrize(("higher", "lower", "reason"), expected.SCHEME_ORDER)
async def test_scheme_values_order_on_the_common_scale(
    catalogue: Store, higher: str, lower: str, reason: str
) -> None:
    levels = []
    for rating_id in (higher, lower):
        selection = Selection({"scheme": Selection(), "value": Selection()})
        node = await node_by_id(catalogue, label="Rating", node_id=rating_id, selection=selection)
        assert node is not None, rating_id
        level = scale(node["scheme"], node["value"]).level
        assert level is not None, f"{node['scheme']} {node['value']!r} is on the common scale"
        levels.append(level)
    assert levels[0] > levels[1], reason


async def test_entry_to_care_for_children_3_to_6_in_a_rural_county(catalogue: Store) -> None:
    """The commissioner's question: a ranked answer, each item explained by its trials,
    ratings, caveats and fit, its score broken into parts that add up."""
    result = await _recommend(catalogue, "entry-to-care-3-6-rural")
    ranked = result["recommendations"]
    assert ranked[0]["intervention_id"] == "family-group-conferencing"
    top = ranked[0]
    assert [t["country"] for t in top["judgement"]["deciding_trials"]] == ["GB"]
    parts = {p["name"]: p for p in top["score"]["parts"]}
    assert list(parts) == ["STRENGTH", "DIRECTION", "HARM", "RATINGS", "UK", "FIT"]
    assert top["score"]["total"] == sum(p["points"] for p in parts.values())
    assert parts["UK"]["points"] > 0 and parts["HARM"]["points"] == 0
    assert any(
        "ages" in reason or "no age range" in reason for reason in parts["FIT"]["reasons"]
    ), "the fit says what it knows of the ages"
    assert any(
        "ISRCTN" in t["name"] or t["design"] == "RCT" for t in top["judgement"]["deciding_trials"]
    )
    # Harm first: everything with a harmful trial comes after everything without.
    harms = [r["has_harmful_trial"] for r in ranked]
    assert harms == sorted(harms)
    # Ranks follow the evidence, never the alphabet: equal entries share a rank.
    for earlier, later in itertools.pairwise(ranked):
        assert earlier["rank"] <= later["rank"]
        if earlier["rank"] == later["rank"]:
            assert earlier["score"]["total"] == later["score"]["total"]
    # An unknown age range never scores a better fit than a known, matching one.
    age_points: dict[bool, set[int]] = {True: set(), False: set()}
    for entry in ranked:
        [fit] = [p for p in entry["score"]["parts"] if p["name"] == "FIT"]
        for reason in fit["reasons"]:
            points, _, why = reason.partition(": ")
            if why.startswith("ages ") or why == "no age range recorded":
                age_points[why == "no age range recorded"].add(int(points))
    assert age_points[True] and age_points[False], "both kinds are in the answer"
    assert max(age_points[True]) < min(age_points[False])


async def _rating(store: Store, rating_id: str, *fields: str) -> dict[str, Any]:
    selection = Selection({name: Selection() for name in fields})
    node = await node_by_id(store, label="Rating", node_id=rating_id, selection=selection)
    assert node is not None, f"{rating_id} is in the catalogue"
    return node


async def _current_rating_of(store: Store, intervention: str, scheme: str) -> list[str]:
    overview = await ratings_overview.ratings_overview(
        store,
        intervention_id=intervention,
        selection=Selection({"current": Selection({"id": Selection(), "scheme": Selection()})}),
    )
    assert overview is not None, intervention
    return [r["id"] for r in overview["current"] if r["scheme"] == scheme]


@pytest.mark.parametrize(
    ("intervention", "scheme", "rating", "reason"),
    expected.CURRENT_RATING + expected.CURRENT_RATING_AS_OF,
)
async def test_the_latest_rating_of_a_scheme_is_the_current_one(
    catalogue: Store, intervention: str, scheme: str, rating: str, reason: str
) -> None:
    assert await _current_rating_of(catalogue, intervention, scheme) == [rating], reason


@pytest.mark.parametrize(("rating", "day", "reason"), expected.AS_OF_RATINGS)
async def test_an_undated_rating_is_recorded_as_of_the_day_its_page_was_read(
    catalogue: Store, rating: str, day: str, reason: str
) -> None:
    node = await _rating(catalogue, rating, "rated_on", "rated_on_precision", "source")
    assert (str(node["rated_on"]), node["rated_on_precision"]) == (day, "AS_OF"), reason
    assert node["source"], "the page it was read on is cited"


async def _disagreement_everywhere(store: Store, intervention: str) -> dict[str, bool]:
    """Whether SCHEMES_DISAGREE shows in each view that shows the intervention's ratings."""
    overview = await ratings_overview.ratings_overview(
        store, intervention_id=intervention, selection=Selection({"current": Selection()})
    )
    gap = await practice_gap.practice_gap(store, intervention_ids=[intervention])
    page = await intervention_evidence.intervention_evidence(store, intervention_id=intervention)
    assert overview is not None and page is not None
    [row] = gap["ranking"]
    code = "SCHEMES_DISAGREE"
    return {
        "interventionRatings": code in {c["code"] for c in overview["caveats"]},
        "practiceGap": code in {c["code"] for c in row["evidence"]["caveats"]},
        "interventionEvidence": code in {c["code"] for c in page["rating_caveats"]},
    }


@pytest.mark.parametrize(("intervention", "reason"), expected.SCHEMES_DISAGREE)
async def test_disagreeing_clearinghouses_are_shown_wherever_ratings_are(
    catalogue: Store, intervention: str, reason: str
) -> None:
    shown = await _disagreement_everywhere(catalogue, intervention)
    assert shown == dict.fromkeys(shown, True), reason


@pytest.mark.parametrize(("intervention", "reason"), expected.SCHEMES_AGREE)
async def test_agreeing_clearinghouses_raise_no_disagreement(
    catalogue: Store, intervention: str, reason: str
) -> None:
    shown = await _disagreement_everywhere(catalogue, intervention)
    assert shown == dict.fromkeys(shown, False), reason


@pytest.mark.parametrize(
    ("intervention", "outcome", "reason"), expected.JUDGEMENT_SEES_DISAGREEMENT
)
async def test_the_judgement_carries_the_disagreement_beside_its_level(
    facts: evidence_facts.EvidenceFacts, intervention: str, outcome: str, reason: str
) -> None:
    judgement = _judgement(facts, intervention, outcome)
    assert "SCHEMES_DISAGREE" in {c["code"] for c in judgement["caveats"]}, reason


@pytest.mark.parametrize(
    ("intervention", "context", "reason"), expected.RATINGS_PART_SEES_DISAGREEMENT
)
async def test_the_ranking_weighs_disagreeing_ratings(
    catalogue: Store, intervention: str, context: str, reason: str
) -> None:
    result = await _recommend(catalogue, context)
    [entry] = [r for r in result["recommendations"] if r["intervention_id"] == intervention]
    [part] = [p for p in entry["score"]["parts"] if p["name"] == "RATINGS"]
    assert any("disagree" in why for why in part["reasons"]), reason
    assert "SCHEMES_DISAGREE" in {c["code"] for c in entry["rating_caveats"]}, reason


@pytest.mark.parametrize(("higher", "lower", "reason"), expected.COMMON_SCALE_ORDER)
async def test_new_ratings_order_on_the_common_scale(
    catalogue: Store, higher: str, lower: str, reason: str
) -> None:
    levels = []
    for rating_id in (higher, lower):
        node = await _rating(catalogue, rating_id, "scheme", "value")
        level = scale(node["scheme"], node["value"]).level
        assert level is not None, f"{node['scheme']} {node['value']!r} is on the common scale"
        levels.append(level)
    assert levels[0] > levels[1], reason


@pytest.mark.parametrize(("a", "b", "context", "reason"), expected.RANKS_ABOVE_WITH_MORE_RATINGS)
async def test_ratings_do_not_outrank_trials(
    catalogue: Store, a: str, b: str, context: str, reason: str
) -> None:
    ranks = _ranks(await _recommend(catalogue, context))
    assert a in ranks, f"{a} is listed: {reason}"
    if b in ranks:
        assert ranks[a] < ranks[b], reason


@pytest.mark.parametrize(("intervention", "context", "reason"), expected.EXCLUDED)
async def test_a_programme_for_other_ages_is_excluded_not_ranked(
    catalogue: Store, intervention: str, context: str, reason: str
) -> None:
    result = await _recommend(catalogue, context)
    assert intervention not in _ranks(result), reason
    assert intervention in {e["intervention_id"] for e in result["excluded"]}, reason


@pytest.mark.parametrize(("intervention", "context", "counted", "reason"), expected.RATING_SCOPE)
async def test_a_rating_counts_for_the_outcomes_it_covers(
    catalogue: Store, intervention: str, context: str, counted: bool, reason: str
) -> None:
    result = await _recommend(catalogue, context)
    [entry] = [r for r in result["recommendations"] if r["intervention_id"] == intervention]
    [part] = [p for p in entry["score"]["parts"] if p["name"] == "RATINGS"]
    assert (part["points"] > 0) is counted, (reason, part)
