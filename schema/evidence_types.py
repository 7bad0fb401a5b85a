"""Types of the evidence views: judgements, the gap map and the practice gap. Values are
read from the plain maps the plans return (local fit and arrangements: schema/fit_types.py)."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.enums import (
    DesignRating,
    FindingDirection,
    InterventionKind,
    OutcomeDomain,
    RatingScheme,
    StudyDesign,
    StudyStatus,
)


@strawberry.enum(description="What a gap-map cell holds.")
class CellStatus(Enum):
    EVIDENCE = "EVIDENCE"
    ONLY_ONGOING = "ONLY_ONGOING"
    ABSOLUTE_GAP = "ABSOLUTE_GAP"


@strawberry.enum(description="Where an intervention sits between use and evidence.")
class PracticeGapCategory(Enum):
    WIDELY_USED_WEAKLY_EVIDENCED = "WIDELY_USED_WEAKLY_EVIDENCED"
    WELL_EVIDENCED_RARELY_USED = "WELL_EVIDENCED_RARELY_USED"
    WIDELY_USED_WELL_EVIDENCED = "WIDELY_USED_WELL_EVIDENCED"
    IN_BETWEEN = "IN_BETWEEN"


@strawberry.type
class EvidenceStudy:
    id: strawberry.ID
    title: str
    year: int | None
    design: StudyDesign | None
    design_rating: DesignRating | None
    status: StudyStatus | None
    country: str | None
    independent: bool | None


@strawberry.type(description="A finding that decided a judgement.")
class EvidenceFinding:
    id: strawberry.ID
    measure: str
    direction: FindingDirection | None
    significant: bool | None
    follow_up_months: int | None
    summary: str | None
    outcome_ids: list[strawberry.ID]
    study: EvidenceStudy


@strawberry.type(description="A reservation that goes with a judgement or a rating.")
class EvidenceCaveat:
    code: str = strawberry.field(
        description="HARMFUL_TRIAL, NULL_TRIAL, MIXED_EVIDENCE, UK_TRIALS, NOT_UK_TESTED, "
        "UK_TRIAL_NOT_FAVOURABLE, NO_INDEPENDENT_TRIAL, APPRAISED_FROM_ATTRIBUTES, RATING_MIXED, RATING_<kind> (a "
        "caveat recorded on a rating), SCHEMES_DISAGREE, RATINGS_DIFFER_FROM_FINDINGS, "
        "RECORDED_<kind> (a caveat recorded on the intervention)."
    )
    text: str


@strawberry.type(description="How the trials on an outcome agree with one another.")
class EvidenceConsistency:
    label: str = strawberry.field(
        description="CONSISTENT, INCONSISTENT, SINGLE_TRIAL or NO_TRIALS."
    )
    trials: int = strawberry.field(description="Completed primary trials with a direction.")
    rigorous_trials: int
    favourable_trials: int
    null_trials: int
    harmful_trials: int
    independent_trials: int
    uk_trials: int
    uk_favourable_trials: int
    share_favourable: float | None


@strawberry.type(description="One sample evaluated once, and what it found on the outcome.")
class EvidenceTrial:
    id: strawberry.ID = strawberry.field(
        description="The Trial's id, or the study's when no trial is recorded."
    )
    name: str
    design: StudyDesign | None
    country: str | None
    uk: bool
    independent: bool
    rigorous: bool
    design_rating: DesignRating = strawberry.field(
        description="Recorded by a reviewer, or appraised from the study's attributes."
    )
    appraisal_basis: str = strawberry.field(description="RECORDED or APPRAISED.")
    missing_attributes: list[str] = strawberry.field(
        description="Attributes the appraisal needed that were not recorded."
    )
    direction: str
    harmful: bool
    longest_follow_up_months: int | None
    publication_ids: list[strawberry.ID]
    finding_ids: list[strawberry.ID]


@strawberry.type(
    description="The service's own judgement from findings, by rules modelled on the EIF "
    "evidence standards and the Title IV-E Handbook (docs/evidence-rules.md)."
)
class EvidenceJudgement:
    eif_level: str = strawberry.field(description="4, 3+, 3, 2, NL2 or NE.")
    eif_value: str = strawberry.field(description="The level with '*' when evidence is mixed.")
    mixed: bool = strawberry.field(
        description="Favourable and null or harmful findings at the deciding tier."
    )
    title_iv_e: str = strawberry.field(
        description="Well-supported, Supported, Promising or Does not currently meet criteria."
    )
    common_scale: int = strawberry.field(description="0 (not effective) to 5 (well supported).")
    common_scale_label: str
    direction: str = strawberry.field(
        description="FAVOURABLE, MIXED, NO_EFFECT, UNFAVOURABLE or NONE: never an average."
    )
    consistency: EvidenceConsistency
    reasons: list[str]
    deciding_findings: list[EvidenceFinding] = strawberry.field(
        description="The findings that decided it; harmful findings are always among them."
    )
    deciding_trials: list[EvidenceTrial]
    trial_count: int = strawberry.field(
        description="Completed primary trials (publications of one sample count once)."
    )
    caveats: list[EvidenceCaveat]


@strawberry.type
class InterventionRef:
    id: strawberry.ID
    name: str
    kind: InterventionKind | None = None


@strawberry.type
class GapMapOutcome:
    id: strawberry.ID
    name: str
    domain: OutcomeDomain
    part_of_id: strawberry.ID | None


@strawberry.type
class GapMapDomain:
    domain: OutcomeDomain
    outcomes: list[GapMapOutcome]


@strawberry.type
class DesignCount:
    design: StudyDesign
    count: int


@strawberry.type
class DirectionCount:
    direction: str = strawberry.field(description="A finding direction, or NOT_REPORTED.")
    count: int


@strawberry.type(description="One intervention on one outcome (and the outcomes beneath it).")
class GapMapCell:
    intervention_id: strawberry.ID
    outcome_id: strawberry.ID
    status: CellStatus
    study_count: int
    ongoing_study_count: int
    finding_count: int
    studies_by_design: list[DesignCount]
    findings_by_direction: list[DirectionCount]
    strongest: EvidenceJudgement | None = strawberry.field(
        description="Null when no completed study has reported on the cell."
    )


@strawberry.type
class EvidenceGapMap:
    interventions: list[InterventionRef] = strawberry.field(description="Rows, by name.")
    outcomes: list[GapMapOutcome] = strawberry.field(description="Columns, by domain and name.")
    domains: list[GapMapDomain]
    cells: list[GapMapCell] = strawberry.field(
        description="Row by row, every column (with filter.absoluteGaps false, only the "
        "columns that hold more than a gap)."
    )


@strawberry.input
class GapMapFilter:
    intervention_ids: list[strawberry.ID] | None = None
    intervention_kinds: list[InterventionKind] | None = None
    outcome_domains: list[OutcomeDomain] | None = None
    outcome_ids: list[strawberry.ID] | None = None
    absolute_gaps: bool = strawberry.field(
        default=True,
        description="List the cells with nothing recorded (ABSOLUTE_GAP) too. False gives a "
        "sparse map, only cells with evidence or ongoing studies: what a map of the whole "
        "graph should ask for (the rows and columns still say what is absent).",
    )


@strawberry.type
class OutcomeRef:
    id: strawberry.ID
    name: str


@strawberry.type
class RatingRef:
    id: strawberry.ID
    scheme: RatingScheme
    value: str
    topic: str | None


@strawberry.type(description="The strongest evidence for an intervention, and where it comes from.")
class EvidenceStrength:
    common_scale: int
    common_scale_label: str
    basis: str = strawberry.field(description="RATING, FINDINGS or NONE.")
    source: str
    via_variant: InterventionRef | None
    judgement: EvidenceJudgement | None
    outcome: OutcomeRef | None
    rating: RatingRef | None
    caveats: list[EvidenceCaveat] = strawberry.field(
        description="Null or harmful trials, mixed evidence, UK trials and rating caveats "
        "(disputed, asterisked, schemes disagreeing) behind the headline level."
    )


@strawberry.type
class FundingTotal:
    currency: str
    amount: float


@strawberry.type
class PracticeGapEntry:
    intervention_id: strawberry.ID
    name: str
    kind: InterventionKind
    delivering_agencies: int = strawberry.field(description="Agencies delivering it now.")
    delivering_agency_names: list[str]
    funders: int
    funding: list[FundingTotal]
    largest_funding_total: float
    widely_used: bool
    rarely_used: bool
    evidence: EvidenceStrength
    category: PracticeGapCategory


@strawberry.type
class PracticeGapThresholds:
    widely_used_min_agencies: int
    widely_funded_min_amount: float
    rarely_used_max_agencies: int
    well_evidenced_min: int
    weakly_evidenced_max: int


@strawberry.type
class PracticeGap:
    widely_used_weakly_evidenced: list[PracticeGapEntry]
    well_evidenced_rarely_used: list[PracticeGapEntry]
    ranking: list[PracticeGapEntry] = strawberry.field(
        description="Everything, most widely used first (agencies, then money)."
    )
    thresholds: PracticeGapThresholds
