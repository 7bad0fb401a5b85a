"""Types of local fit (recommend), multi-agency arrangements and the ratings overview."""

from __future__ import annotations

import strawberry

from schema.enums import AreaType, LevelOfNeed, OutcomeDomain, RatingScheme, Sector
from schema.evidence_types import (
    EvidenceCaveat,
    EvidenceJudgement,
    EvidenceStrength,
    GapMapCell,
    InterventionRef,
)
from schema.types import Rating


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


@strawberry.type(description="One part of a recommendation's score, with why it was given.")
class ScorePart:
    name: str = strawberry.field(description="STRENGTH, DIRECTION, HARM, RATINGS, UK or FIT.")
    points: int
    reasons: list[str] = strawberry.field(description="Each as '+n: why'.")


@strawberry.type(description="The score recommend orders by (docs/evidence-rules.md, Ranking).")
class Score:
    total: int
    parts: list[ScorePart]


@strawberry.type
class Recommendation:
    rank: int = strawberry.field(
        description="1 is best; entries equal on harm, score and evidence share a rank."
    )
    intervention_id: strawberry.ID
    name: str
    cost_rating: int | None
    min_age: int | None
    max_age: int | None
    score: Score
    has_harmful_trial: bool = strawberry.field(
        description="A trial on the outcomes asked for found harm: ranked below all without."
    )
    rating_caveats: list[EvidenceCaveat] = strawberry.field(
        description="Caveats on its current ratings: disputed, mixed, schemes disagreeing."
    )
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


@strawberry.type(
    description="An intervention's page: headline evidence, caveats, and the judgement on "
    "each outcome it reported on or targets (the same judgement every view uses)."
)
class InterventionEvidence:
    intervention: InterventionRef
    headline: EvidenceStrength = strawberry.field(
        description="The strongest evidence (rating or own judgement), with every caveat behind it."
    )
    rating_caveats: list[EvidenceCaveat] = strawberry.field(
        description="Caveats on its current ratings: recorded ones, EIF '*', disagreement."
    )
    recorded_caveats: list[EvidenceCaveat] = strawberry.field(
        description="Caveats recorded on the intervention itself."
    )
    outcomes: list[ArrangementOutcome]


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
    caveats: list[EvidenceCaveat] = strawberry.field(
        description="Caveats on the current ratings: recorded ones (disputed, covers only a "
        "variant...), EIF's mixed-evidence '*', and SCHEMES_DISAGREE."
    )
    by_scheme: list[SchemeLevel]
