"""Filter inputs of the list fields. Field names match the query plans' filter names."""

from __future__ import annotations

import strawberry

from schema.enums import (
    AreaType,
    DesignRating,
    InterventionKind,
    LevelOfNeed,
    OutcomeDomain,
    Sector,
    StudyDesign,
    StudyStatus,
)

_DESCRIPTION = (
    "All given conditions must hold; AND, OR and NOT combine further filters of the same "
    "kind (at most 4 deep, 50 conditions in all)."
)
_AND = "Every one of these filters holds too."
_OR = "At least one of these filters holds too (an empty list: none can)."
_NOT = "This filter does not hold."
_IDS = "Only these ids (several nodes in one request and one statement)."


@strawberry.input(description=_DESCRIPTION)
class InterventionFilter:
    and_: list[InterventionFilter] | None = strawberry.field(
        default=None, name="AND", description=_AND
    )
    or_: list[InterventionFilter] | None = strawberry.field(
        default=None, name="OR", description=_OR
    )
    not_: InterventionFilter | None = strawberry.field(default=None, name="NOT", description=_NOT)
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_IDS)
    kind_in: list[InterventionKind] | None = None
    level_of_need_in: list[LevelOfNeed] | None = None
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive; in the name or any alias."
    )
    agency_sector_in: list[Sector] | None = strawberry.field(
        default=None, description="Has a participating agency of one of these sectors."
    )
    targets_outcome: strawberry.ID | None = strawberry.field(
        default=None, description="Targets this outcome or one of its narrower outcomes."
    )
    uk_tested: bool | None = None
    max_cost_rating: int | None = None


@strawberry.input(description=_DESCRIPTION)
class AgencyFilter:
    and_: list[AgencyFilter] | None = strawberry.field(default=None, name="AND", description=_AND)
    or_: list[AgencyFilter] | None = strawberry.field(default=None, name="OR", description=_OR)
    not_: AgencyFilter | None = strawberry.field(default=None, name="NOT", description=_NOT)
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_IDS)
    sector_in: list[Sector] | None = None
    area_type_in: list[AreaType] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    region: str | None = None
    participates_in: strawberry.ID | None = strawberry.field(
        default=None, description="Takes part in the intervention with this id."
    )


@strawberry.input(description=_DESCRIPTION)
class StudyFilter:
    and_: list[StudyFilter] | None = strawberry.field(default=None, name="AND", description=_AND)
    or_: list[StudyFilter] | None = strawberry.field(default=None, name="OR", description=_OR)
    not_: StudyFilter | None = strawberry.field(default=None, name="NOT", description=_NOT)
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_IDS)
    design_in: list[StudyDesign] | None = None
    design_rating_in: list[DesignRating] | None = None
    status_in: list[StudyStatus] | None = None
    year_from: int | None = strawberry.field(default=None, description="Inclusive.")
    year_to: int | None = strawberry.field(default=None, description="Inclusive.")
    country: str | None = None
    title_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    evaluates: strawberry.ID | None = strawberry.field(
        default=None, description="Evaluates the intervention with this id."
    )


@strawberry.input(description=_DESCRIPTION)
class OutcomeFilter:
    and_: list[OutcomeFilter] | None = strawberry.field(default=None, name="AND", description=_AND)
    or_: list[OutcomeFilter] | None = strawberry.field(default=None, name="OR", description=_OR)
    not_: OutcomeFilter | None = strawberry.field(default=None, name="NOT", description=_NOT)
    ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_IDS)
    domain_in: list[OutcomeDomain] | None = None
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive.")
    part_of: strawberry.ID | None = strawberry.field(
        default=None, description="Narrower than the outcome with this id, at any depth."
    )
