"""Mutation results: the written object, or errors with a code and the field concerned."""

from __future__ import annotations

import strawberry

from schema.types import (
    Agency,
    Caveat,
    Delivery,
    Finding,
    Funding,
    Intervention,
    Outcome,
    Participation,
    Person,
    Rating,
    Study,
    StudyRole,
    Trial,
)
from service.writes.outcome import ErrorCode

strawberry.enum(ErrorCode, name="MutationErrorCode")


@strawberry.type(description="Why a write was refused. Nothing of a refused mutation is written.")
class MutationError:
    code: ErrorCode
    field: str | None = strawberry.field(description="The input field concerned, if one is.")
    message: str


@strawberry.type
class InterventionPayload:
    intervention: Intervention | None
    errors: list[MutationError]


@strawberry.type
class AgencyPayload:
    agency: Agency | None
    errors: list[MutationError]


@strawberry.type
class StudyPayload:
    study: Study | None
    errors: list[MutationError]


@strawberry.type
class FindingPayload:
    finding: Finding | None
    errors: list[MutationError]


@strawberry.type
class OutcomePayload:
    outcome: Outcome | None
    errors: list[MutationError]


@strawberry.type
class RatingPayload:
    rating: Rating | None
    errors: list[MutationError]


@strawberry.type
class TrialPayload:
    trial: Trial | None
    errors: list[MutationError]


@strawberry.type
class CaveatPayload:
    caveat: Caveat | None
    errors: list[MutationError]


@strawberry.type
class PersonPayload:
    person: Person | None
    errors: list[MutationError]


@strawberry.type
class ParticipationPayload:
    participation: Participation | None
    errors: list[MutationError]


@strawberry.type
class DeliveryPayload:
    delivery: Delivery | None
    errors: list[MutationError]


@strawberry.type
class FundingPayload:
    funding: Funding | None
    errors: list[MutationError]


@strawberry.type
class StudyRolePayload:
    study_role: StudyRole | None
    errors: list[MutationError]


@strawberry.type(description="A relationship without properties of its own.")
class Link:
    type: str
    from_id: strawberry.ID
    to_id: strawberry.ID
    source: str | None
    recorded_by: str | None


@strawberry.type
class LinkPayload:
    link: Link | None
    errors: list[MutationError]


@strawberry.type
class UnlinkPayload:
    removed: bool = strawberry.field(description="False when there was nothing to remove.")
    errors: list[MutationError]


@strawberry.type
class DeletePayload:
    deleted: bool = strawberry.field(description="False when there was nothing to delete.")
    errors: list[MutationError]
