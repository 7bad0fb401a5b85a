"""Mutation inputs, built from the model registry so they never drift from it.

Every input is keyed on ``id`` and needs a ``source``. An omitted field is left as it
is; a field set to null is removed (required ones cannot be). Personal data about
children or families has no field here, so GraphQL refuses it before anything runs.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Final

import strawberry

import schema.enums  # noqa: F401  (registers the model's enums with Strawberry)
from service.model import DATE_PRECISION_OF, NODE_PROPERTIES, RELATIONSHIP_TYPES, Property
from service.plans.shapes import snake_case
from service.writes.outcome import ErrorCode, WriteRefused

# Set from the date they describe, never typed in.
_DERIVED: frozenset[str] = frozenset(DATE_PRECISION_OF.values())
_PARTIAL_DATE_HELP = (
    "As published: YYYY, YYYY-MM or YYYY-MM-DD; 'as of YYYY-MM-DD' (the day a source was "
    "read showing it) when no date was published. The precision is set from it."
)


def _python_type(prop: Property) -> Any:
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    kind: Any = float if float in kinds else kinds[0]
    return list[kind] if prop.many else kind


def _input(
    name: str, description: str, properties: tuple[Property, ...], fields: dict[str, Any]
) -> Any:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    for field_name, (annotation, make_default) in fields.items():
        annotations[field_name] = annotation
        namespace[field_name] = make_default()
    for prop in properties:
        if prop.name in _DERIVED:
            continue
        field_name = snake_case(prop.name)
        annotations[field_name] = _python_type(prop) | None
        namespace[field_name] = strawberry.UNSET
        if prop.name in DATE_PRECISION_OF:
            namespace[field_name] = strawberry.field(
                default=strawberry.UNSET,
                deprecation_reason=_DATE_REPLACED.format(field_name=_camel(field_name)),
            )
            annotations[f"{field_name}_text"] = str | None
            namespace[f"{field_name}_text"] = strawberry.field(
                default=strawberry.UNSET,
                description=_PARTIAL_DATE_HELP,
            )
    return strawberry.input(type(name, (), namespace), description=description)


# A date published with only a year or a month cannot be given as a Date; the text field
# that replaced the Date field takes it as published (README, "Versions and deprecation").
_DATE_REPLACED: Final = (
    "Use {field_name}Text, which also takes a year, a year-month or 'as of' a date, as "
    "published. A Date given here is recorded with DAY precision."
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def values_of(data: Any, properties: tuple[Property, ...]) -> dict[str, Any]:
    """The given (not omitted) property values of an input, keyed by graph property name.

    A node input's further ``sources`` are stored after its ``source`` as the list
    ``sources`` (the same as a record with several sources in an import file)."""
    values: dict[str, Any] = {}
    further = getattr(data, "sources", None)
    if further:
        values["sources"] = list(dict.fromkeys([data.source, *further]))
    for prop in properties:
        if prop.name in _DERIVED:
            continue
        value = getattr(data, snake_case(prop.name), strawberry.UNSET)
        if prop.name in DATE_PRECISION_OF:
            value = _date_value(data, snake_case(prop.name), value)
        if value is strawberry.UNSET:
            continue
        if isinstance(value, list):
            value = [item.value if isinstance(item, StrEnum) else item for item in value]
        values[prop.name] = value.value if isinstance(value, StrEnum) else value
    return values


def _date_value(data: Any, field_name: str, given: Any) -> Any:
    """A partial date from the text field, or from the deprecated Date field as ISO text."""
    text = getattr(data, f"{field_name}_text", strawberry.UNSET)
    if text is strawberry.UNSET:
        return given.isoformat() if isinstance(given, dt.date) else given
    if given is not strawberry.UNSET:
        raise WriteRefused.one(
            ErrorCode.VALIDATION,
            f"{_camel(field_name)}Text",
            f"give {_camel(field_name)}Text or {_camel(field_name)}, not both",
        )
    return text


def _required(annotation: Any, description: str | None = None) -> tuple[Any, Any]:
    return annotation, lambda: strawberry.field(description=description)


def _optional(annotation: Any) -> tuple[Any, Any]:
    return annotation | None, lambda: None


_ID = _required(strawberry.ID, "Stable lowercase slug; the key of the upsert.")
_SOURCE_FIELD = _required(str, "URL or citation of where this fact comes from.")
_IDS = _optional(list[strawberry.ID])
_SOURCES = (
    list[str] | None,
    lambda: strawberry.field(
        default=None,
        description="Further URLs or citations of the same fact, stored after source as sources.",
    ),
)

InterventionInput = _input(
    "InterventionInput",
    "Create or update an intervention.",
    NODE_PROPERTIES["Intervention"],
    {"id": _ID, "source": _SOURCE_FIELD, "sources": _SOURCES},
)
AgencyInput = _input(
    "AgencyInput",
    "Create or update an agency.",
    NODE_PROPERTIES["Agency"],
    {"id": _ID, "source": _SOURCE_FIELD, "sources": _SOURCES},
)
OutcomeInput = _input(
    "OutcomeInput",
    "Create or update an outcome; partOfId places it under a broader outcome.",
    NODE_PROPERTIES["Outcome"],
    {
        "id": _ID,
        "source": _SOURCE_FIELD,
        "sources": _SOURCES,
        "part_of_id": _optional(strawberry.ID),
    },
)
StudyFindingInput = _input(
    "StudyFindingInput",
    "A finding written together with its study.",
    NODE_PROPERTIES["Finding"],
    {
        "id": _ID,
        "intervention_id": _required(strawberry.ID),
        "outcome_ids": _required(list[strawberry.ID]),
    },
)
StudyInput = _input(
    "StudyInput",
    "Create or update a study, the interventions it evaluates and its findings, in one transaction.",
    NODE_PROPERTIES["Study"],
    {
        "id": _ID,
        "source": _SOURCE_FIELD,
        "sources": _SOURCES,
        "intervention_ids": _IDS,
        "findings": _optional(list[StudyFindingInput]),
    },
)
FindingInput = _input(
    "FindingInput",
    "Create or update one finding with its study, intervention and outcomes.",
    NODE_PROPERTIES["Finding"],
    {
        "id": _ID,
        "source": _SOURCE_FIELD,
        "sources": _SOURCES,
        "study_id": _required(strawberry.ID),
        "intervention_id": _required(strawberry.ID),
        "outcome_ids": _required(list[strawberry.ID]),
    },
)
RatingInput = _input(
    "RatingInput",
    "Create or update a clearinghouse rating with its issuer, intervention and scope.",
    NODE_PROPERTIES["Rating"],
    {
        "id": _ID,
        "source": _SOURCE_FIELD,
        "sources": _SOURCES,
        "issuer_id": _required(strawberry.ID),
        "intervention_id": _required(strawberry.ID),
        "outcome_ids": _IDS,
    },
)
TrialInput = _input(
    "TrialInput",
    "Create or update a trial (one sample evaluated once); link studies with REPORTS_ON.",
    NODE_PROPERTIES["Trial"],
    {"id": _ID, "source": _SOURCE_FIELD, "sources": _SOURCES},
)
CaveatInput = _input(
    "CaveatInput",
    "Create or update a caveat; link it with QUALIFIES to a rating, intervention or study.",
    NODE_PROPERTIES["Caveat"],
    {"id": _ID, "source": _SOURCE_FIELD, "sources": _SOURCES},
)
PersonInput = _input(
    "PersonInput",
    "Create or update a person; link them with DEVELOPED to an intervention.",
    NODE_PROPERTIES["Person"],
    {"id": _ID, "source": _SOURCE_FIELD, "sources": _SOURCES},
)
ParticipationInput = _input(
    "ParticipationInput",
    "An agency's part in a multi-agency arrangement.",
    RELATIONSHIP_TYPES["PARTICIPATES_IN"].properties,
    {
        "agency_id": _required(strawberry.ID),
        "intervention_id": _required(strawberry.ID),
        "source": _SOURCE_FIELD,
    },
)
DeliveryInput = _input(
    "DeliveryInput",
    "An agency delivering an intervention.",
    RELATIONSHIP_TYPES["DELIVERS"].properties,
    {
        "agency_id": _required(strawberry.ID),
        "intervention_id": _required(strawberry.ID),
        "source": _SOURCE_FIELD,
    },
)
FundingInput = _input(
    "FundingInput",
    "Money from an agency to an intervention or (exclusively) a study.",
    RELATIONSHIP_TYPES["FUNDS"].properties,
    {
        "funder_id": _required(strawberry.ID),
        "intervention_id": _optional(strawberry.ID),
        "study_id": _optional(strawberry.ID),
        "source": _SOURCE_FIELD,
    },
)
StudyRoleInput = _input(
    "StudyRoleInput",
    "An agency's part in a study.",
    RELATIONSHIP_TYPES["CONDUCTED"].properties,
    {
        "agency_id": _required(strawberry.ID),
        "study_id": _required(strawberry.ID),
        "source": _SOURCE_FIELD,
    },
)
