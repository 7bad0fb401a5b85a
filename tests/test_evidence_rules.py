"""The evidence rules, scheme by scheme, on the cases the published definitions describe."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from service.rules.evidence import FindingFacts, judge
from service.rules.rating_scale import CommonLevel, scale, summarise


def trial(finding_id: str, **facts: object) -> FindingFacts:
    """A completed, rigorous (HIGH-rated) RCT with a significant favourable finding."""
    base = FindingFacts(
        finding_id=finding_id,
        study_id=f"study-{finding_id}",
        design="RCT",
        design_rating="HIGH",
        status="COMPLETED",
        direction="FAVOURABLE",
        significant=True,
        independent=True,
        follow_up_months=3,
        country="United States",
    )
    return replace(base, **facts)  # type: ignore[arg-type]


def test_a_single_favourable_rct_is_eif_level_3_and_title_iv_e_promising() -> None:
    judgement = judge([trial("a")])
    assert (judgement.eif_value, judgement.title_iv_e) == ("3", "Promising")
    assert judgement.common_level == CommonLevel.PROMISING
    assert judgement.deciding == ("a",)
    assert judgement.direction == "FAVOURABLE"


def test_a_single_rct_sustained_six_months_is_title_iv_e_supported_and_eif_still_3() -> None:
    judgement = judge([trial("a", follow_up_months=6)])
    assert (judgement.eif_value, judgement.title_iv_e) == ("3", "Supported")


def test_two_independent_trials_with_12_month_follow_up_are_level_4_and_well_supported() -> None:
    judgement = judge([trial("a", follow_up_months=12), trial("b", follow_up_months=12)])
    assert (judgement.eif_value, judgement.title_iv_e) == ("4", "Well-supported")
    assert judgement.common_level == CommonLevel.WELL_SUPPORTED
    assert judgement.deciding == ("a", "b")


def test_two_findings_of_one_trial_are_not_two_trials() -> None:
    """Title IV-E asks for non-overlapping samples; EIF for multiple evaluations."""
    one_study = [
        trial("a", follow_up_months=12),
        trial("b", study_id="study-a", follow_up_months=12),
    ]
    judgement = judge(one_study)
    assert (judgement.eif_value, judgement.title_iv_e) == ("3+", "Supported")


def test_favourable_us_trial_with_null_uk_replication_is_mixed_not_averaged() -> None:
    us = trial("us", follow_up_months=12)
    uk = trial("uk", direction="NO_EFFECT", significant=False, country="United Kingdom")
    judgement = judge([us, uk])
    assert judgement.eif_value == "3+*", "the best evidence with the mixed-evidence asterisk"
    assert judgement.mixed is True
    assert judgement.direction == "MIXED"
    assert judgement.title_iv_e == "Supported"
    assert judgement.deciding == ("us", "uk"), "both halves of the mixed evidence are shown"


def test_an_unfavourable_rigorous_finding_is_found_not_effective() -> None:
    judgement = judge([trial("harm", direction="UNFAVOURABLE")])
    assert (judgement.eif_value, judgement.title_iv_e) == ("NE", "Does not currently meet criteria")
    assert judgement.common_level == CommonLevel.NOT_EFFECTIVE
    assert judgement.deciding == ("harm",)
    assert "at least one unfavourable finding" in judgement.reasons


def test_an_rct_without_a_design_rating_is_appraised_from_its_attributes() -> None:
    judgement = judge([trial("a", design_rating=None, sample_size=120)])
    assert (judgement.eif_value, judgement.title_iv_e) == ("3", "Promising")
    assert any("appraised MODERATE" in reason for reason in judgement.reasons)
    small = judge([trial("a", design_rating=None, sample_size=24)])
    assert (small.eif_value, small.title_iv_e) == ("2", "Does not currently meet criteria")


def test_a_low_rated_trial_is_preliminary_and_a_rigorous_null_one_not_effective() -> None:
    assert judge([trial("a", design_rating="LOW")]).eif_value == "2"
    assert judge([trial("a", design_rating="LOW", significant=False)]).eif_value == "NL2"
    assert judge([trial("a", significant=False)]).eif_value == "NE", "rigorous, no benefit"


def test_ongoing_studies_and_reviews_do_not_decide_the_level() -> None:
    review = trial("r", design="EVIDENCE_REVIEW", design_rating=None)
    ongoing = trial("o", status="ONGOING")
    judgement = judge([review, ongoing])
    assert judgement.eif_value == "NL2"
    assert judgement.deciding == ()
    assert "1 review finding(s) shown as context, not counted" in judgement.reasons


def test_no_findings_is_not_level_2() -> None:
    judgement = judge([])
    assert (judgement.eif_value, judgement.common_level) == ("NL2", CommonLevel.NOT_SHOWN)
    assert judgement.direction == "NONE"


@pytest.mark.parametrize(
    ("scheme", "value", "level", "mixed"),
    [
        ("EIF", "4+", CommonLevel.WELL_SUPPORTED, False),
        ("EIF", "4", CommonLevel.WELL_SUPPORTED, False),
        ("EIF", "3+", CommonLevel.SUPPORTED, False),
        ("EIF", "3*", CommonLevel.PROMISING, True),
        ("EIF", "2+", CommonLevel.PRELIMINARY, False),
        ("EIF", "NL2", CommonLevel.NOT_SHOWN, False),
        ("EIF", "NE", CommonLevel.NOT_EFFECTIVE, False),
        ("TITLE_IV_E", "Well-supported", CommonLevel.WELL_SUPPORTED, False),
        ("TITLE_IV_E", "Supported", CommonLevel.SUPPORTED, False),
        ("TITLE_IV_E", "Promising", CommonLevel.PROMISING, False),
        ("TITLE_IV_E", "Does not currently meet criteria", CommonLevel.NOT_SHOWN, False),
        ("CEBC", "1 - Well-Supported by Research Evidence", CommonLevel.WELL_SUPPORTED, False),
        ("CEBC", "2", CommonLevel.SUPPORTED, False),
        ("CEBC", "3", CommonLevel.PROMISING, False),
        ("CEBC", "4", CommonLevel.NOT_EFFECTIVE, False),
        ("CEBC", "5", CommonLevel.NOT_EFFECTIVE, False),
        ("CEBC", "NR", CommonLevel.NOT_SHOWN, False),
        ("BLUEPRINTS", "Model Plus", CommonLevel.WELL_SUPPORTED, False),
        ("BLUEPRINTS", "Model", CommonLevel.WELL_SUPPORTED, False),
        ("BLUEPRINTS", "Promising", CommonLevel.PROMISING, False),
        ("WWCSC", "Positive; strength 4", CommonLevel.SUPPORTED, False),
        ("WWCSC", "Positive; strength 2", CommonLevel.PRELIMINARY, False),
        ("WWCSC", "Mixed; strength 3", CommonLevel.PRELIMINARY, True),
        ("WWCSC", "No effect; strength 3", CommonLevel.NOT_EFFECTIVE, False),
        ("WWCSC", "Negative; strength 1", CommonLevel.NOT_EFFECTIVE, False),
        # The Evidence Store's published wording (effect; strength of evidence).
        ("WWCSC", "Consistently positive; High Strength", CommonLevel.SUPPORTED, False),
        ("WWCSC", "Consistently positive; Moderate Strength", CommonLevel.PROMISING, False),
        ("WWCSC", "Consistently positive; Very low Strength", CommonLevel.PRELIMINARY, False),
        ("WWCSC", "Tends to positive; High Strength", CommonLevel.PROMISING, False),
        ("WWCSC", "Tends to positive; Moderate Strength", CommonLevel.PRELIMINARY, False),
        ("WWCSC", "Mixed or no effect; High Strength", CommonLevel.NOT_SHOWN, False),
        ("WWCSC", "Negative effect; Low Strength", CommonLevel.NOT_EFFECTIVE, False),
        ("WWCSC", "Overall positive effect; high strength evidence", CommonLevel.SUPPORTED, False),
        ("WWCSC", "No evidence of effect; Moderate Strength", CommonLevel.NOT_SHOWN, False),
    ],
)
def test_each_published_value_maps_onto_the_common_scale(
    scheme: str, value: str, level: CommonLevel, mixed: bool
) -> None:
    scaled = scale(scheme, value)
    assert (scaled.level, scaled.mixed) == (level, mixed)


def test_an_unknown_value_maps_to_nothing_rather_than_a_guess() -> None:
    assert scale("EIF", "5").level is None
    assert scale("OTHER", "Effective").level is None
    assert scale("WWCSC", "Quite good").level is None
    assert scale("WWCSC", "Tends to positive; Quite strong").level is None


def _rating(scheme: str, value: str, on: str, topic: str | None = None) -> dict[str, object]:
    return {
        "id": f"{scheme}-{on}",
        "scheme": scheme,
        "value": value,
        "topic": topic,
        "rated_on": dt.date.fromisoformat(on),
    }


def test_newest_rating_per_scheme_and_topic_is_current_and_older_ones_are_history() -> None:
    summary = summarise(
        [
            _rating("CEBC", "1", "2020-01-01", topic="Parent training"),
            _rating("CEBC", "3", "2015-01-01", topic="Parent training"),
            _rating("CEBC", "2", "2018-01-01", topic="Trauma treatment"),
            _rating("TITLE_IV_E", "Well-supported", "2019-06-20"),
            _rating("TITLE_IV_E", "Well-supported", "2020-02-01", topic="Mental Health"),
        ]
    )
    assert [r["id"] for r in summary.current] == [
        "TITLE_IV_E-2020-02-01",
        "CEBC-2020-01-01",
        "CEBC-2018-01-01",
    ]
    assert [r["id"] for r in summary.history] == ["TITLE_IV_E-2019-06-20", "CEBC-2015-01-01"]
    assert summary.schemes_disagree is False
    assert summary.best_by_scheme == {"TITLE_IV_E": 5, "CEBC": 5}


def test_schemes_disagree_when_their_levels_are_more_than_one_step_apart() -> None:
    near = summarise(
        [_rating("EIF", "3+", "2020-01-01"), _rating("BLUEPRINTS", "Promising", "2019-01-01")]
    )
    far = summarise([_rating("EIF", "4", "2020-01-01"), _rating("CEBC", "NR", "2019-01-01")])
    assert near.schemes_disagree is False
    assert far.schemes_disagree is True
