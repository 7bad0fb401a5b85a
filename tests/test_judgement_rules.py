"""Appraisal, trials, the one judgement and the ranking score, on small made-up cases."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from service.rules import ranking
from service.rules.appraisal import StudyAttributes, appraise
from service.rules.evidence import FindingFacts, judge
from service.rules.judgement import judge_evidence
from service.rules.rating_scale import CommonLevel, scale
from tests.test_evidence_rules import trial


def test_a_recorded_design_rating_wins_over_the_attributes() -> None:
    recorded = appraise(StudyAttributes(design="RCT", design_rating="LOW", sample_size=900))
    assert (recorded.rating, recorded.basis) == ("LOW", "RECORDED")


@pytest.mark.parametrize(
    ("attributes", "rating"),
    [
        (
            dict(
                design="RCT",
                sample_size=300,
                attrition_percent=10,
                differential_attrition_percent=2,
                comparison="SERVICES_AS_USUAL",
            ),
            "HIGH",
        ),
        (
            dict(
                design="RCT",
                sample_size=300,
                attrition_percent=40,
                differential_attrition_percent=9,
                comparison="WAITLIST",
            ),
            "MODERATE",
        ),
        (dict(design="RCT", sample_size=300), "MODERATE"),
        (dict(design="RCT", sample_size=30), "LOW"),
        (
            dict(
                design="QED",
                sample_size=500,
                attrition_percent=1,
                differential_attrition_percent=0,
                comparison="NO_TREATMENT",
            ),
            "MODERATE",
        ),
        (dict(design="QED", comparison="NONE"), "LOW"),
        (dict(design="PRE_POST", sample_size=5000), "LOW"),
    ],
)
def test_appraisal_from_recorded_attributes(attributes: dict[str, Any], rating: str) -> None:
    appraisal = appraise(StudyAttributes(**attributes))
    assert (appraisal.rating, appraisal.basis) == (rating, "APPRAISED")


def test_the_appraisal_names_what_was_not_recorded() -> None:
    appraisal = appraise(StudyAttributes(design="RCT", sample_size=120, independent=True))
    assert appraisal.missing == (
        "attritionPercent",
        "differentialAttritionPercent",
        "comparison",
        "followUpMonths",
    )


def _finding(finding_id: str, **facts: object) -> FindingFacts:
    """The rigorous favourable RCT of the older rules' tests, its country as an ISO code."""
    return trial(finding_id, **{"country": "US", **facts})


def test_two_publications_of_one_trial_count_once_and_the_follow_up_adds_to_it() -> None:
    main = _finding("main", trial_id="trial-1")
    follow_up = _finding("later", study_id="study-later", trial_id="trial-1", follow_up_months=24)
    judgement = judge([main, follow_up])
    assert judgement.eif_value == "3+", "one trial, lasting: not two trials"
    assert judgement.title_iv_e == "Supported"
    separate = judge([main, replace(follow_up, trial_id=None)])
    assert separate.eif_value == "4", "two samples with one lasting effect"


def test_a_harmful_finding_is_among_the_deciding_ones_at_every_level() -> None:
    preliminary = _finding("good", design_rating="LOW")
    harmful = _finding("harm", design_rating="LOW", direction="UNFAVOURABLE")
    judgement = judge([preliminary, harmful])
    assert judgement.eif_level == "2"
    assert "harm" in judgement.deciding
    nothing = judge(
        [_finding("harm", design="PRE_POST", design_rating=None, direction="UNFAVOURABLE")]
    )
    assert (nothing.eif_level, nothing.deciding) == ("NL2", ("harm",))


def _plain(finding: FindingFacts, country: str = "US", trial: str | None = None) -> dict[str, Any]:
    return {
        "id": finding.finding_id,
        "measure": finding.finding_id,
        "direction": finding.direction,
        "significant": finding.significant,
        "pValue": None,
        "followUpMonths": finding.follow_up_months,
        "summary": None,
        "outcomes": ["o"],
        "study": {
            "id": finding.study_id,
            "title": f"Study {finding.study_id}",
            "year": 2020,
            "design": finding.design,
            "designRating": finding.design_rating,
            "status": "COMPLETED",
            "country": country,
            "independent": True,
            "sampleSize": 200,
            "trial": {"id": trial, "name": f"Trial {trial}", "country": country} if trial else None,
        },
    }


def test_the_judgement_carries_trials_consistency_and_caveats() -> None:
    us = _plain(_finding("us"), "US")
    uk = _plain(_finding("uk", significant=False, direction="NO_EFFECT"), "GB")
    rating = {
        "id": "r",
        "scheme": "EIF",
        "value": "4+",
        "topic": None,
        "ratedOn": "2020-01-01",
        "caveats": [{"kind": "DISPUTED", "text": "Publicly disputed."}],
    }
    judgement = judge_evidence([us, uk], ratings=[rating])
    assert judgement["direction"] == "MIXED"
    assert judgement["consistency"]["label"] == "INCONSISTENT"
    assert (
        judgement["consistency"]["uk_trials"],
        judgement["consistency"]["uk_favourable_trials"],
    ) == (1, 0)
    codes = [c["code"] for c in judgement["caveats"]]
    for code in ("NULL_TRIAL", "MIXED_EVIDENCE", "UK_TRIAL_NOT_FAVOURABLE", "RATING_DISPUTED"):
        assert code in codes, code
    assert [t["id"] for t in judgement["deciding_trials"]] == ["study-uk", "study-us"]


def _entry(
    name: str, total: int, *, harmful: bool = False, evidence: tuple[int, int, int] = (1, 1, 1)
) -> dict[str, Any]:
    return {
        "name": name,
        "score": {"total": total},
        "has_harmful_trial": harmful,
        "evidence_tiebreak": evidence,
    }


def test_harm_ranks_below_everything_without_it_and_names_never_break_ties() -> None:
    entries = [_entry("a", 90, harmful=True), _entry("z", 10), _entry("m", 10, evidence=(2, 1, 1))]
    ordered = sorted(entries, key=ranking.order_key)
    assert [e["name"] for e in ordered] == ["m", "z", "a"]
    assert ranking.order_key(_entry("b", 5)) == ranking.order_key(_entry("y", 5)), "a tie"


def test_an_unknown_age_range_is_never_a_better_fit_than_a_known_one() -> None:
    class Asked:
        min_age, max_age, level_of_need, area_type, max_cost_rating, agency_sectors = (
            3,
            6,
            None,
            None,
            None,
            (),
        )

    def fit(low: int | None, high: int | None) -> int:
        intervention = {
            "minAge": low,
            "maxAge": high,
            "levelOfNeed": None,
            "costRating": None,
            "participants": [],
        }
        return ranking.fit(
            ranking.fit_items(intervention, Asked, tested_areas=set(), used_areas=set())
        ).points

    assert fit(None, None) < fit(2, 7)


@pytest.mark.parametrize(
    ("scheme", "value", "level"),
    [
        ("CRIMESOLUTIONS", "Effective - More than one study", CommonLevel.SUPPORTED),
        ("CRIMESOLUTIONS", "Effective - One study", CommonLevel.PROMISING),
        ("CRIMESOLUTIONS", "Promising", CommonLevel.PRELIMINARY),
        ("CRIMESOLUTIONS", "No Effects - One study", CommonLevel.NOT_EFFECTIVE),
        ("HOMVEE", "Meets HHS criteria", CommonLevel.SUPPORTED),
        ("HOMVEE", "Does not meet HHS criteria", CommonLevel.NOT_SHOWN),
    ],
)
def test_more_schemes_on_the_common_scale(scheme: str, value: str, level: CommonLevel) -> None:
    assert scale(scheme, value).level == level


def _scoped(scheme: str, value: str, outcomes: list[str]) -> dict[str, Any]:
    return {
        "id": f"{scheme}-{value}",
        "scheme": scheme,
        "value": value,
        "topic": None,
        "ratedOn": "2019-01-01",
        "caveats": [],
        "outcomes": outcomes,
    }


def test_a_rating_scoped_to_another_outcome_does_not_lift_the_score() -> None:
    on_reunification = _scoped("WWCSC", "Consistently positive; High Strength", ["reunify"])
    whole_programme = _scoped("EIF", "3", [])
    asked = frozenset({"entry-to-care", "social-care-involvement"})
    scoped_only = ranking.ratings([on_reunification], covered_outcomes=asked)
    assert scoped_only.points == 0
    assert any("scoped to other outcomes" in why for why in scoped_only.reasons)
    both = ranking.ratings([on_reunification, whole_programme], covered_outcomes=asked)
    assert both.points == ranking.ratings([whole_programme]).points == 3
    # Asked about the outcome it covers, it counts (common level 4: +6).
    assert ranking.ratings([on_reunification], covered_outcomes=frozenset({"reunify"})).points == 6
