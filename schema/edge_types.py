"""Edge objects: a relationship with properties of its own, seen with both of its ends.

Their ends are node types of schema/types.py, referred to lazily (that module lists
these edges on its nodes).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.enums import DeliveryStatus
from schema.node_interfaces import Provenance

if TYPE_CHECKING:
    from schema.types import Agency, Intervention, Study


@strawberry.type(description="An agency's membership of a multi-agency arrangement.")
class Participation(Provenance):
    recorded_at: dt.datetime | None
    role: str
    since: dt.date | None
    until: dt.date | None
    agency: Annotated[Agency, strawberry.lazy("schema.types")]
    intervention: Annotated[Intervention, strawberry.lazy("schema.types")]


@strawberry.type(description="An agency delivering an intervention.")
class Delivery(Provenance):
    recorded_at: dt.datetime | None
    since: dt.date | None
    until: dt.date | None
    status: DeliveryStatus | None
    agency: Annotated[Agency, strawberry.lazy("schema.types")]
    intervention: Annotated[Intervention, strawberry.lazy("schema.types")]


@strawberry.type(description="Money from an agency to an intervention or a study.")
class Funding(Provenance):
    recorded_at: dt.datetime | None
    amount: float | None
    currency: str | None
    awarded_on: dt.date | None
    purpose: str | None
    funder: Annotated[Agency, strawberry.lazy("schema.types")]
    intervention: Annotated[Intervention, strawberry.lazy("schema.types")] | None
    study: Annotated[Study, strawberry.lazy("schema.types")] | None


@strawberry.type(description="An agency's part in a study (author, evaluator, commissioner...).")
class StudyRole(Provenance):
    recorded_at: dt.datetime | None
    role: str | None
    agency: Annotated[Agency, strawberry.lazy("schema.types")]
    study: Annotated[Study, strawberry.lazy("schema.types")]
