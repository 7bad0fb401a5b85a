"""The service's own evidence judgement for one intervention on one outcome.

Computed from findings, never typed in, by small rules modelled on two published
standards, each cited beside the rule that follows it:

- EIF / Foundations evidence standards (levels 2, 3, 4, NL2, NE; "+" and the mixed
  "*"): https://guidebook.eif.org.uk/eif-evidence-standards
- Title IV-E Prevention Services Clearinghouse, Handbook of Standards and Procedures
  v2.0, chapter 6: https://preventionservices.acf.hhs.gov/review-process/psr

Both standards count evaluations of distinct samples, so the rules count trials: the
publications that report one sample (a ``Trial``) are one trial, and a study with no
trial recorded is a trial of its own. "Rigorous" is the study's design rating: the one
a reviewer recorded, or else one appraised from its recorded attributes
(service/rules/appraisal.py). The judgement as every view shows it, with its caveats,
is built in service/rules/judgement.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from service.rules.appraisal import Appraisal, StudyAttributes, appraise
from service.rules.rating_scale import LABELS, CommonLevel, scale

# Designs that evaluate an intervention directly (reviews summarise other studies and
# are shown as context, not counted: both standards rate primary evaluations).
_PRIMARY = frozenset({"RCT", "QED", "PRE_POST", "OBSERVATIONAL", "MIXED_METHODS"})
_CAUSAL = frozenset({"RCT", "QED"})
_NOT_FAVOURABLE = frozenset({"NO_EFFECT", "UNFAVOURABLE", "MIXED"})

# EIF level 4: "At least one of these studies must have evidence of improving a child
# outcome lasting a year or longer." Title IV-E well-supported: "a sustained favorable
# effect of at least 12 months beyond the end of treatment".
LASTING_MONTHS = 12
# Title IV-E supported: "a sustained favorable effect of at least 6 months beyond the
# end of treatment". Follow-up months are read as time after the intervention ended.
SUSTAINED_MONTHS = 6
# Title IV-E Handbook: eligible contrasts compare with no or minimal intervention, a
# waiting list or services as usual; a head-to-head with another programme does not count.
_IV_E_INELIGIBLE_COMPARISON = "ACTIVE_ALTERNATIVE"


@dataclass(frozen=True)
class FindingFacts:
    """What the rules need to know about one finding, its study and the study's trial."""

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
    trial_id: str | None = None
    sample_size: int | None = None
    attrition_percent: float | None = None
    differential_attrition_percent: float | None = None
    comparison: str | None = None
    study_follow_up_months: int | None = None

    @property
    def trial(self) -> str:
        """The sample this finding comes from: its trial, else its study, else itself."""
        return self.trial_id or self.study_id or self.finding_id

    @property
    def follow_up(self) -> int | None:
        """Months after the intervention ended: the finding's own, else its study's."""
        if self.follow_up_months is not None:
            return self.follow_up_months
        return self.study_follow_up_months

    @cached_property
    def appraisal(self) -> Appraisal:
        return appraise(
            StudyAttributes(
                design=self.design,
                design_rating=self.design_rating,
                sample_size=self.sample_size,
                attrition_percent=self.attrition_percent,
                differential_attrition_percent=self.differential_attrition_percent,
                comparison=self.comparison,
                independent=self.independent,
                follow_up_months=self.study_follow_up_months,
            )
        )


@dataclass(frozen=True)
class Judgement:
    eif_level: str  # "4", "3+", "3", "2", "NL2" or "NE"
    mixed: bool  # favourable and null or harmful findings at the deciding tier
    title_iv_e: str
    common_level: CommonLevel
    direction: str  # FAVOURABLE, MIXED, NO_EFFECT, UNFAVOURABLE or NONE
    deciding: tuple[str, ...]  # ids of the findings that decided it, harmful ones always
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
    """A causal design rated (or appraised) HIGH or MODERATE (IV-E Handbook 6.1; EIF 3)."""
    return is_primary(f) and f.design in _CAUSAL and f.appraisal.rigorous


def is_favourable(f: FindingFacts) -> bool:
    """Favourable and not shown to be non-significant (both standards need significance)."""
    return f.direction == "FAVOURABLE" and _significant(f) is not False


def is_harmful(f: FindingFacts) -> bool:
    """Unfavourable and not shown to be non-significant: the programme made things worse."""
    return f.direction == "UNFAVOURABLE" and _significant(f) is not False


def _significant(f: FindingFacts) -> bool | None:
    if f.significant is not None:
        return f.significant
    if f.p_value is not None:
        return f.p_value < 0.05
    return None


def _lasting(f: FindingFacts, months: int) -> bool:
    return f.follow_up is not None and f.follow_up >= months


def distinct_trials(findings: Iterable[FindingFacts]) -> int:
    return len({f.trial for f in findings})


def eif_level(findings: list[FindingFacts]) -> tuple[str, list[FindingFacts]]:
    """EIF level and the findings that decide it.

    - NE: "a rigorous programme evaluation (equivalent to a level 3) has found no
      evidence of improving" the outcome, and no rigorous evaluation found a benefit.
    - 4: "evidence of a long-term positive impact through multiple rigorous
      evaluations. At least one ... lasting a year or longer."
    - 3+: level 3 plus part of level 4 (a second rigorous trial, or a lasting effect).
    - 3: "a short-term positive impact from at least one rigorous evaluation".
    - 2: "preliminary evidence of improving a child outcome" without a causal design.
    - NL2: the most robust evidence "does not meet the level 2 threshold".
    """
    rigorous = [f for f in findings if is_rigorous(f)]
    rigorous_good = [f for f in rigorous if is_favourable(f)]
    if rigorous_good:
        trials = distinct_trials(rigorous_good)
        lasting = [f for f in rigorous_good if _lasting(f, LASTING_MONTHS)]
        if trials >= 2 and lasting:
            return "4", rigorous_good
        if trials >= 2 or lasting:
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
      from different trials) rated moderate or high with favourable effects, "at
      least one ... sustained favorable effect of at least 12 months".
    - Supported: one such contrast with "a sustained favorable effect of at least 6
      months beyond the end of treatment".
    - Promising: "at least one contrast ... moderate or high ... favorable effect".
    - Does not currently meet criteria: otherwise.
    """
    good = [
        f
        for f in findings
        if is_rigorous(f) and is_favourable(f) and f.comparison != _IV_E_INELIGIBLE_COMPARISON
    ]
    if distinct_trials(good) >= 2 and any(_lasting(f, LASTING_MONTHS) for f in good):
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


def trial_direction(findings: list[FindingFacts]) -> str:
    """One trial's direction on the outcome: harm outweighs anything else it found."""
    if any(is_harmful(f) for f in findings):
        return "UNFAVOURABLE"
    if any(is_favourable(f) for f in findings):
        return "FAVOURABLE"
    if any(f.direction == "MIXED" for f in findings):
        return "MIXED"
    if any(f.direction for f in findings):
        return "NO_EFFECT"
    return "NONE"


def by_trial(findings: Iterable[FindingFacts]) -> dict[str, list[FindingFacts]]:
    trials: dict[str, list[FindingFacts]] = {}
    for f in findings:
        trials.setdefault(f.trial, []).append(f)
    return trials


def overall_direction(findings: list[FindingFacts]) -> str:
    """Trial directions side by side, never averaged: favourable plus anything is MIXED."""
    directions = {trial_direction(fs) for fs in by_trial(findings).values()} - {"NONE"}
    if "MIXED" in directions or ("FAVOURABLE" in directions and directions - {"FAVOURABLE"}):
        return "MIXED"
    for direction in ("FAVOURABLE", "UNFAVOURABLE", "NO_EFFECT"):
        if direction in directions:
            return direction
    return "NONE"


def judge(findings: Iterable[FindingFacts]) -> Judgement:
    """The level for one intervention on one outcome, with the findings behind it."""
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
    # Harm is never left out of what decided a judgement, at any level.
    deciding = deciding + [f for f in completed if is_harmful(f) and f not in deciding]
    return Judgement(
        eif_level=level,
        mixed=mixed,
        title_iv_e=iv_e,
        common_level=common,
        direction=overall_direction(completed),
        deciding=tuple(f.finding_id for f in deciding),
        reasons=tuple(_reasons(completed)),
    )


def _reasons(findings: list[FindingFacts]) -> list[str]:
    reasons = []
    appraised = {
        f.study_id: f.appraisal
        for f in findings
        if is_primary(f) and f.design in _CAUSAL and not f.design_rating
    }
    for study_id, appraisal in sorted(appraised.items(), key=lambda item: str(item[0])):
        missing = f"; not recorded: {', '.join(appraisal.missing)}" if appraisal.missing else ""
        reasons.append(
            f"{study_id}: no design rating recorded, appraised {appraisal.rating} from its "
            f"attributes ({'; '.join(appraisal.reasons)}){missing}"
        )
    trials = by_trial(f for f in findings if is_primary(f))
    publications = {f.study_id for f in findings if is_primary(f)}
    if len(publications) > len(trials):
        reasons.append(
            f"{len(publications)} publications report {len(trials)} trial(s); trials are counted"
        )
    if any(f.direction == "UNFAVOURABLE" for f in findings):
        reasons.append("at least one unfavourable finding")
    reviews = [f for f in findings if f.design and f.design not in _PRIMARY]
    if reviews:
        reasons.append(f"{len(reviews)} review finding(s) shown as context, not counted")
    if not any(is_primary(f) for f in findings):
        reasons.append("no completed primary evaluation on this outcome")
    return reasons
