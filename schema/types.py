"""Object types of the graph model. Values are read from the maps the query plans return."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.connections import Connection
from schema.edge_types import Delivery, Funding, Participation, StudyRole
from schema.enums import (
    AreaType,
    CaveatKind,
    ComparisonCondition,
    DatePrecision,
    DeliveryModel,
    DesignRating,
    EffectSizeType,
    FindingDirection,
    InterventionKind,
    LevelOfNeed,
    OutcomeDomain,
    RatingScheme,
    Sector,
    StudyDesign,
    StudyStatus,
)
from schema.nested_connections import paged
from schema.node_interfaces import GraphNode, Provenance
from service.rules.rating_scale import ScaledRating, scale


@strawberry.type(description="A programme, practice model, system-level arrangement or service.")
class Intervention(GraphNode):
    name: str
    aliases: list[str] | None
    kind: InterventionKind
    description: str | None
    country_of_origin: str | None
    origin_decade: str | None = strawberry.field(
        description="When it was first developed, e.g. 1990s."
    )
    min_age: int | None = strawberry.field(description="Youngest child age it is for, in years.")
    max_age: int | None = strawberry.field(description="Oldest child age it is for, in years.")
    level_of_need: LevelOfNeed | None
    delivery_model: DeliveryModel | None
    settings: list[str] | None
    workforce: str | None
    cost_rating: int | None = strawberry.field(
        description="1 (least) to 5 (most costly), as EIF rates it."
    )
    uk_available: bool | None
    uk_tested: bool | None
    participants: list[Participation] = strawberry.field(
        description="Agencies taking part in this (multi-agency) arrangement, with their roles."
    )
    deliveries: list[Delivery] = strawberry.field(
        description="Agencies that deliver it in practice."
    )
    funding: list[Funding]
    developers: list[Agency]
    developer_people: list[Person] = strawberry.field(
        description="People who developed it (developers that are not organisations)."
    )
    caveats: list[Caveat] = strawberry.field(description="Caveats on what is known about it.")
    studies: list[Study] = strawberry.field(description="Studies that evaluated it.")
    findings: list[Finding] = strawberry.field(description="Study findings about it.")
    targets: list[Outcome] = strawberry.field(description="Outcomes it aims to change.")
    ratings: list[Rating] = strawberry.field(
        description="Clearinghouse ratings, newest first, with history."
    )
    variant_of: Intervention | None
    variants: list[Intervention]
    participants_connection: Connection[Participation] = paged("Intervention", "participants")
    deliveries_connection: Connection[Delivery] = paged("Intervention", "deliveries")
    funding_connection: Connection[Funding] = paged("Intervention", "funding")
    developers_connection: Connection[Agency] = paged("Intervention", "developers")
    studies_connection: Connection[Study] = paged("Intervention", "studies")
    findings_connection: Connection[Finding] = paged("Intervention", "findings")
    targets_connection: Connection[Outcome] = paged("Intervention", "targets")
    ratings_connection: Connection[Rating] = paged("Intervention", "ratings")
    caveats_connection: Connection[Caveat] = paged("Intervention", "caveats")
    developer_people_connection: Connection[Person] = paged("Intervention", "developer_people")
    variants_connection: Connection[Intervention] = paged("Intervention", "variants")


@strawberry.type(
    description="An organisation: council, police force, health body, charity, clearinghouse..."
)
class Agency(GraphNode):
    name: str
    sector: Sector
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    region: str | None
    area_type: AreaType | None = strawberry.field(
        description="For councils: urban, rural or mixed."
    )
    url: str | None
    participations: list[Participation]
    deliveries: list[Delivery]
    funding: list[Funding]
    developed: list[Intervention]
    study_roles: list[StudyRole] = strawberry.field(
        description="Studies it ran, commissioned or joined."
    )
    ratings_issued: list[Rating]
    participations_connection: Connection[Participation] = paged("Agency", "participations")
    deliveries_connection: Connection[Delivery] = paged("Agency", "deliveries")
    funding_connection: Connection[Funding] = paged("Agency", "funding")
    developed_connection: Connection[Intervention] = paged("Agency", "developed")
    study_roles_connection: Connection[StudyRole] = paged("Agency", "study_roles")
    ratings_issued_connection: Connection[Rating] = paged("Agency", "ratings_issued")


@strawberry.type(description="An evaluation or review.")
class Study(GraphNode):
    title: str
    authors: list[str] | None
    year: int
    design: StudyDesign
    design_rating: DesignRating | None = strawberry.field(
        description="How well the design supports a causal conclusion."
    )
    status: StudyStatus
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code (GB for the UK).")
    sample_size: int | None
    independent: bool | None = strawberry.field(
        description="Evaluator independent of the programme developer."
    )
    attrition_percent: float | None = strawberry.field(
        description="Overall attrition from the analysed sample, percent."
    )
    differential_attrition_percent: float | None = strawberry.field(
        description="Difference in attrition between the arms, percentage points."
    )
    comparison: ComparisonCondition | None = strawberry.field(
        description="What the comparison group received."
    )
    follow_up_months: int | None = strawberry.field(
        description="Longest follow-up after the intervention ended, in months."
    )
    url: str | None
    doi: str | None
    summary: str | None
    interventions: list[Intervention]
    findings: list[Finding]
    agencies: list[StudyRole]
    funding: list[Funding]
    trial: Trial | None = strawberry.field(
        description="The trial (one sample) this publication reports on, if recorded."
    )
    caveats: list[Caveat]
    interventions_connection: Connection[Intervention] = paged("Study", "interventions")
    findings_connection: Connection[Finding] = paged("Study", "findings")
    agencies_connection: Connection[StudyRole] = paged("Study", "agencies")
    funding_connection: Connection[Funding] = paged("Study", "funding")
    caveats_connection: Connection[Caveat] = paged("Study", "caveats")


@strawberry.type(
    description="One sample evaluated once (an RCT or a QED cohort); its publications are studies."
)
class Trial(GraphNode):
    name: str
    design: StudyDesign | None
    country: str | None = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    sample_size: int | None
    registration: str | None = strawberry.field(
        description="Trial registration, e.g. ISRCTN12345678 or NCT01234567."
    )
    summary: str | None
    publications: list[Study] = strawberry.field(description="Studies reporting this trial.")
    publications_connection: Connection[Study] = paged("Trial", "publications")


@strawberry.type(
    description="A reservation a reviewer recorded on a rating, intervention or study."
)
class Caveat(GraphNode):
    kind: CaveatKind
    text: str
    ratings: list[Rating]
    interventions: list[Intervention]
    studies: list[Study]
    ratings_connection: Connection[Rating] = paged("Caveat", "ratings")
    interventions_connection: Connection[Intervention] = paged("Caveat", "interventions")
    studies_connection: Connection[Study] = paged("Caveat", "studies")


@strawberry.type(description="A person, recorded as the developer of an intervention.")
class Person(GraphNode):
    name: str
    affiliation: str | None
    url: str | None
    developed: list[Intervention]
    developed_connection: Connection[Intervention] = paged("Person", "developed")


@strawberry.type(description="One contrast of one study on one outcome.")
class Finding(GraphNode):
    measure: str
    direction: FindingDirection | None
    effect_size: float | None
    effect_size_type: EffectSizeType | None
    p_value: float | None
    significant: bool | None
    follow_up_months: int | None
    sample_size: int | None
    summary: str | None
    study: Study | None
    intervention: Intervention | None
    outcomes: list[Outcome]
    outcomes_connection: Connection[Outcome] = paged("Finding", "outcomes")


@strawberry.type(description="What is measured; outcomes form a taxonomy through partOf.")
class Outcome(GraphNode):
    name: str
    domain: OutcomeDomain
    description: str | None
    part_of: Outcome | None
    narrower: list[Outcome]
    targeted_by: list[Intervention]
    findings: list[Finding]
    ratings: list[Rating]
    narrower_connection: Connection[Outcome] = paged("Outcome", "narrower")
    targeted_by_connection: Connection[Intervention] = paged("Outcome", "targeted_by")
    findings_connection: Connection[Finding] = paged("Outcome", "findings")
    ratings_connection: Connection[Rating] = paged("Outcome", "ratings")


@strawberry.type(
    description="One clearinghouse's verdict at one time; older ratings stay as history."
)
class Rating(GraphNode):
    scheme: RatingScheme
    value: str = strawberry.field(description="As published, e.g. '4+', 'Well-supported'.")
    topic: str | None
    rated_on: dt.date = strawberry.field(
        description="When it was published: the first day of the period ratedOnPrecision "
        "gives; with AS_OF, the day a source was read showing the rating (no date published)."
    )
    rated_on_precision: DatePrecision | None = strawberry.field(
        description="How much of ratedOn was published: a year, a month or a day; AS_OF "
        "when no date was published and ratedOn is the day the rating was seen in force."
    )
    url: str | None
    caveats: list[Caveat] = strawberry.field(
        description="Caveats on the rating (disputed, mixed findings, covers only a variant...)."
    )
    issuer: Agency | None
    intervention: Intervention | None
    outcomes: list[Outcome] = strawberry.field(
        description="Outcomes the rating is scoped to, if any."
    )

    common_scale: int | None = strawberry.field(
        resolver=lambda root: _common_scale(root),
        description="The value on the common scale, 0 (not effective) to 5 (well "
        "supported); null when the mapping does not know it (docs/evidence-rules.md).",
    )
    common_scale_label: str | None = strawberry.field(
        resolver=lambda root: _scaled(root).label,
        description="What the common-scale level means.",
    )
    mixed_evidence: bool = strawberry.field(
        resolver=lambda root: _scaled(root).mixed,
        description="The published value flags mixed evidence (EIF '*').",
    )
    outcomes_connection: Connection[Outcome] = paged("Rating", "outcomes")
    caveats_connection: Connection[Caveat] = paged("Rating", "caveats")


def _common_scale(rating: object) -> int | None:
    level = _scaled(rating).level
    return None if level is None else int(level)


def _scaled(rating: object) -> ScaledRating:
    """Resolvers receive the plan's plain map as ``root``; read scheme and value from it."""
    values = rating if isinstance(rating, dict) else vars(rating)
    return scale(values.get("scheme"), values.get("value"))


__all__ = [
    "Agency",
    "Caveat",
    "Delivery",
    "Finding",
    "Funding",
    "GraphNode",
    "Intervention",
    "Outcome",
    "Participation",
    "Person",
    "Provenance",
    "Rating",
    "Study",
    "StudyRole",
    "Trial",
]
