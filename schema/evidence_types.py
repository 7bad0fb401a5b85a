"""Types of the evidence views: judgements, the gap map, the practice gap, local fit and
multi-agency arrangements. Values are read from the plain maps the plans return."""

from __future__ import annotations

from enum import Enum

import strawberry

from schema.enums import (
    AreaType,
    DesignRating,
    FindingDirection,
    InterventionKind,
    LevelOfNeed,
    OutcomeDomain,
    RatingScheme,
    Sector,
    StudyDesign,
    StudyStatus,
)
from schema.types import Rating


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
    reasons: list[str]
    deciding_findings: list[EvidenceFinding]


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
    cells: list[GapMapCell] = strawberry.field(description="Row by row, every column.")


@strawberry.input
class GapMapFilter:
    intervention_ids: list[strawberry.ID] | None = None
    intervention_kinds: list[InterventionKind] | None = None
    outcome_domains: list[OutcomeDomain] | None = None
    outcome_ids: list[strawberry.ID] | None = None


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


@strawberry.input(description="A council's wants and circumstances.")
class LocalContext:
    outcome_ids: list[strawberry.ID]
    min_age: int | None = None
    max_age: int | None = None
    level_of_need: LevelOfNeed | None = None
    area_type: AreaType | None = None
    max_cost_rating: int | None = None
    agency_sectors: list[Sector] | None = strawberry.field(
        default=None, description="The kinds of agency the council has as partners."
    )
    uk_tested_only: bool = False


@strawberry.type
class PathStep:
    kind: str = strawberry.field(description="FINDING, STUDY, COUNTRY, OUTCOME, AGENCY or RATING.")
    id: strawberry.ID | None
    name: str | None


@strawberry.type(description="A reason, as a path through the graph.")
class Reason:
    text: str
    steps: list[PathStep]


@strawberry.type
class Caution:
    code: str
    message: str


@strawberry.type
class Recommendation:
    rank: int
    intervention_id: strawberry.ID
    name: str
    cost_rating: int | None
    evidence_level: int
    judgement: EvidenceJudgement | None
    related_only: bool = strawberry.field(
        description="The evidence is on related outcomes, not the ones asked for."
    )
    favourable_findings: int
    similar_area_deliveries: list[str]
    reasons: list[Reason]
    cautions: list[Caution]


@strawberry.type
class ExcludedIntervention:
    intervention_id: strawberry.ID
    name: str
    reasons: list[str]


@strawberry.type
class Recommendations:
    recommendations: list[Recommendation]
    excluded: list[ExcludedIntervention]


@strawberry.type
class AgencyRef:
    id: strawberry.ID
    name: str
    sector: Sector | None


@strawberry.type
class ArrangementParticipant:
    agency: AgencyRef
    role: str | None


@strawberry.type
class DeliveringAgency:
    id: strawberry.ID
    name: str
    sector: Sector | None
    area_type: AreaType | None


@strawberry.type
class ArrangementOutcome:
    outcome: GapMapOutcomeRef
    targeted: bool
    evidence: GapMapCell


@strawberry.type
class GapMapOutcomeRef:
    id: strawberry.ID
    name: str
    domain: OutcomeDomain


@strawberry.type(description="A multi-agency arrangement: agencies, roles, outcomes, evidence.")
class Arrangement:
    intervention: InterventionRef
    participants: list[ArrangementParticipant]
    sectors: list[Sector]
    delivered_by: list[DeliveringAgency]
    outcomes: list[ArrangementOutcome]
    schemes_disagree: bool


@strawberry.type(description="Two agencies and the arrangements they take part in together.")
class CoParticipation:
    source: AgencyRef
    target: AgencyRef
    weight: int = strawberry.field(description="How many arrangements they share.")
    arrangements: list[InterventionRef]


@strawberry.type
class SchemeLevel:
    scheme: RatingScheme
    common_scale: int
    common_scale_label: str


@strawberry.type
class InterventionRatings:
    intervention_id: strawberry.ID
    intervention_name: str
    current: list[Rating] = strawberry.field(description="The newest rating per scheme and topic.")
    history: list[Rating] = strawberry.field(description="Superseded ratings, newest first.")
    schemes_disagree: bool = strawberry.field(
        description="Current levels of two schemes lie more than one step apart."
    )
    by_scheme: list[SchemeLevel]
