"""The service's own evidence judgement for one intervention on one outcome.

Computed from findings, never typed in, by small rules modelled on two published
standards, each cited beside the rule that follows it:

- EIF / Foundations evidence standards (levels 2, 3, 4, NL2, NE; "+" and the mixed
  "*"): https://guidebook.eif.org.uk/eif-evidence-standards
- Title IV-E Prevention Services Clearinghouse, Handbook of Standards and Procedures
  v2.0, chapter 6: https://preventionservices.acf.hhs.gov/review-process/psr

The service cannot re-appraise a study, so "rigorous" rests on the design rating
recorded on the study (HIGH or MODERATE support of a causal conclusion), as the
Title IV-E Handbook's "moderate or high on design and execution" does. An RCT or QED
whose design has not been rated counts as preliminary until someone rates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from service.rules.rating_scale import LABELS, CommonLevel, scale

# Designs that evaluate an intervention directly (reviews summarise other studies and
# are shown as context, not counted: both standards rate primary evaluations).
_PRIMARY = frozenset({"RCT", "QED", "PRE_POST", "OBSERVATIONAL", "MIXED_METHODS"})
_CAUSAL = frozenset({"RCT", "QED"})
_RIGOROUS_RATINGS = frozenset({"HIGH", "MODERATE"})
_NOT_FAVOURABLE = frozenset({"NO_EFFECT", "UNFAVOURABLE", "MIXED"})

# EIF level 4: "At least one of these studies must have evidence of improving a child
# outcome lasting a year or longer." Title IV-E well-supported: "a sustained favorable
# effect of at least 12 months beyond the end of treatment".
LASTING_MONTHS = 12
# Title IV-E supported: "a sustained favorable effect of at least 6 months beyond the
# end of treatment". Follow-up months are read as time after the intervention ended.
SUSTAINED_MONTHS = 6


@dataclass(frozen=True)
class FindingFacts:
    """What the rules need to know about one finding and the study that reported it."""

    finding_id: str
    study_id: str | None
    design: str | None
    design_rating: str | None
    status: str | None
    direction: str | None
    significant: bool | None = None
    p_value: float | None = None
    independent: bool | None = None
    follow_up_months: int | None = None
    country: str | None = None


@dataclass(frozen=True)
class Judgement:
    eif_level: str  # "4", "3+", "3", "2", "NL2" or "NE"
    mixed: bool  # favourable and null or harmful findings at the deciding tier
    title_iv_e: str
    common_level: CommonLevel
    direction: str  # FAVOURABLE, MIXED, NO_EFFECT, UNFAVOURABLE or NONE
    deciding: tuple[str, ...]  # ids of the findings that decided it
    reasons: tuple[str, ...] = field(default=())

    @property
    def eif_value(self) -> str:
        """As EIF would print it: the mixed-evidence asterisk after the level."""
        return f"{self.eif_level}*" if self.mixed else self.eif_level

    @property
    def common_label(self) -> str:
        return LABELS[self.common_level]


def is_primary(f: FindingFacts) -> bool:
    return f.design in _PRIMARY and f.status != "ONGOING"


def is_rigorous(f: FindingFacts) -> bool:
    """A causal design rated HIGH or MODERATE (IV-E Handbook 6.1; EIF level 3)."""
    return is_primary(f) and f.design in _CAUSAL and f.design_rating in _RIGOROUS_RATINGS


def is_favourable(f: FindingFacts) -> bool:
    """Favourable and not shown to be non-significant (both standards need significance)."""
    return f.direction == "FAVOURABLE" and _significant(f) is not False


def _significant(f: FindingFacts) -> bool | None:
    if f.significant is not None:
        return f.significant
    if f.p_value is not None:
        return f.p_value < 0.05
    return None


def _lasting(f: FindingFacts, months: int) -> bool:
    return f.follow_up_months is not None and f.follow_up_months >= months


def _distinct_studies(findings: Iterable[FindingFacts]) -> int:
    return len({f.study_id or f.finding_id for f in findings})


def eif_level(findings: list[FindingFacts]) -> tuple[str, list[FindingFacts]]:
    """EIF level and the findings that decide it.

    - NE: "a rigorous programme evaluation (equivalent to a level 3) has found no
      evidence of improving" the outcome, and no rigorous evaluation found a benefit.
    - 4: "evidence of a long-term positive impact through multiple rigorous
      evaluations. At least one ... lasting a year or longer."
    - 3+: level 3 plus part of level 4 (a second rigorous study, or a lasting effect).
    - 3: "a short-term positive impact from at least one rigorous evaluation".
    - 2: "preliminary evidence of improving a child outcome" without a causal design.
    - NL2: the most robust evidence "does not meet the level 2 threshold".
    """
    rigorous = [f for f in findings if is_rigorous(f)]
    rigorous_good = [f for f in rigorous if is_favourable(f)]
    if rigorous_good:
        studies = _distinct_studies(rigorous_good)
        lasting = [f for f in rigorous_good if _lasting(f, LASTING_MONTHS)]
        if studies >= 2 and lasting:
            return "4", rigorous_good
        if studies >= 2 or lasting:
            return "3+", rigorous_good
        return "3", rigorous_good
    rigorous_bad = [f for f in rigorous if _null_or_harmful(f)]
    if rigorous_bad:
        return "NE", rigorous_bad
    preliminary = [f for f in findings if is_primary(f) and is_favourable(f)]
    if preliminary:
        return "2", preliminary
    return "NL2", [f for f in findings if is_primary(f) and f.direction]


def title_iv_e_rating(findings: list[FindingFacts]) -> tuple[str, list[FindingFacts]]:
    """Title IV-E Handbook v2.0 section 6 ratings from the qualifying contrasts.

    - Well-supported: "at least two contrasts with non-overlapping samples" (here:
      from different studies) rated moderate or high with favourable effects, "at
      least one ... sustained favorable effect of at least 12 months".
    - Supported: one such contrast with "a sustained favorable effect of at least 6
      months beyond the end of treatment".
    - Promising: "at least one contrast ... moderate or high ... favorable effect".
    - Does not currently meet criteria: otherwise.
    """
    good = [f for f in findings if is_rigorous(f) and is_favourable(f)]
    if _distinct_studies(good) >= 2 and any(_lasting(f, LASTING_MONTHS) for f in good):
        return "Well-supported", good
    sustained = [f for f in good if _lasting(f, SUSTAINED_MONTHS)]
    if sustained:
        return "Supported", sustained
    if good:
        return "Promising", good
    return "Does not currently meet criteria", []


def _null_or_harmful(f: FindingFacts) -> bool:
    """No effect, harm, mixed, or a favourable difference shown to be non-significant."""
    return f.direction in _NOT_FAVOURABLE or (
        f.direction == "FAVOURABLE" and _significant(f) is False
    )


def mixed_evidence(deciding_tier: list[FindingFacts]) -> bool:
    """EIF's "*": favourable findings alongside null or harmful ones at the same tier."""
    return any(is_favourable(f) for f in deciding_tier) and any(
        _null_or_harmful(f) for f in deciding_tier
    )


def overall_direction(findings: list[FindingFacts]) -> str:
    """Directions side by side, never averaged: any favourable plus any other is MIXED."""
    directions = {f.direction for f in findings if f.direction}
    if "MIXED" in directions or ("FAVOURABLE" in directions and directions - {"FAVOURABLE"}):
        return "MIXED"
    for direction in ("FAVOURABLE", "UNFAVOURABLE", "NO_EFFECT"):
        if direction in directions:
            return direction
    return "NONE"


def judge(findings: Iterable[FindingFacts]) -> Judgement:
    """The judgement for one intervention on one outcome, with the findings behind it."""
    completed = [f for f in findings if f.status != "ONGOING"]
    level, deciding = eif_level(completed)
    tier = (
        [f for f in completed if is_rigorous(f)]
        if level in {"4", "3+", "3", "NE"}
        else [f for f in completed if is_primary(f)]
    )
    mixed = mixed_evidence(tier)
    iv_e, _ = title_iv_e_rating(completed)
    common = scale("EIF", level).level
    assert common is not None  # every level eif_level returns is mapped
    if mixed and level not in {"2", "NL2"}:
        # Keep the asterisk visible on the deciding side: show the null or harmful
        # rigorous findings too, so a reader sees both halves.
        deciding = deciding + [f for f in tier if f not in deciding and f.direction]
    return Judgement(
        eif_level=level,
        mixed=mixed,
        title_iv_e=iv_e,
        common_level=common,
        direction=overall_direction(completed),
        deciding=tuple(f.finding_id for f in deciding),
        reasons=tuple(_reasons(completed, level)),
    )


def _reasons(findings: list[FindingFacts], level: str) -> list[str]:
    reasons = []
    unrated = [f for f in findings if is_primary(f) and f.design in _CAUSAL and not f.design_rating]
    if unrated and level in {"2", "NL2"}:
        reasons.append(
            f"{_distinct_studies(unrated)} RCT/QED without a recorded design rating counted "
            "as preliminary until its design is rated"
        )
    if any(f.direction == "UNFAVOURABLE" for f in findings):
        reasons.append("at least one unfavourable finding")
    reviews = [f for f in findings if f.design and f.design not in _PRIMARY]
    if reviews:
        reasons.append(f"{len(reviews)} review finding(s) shown as context, not counted")
    if not any(is_primary(f) for f in findings):
        reasons.append("no completed primary evaluation on this outcome")
    return reasons
