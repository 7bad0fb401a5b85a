"""Appraising a study's design from what is recorded about it, when no one rated it.

A recorded design rating (HIGH, MODERATE, LOW support of a causal conclusion) always
wins: it is a reviewer's reading of the whole paper. Without one, the study is
appraised from the attributes partners do record, on the two standards the rules
follow (docs/evidence-rules.md, "Appraisal"):

- EIF evidence standards (https://guidebook.eif.org.uk/eif-evidence-standards): level 3
  needs "at least one rigorous evaluation", one "where a judgment about causality can
  be made": a randomised or quasi-experimental comparison with an adequate sample and
  acceptable attrition; level 4 asks for replication and an effect lasting a year.
- Title IV-E Prevention Services Clearinghouse, Handbook of Standards and Procedures
  v2.0 (https://preventionservices.acf.hhs.gov/review-process/psr), chapter 5: an RCT
  with low attrition can be rated high; an RCT with high attrition, or a QED, at most
  moderate (and only with baseline equivalence, which this graph does not record);
  eligible comparisons are no or minimal intervention, a waiting list or services as
  usual.

The thresholds are the service's own, stated here so a reader can argue with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Designs that can support a causal conclusion at all.
CAUSAL_DESIGNS: Final = frozenset({"RCT", "QED"})
# At least this many participants in all (20 per arm of two): below it a single
# trial cannot tell a programme effect from chance, whatever its design.
MIN_SAMPLE: Final = 40
# Low attrition, a coarse two-step reading of the attrition boundaries the Handbook
# takes from the What Works Clearinghouse: (overall at most, differential at most).
LOW_ATTRITION: Final = ((20.0, 5.0), (30.0, 3.0))
# Comparison conditions the Title IV-E Handbook accepts as a contrast.
ELIGIBLE_COMPARISONS: Final = frozenset({"NO_TREATMENT", "WAITLIST", "SERVICES_AS_USUAL"})

RECORDED: Final = "RECORDED"
APPRAISED: Final = "APPRAISED"


@dataclass(frozen=True)
class StudyAttributes:
    """What is recorded about one study (its trial's values fill its gaps)."""

    design: str | None
    design_rating: str | None = None
    sample_size: int | None = None
    attrition_percent: float | None = None
    differential_attrition_percent: float | None = None
    comparison: str | None = None
    independent: bool | None = None
    follow_up_months: int | None = None


@dataclass(frozen=True)
class Appraisal:
    rating: str  # HIGH, MODERATE or LOW
    basis: str  # RECORDED (a reviewer's design rating) or APPRAISED (from attributes)
    missing: tuple[str, ...]  # attributes the appraisal needed but were not recorded
    reasons: tuple[str, ...]

    @property
    def rigorous(self) -> bool:
        return self.rating in {"HIGH", "MODERATE"}


def appraise(study: StudyAttributes) -> Appraisal:
    """The study's design rating: the recorded one, or one appraised from its attributes."""
    missing = tuple(_missing(study))
    if study.design_rating:
        return Appraisal(study.design_rating, RECORDED, missing, ("design rating recorded",))
    if study.design not in CAUSAL_DESIGNS:
        return Appraisal(
            "LOW", APPRAISED, (), (f"a {study.design} design has no comparison group",)
        )
    reasons: list[str] = []
    if study.comparison == "NONE":
        return Appraisal("LOW", APPRAISED, missing, ("no comparison condition",))
    if study.sample_size is not None and study.sample_size < MIN_SAMPLE:
        return Appraisal(
            "LOW", APPRAISED, missing, (f"sample of {study.sample_size} is below {MIN_SAMPLE}",)
        )
    if study.design == "QED":
        reasons.append("a quasi-experimental comparison is at most MODERATE")
        return Appraisal("MODERATE", APPRAISED, missing, tuple(reasons))
    attrition = _low_attrition(study)
    if attrition is True and study.sample_size is not None and study.comparison is not None:
        return Appraisal(
            "HIGH", APPRAISED, missing, ("randomised, adequate sample, low attrition",)
        )
    if attrition is False:
        reasons.append("attrition above the low-attrition boundary: at most MODERATE")
    else:
        reasons.append("randomised, but not every attribute HIGH needs is recorded")
    return Appraisal("MODERATE", APPRAISED, missing, tuple(reasons))


def _low_attrition(study: StudyAttributes) -> bool | None:
    overall, differential = study.attrition_percent, study.differential_attrition_percent
    if overall is None or differential is None:
        return None
    return any(overall <= o and differential <= d for o, d in LOW_ATTRITION)


def _missing(study: StudyAttributes) -> list[str]:
    if study.design not in CAUSAL_DESIGNS:
        return []
    wanted = {
        "sampleSize": study.sample_size,
        "attritionPercent": study.attrition_percent,
        "differentialAttritionPercent": study.differential_attrition_percent,
        "comparison": study.comparison,
        "independent": study.independent,
        "followUpMonths": study.follow_up_months,
    }
    return [name for name, value in wanted.items() if value is None]
