"""The graph model: labels, relationship types, their properties and enums.

This is the code's fixed registry. Every label, relationship type and property name
that appears in Cypher comes from here, never from a request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class InterventionKind(StrEnum):
    PROGRAMME = "PROGRAMME"
    PRACTICE_MODEL = "PRACTICE_MODEL"
    SYSTEM_ARRANGEMENT = "SYSTEM_ARRANGEMENT"
    SERVICE = "SERVICE"


class LevelOfNeed(StrEnum):
    UNIVERSAL = "UNIVERSAL"
    TARGETED_SELECTED = "TARGETED_SELECTED"
    TARGETED_INDICATED = "TARGETED_INDICATED"
    SPECIALIST = "SPECIALIST"


class DeliveryModel(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    GROUP = "GROUP"
    FAMILY = "FAMILY"
    HOME_VISITING = "HOME_VISITING"
    MULTI_AGENCY = "MULTI_AGENCY"
    MIXED = "MIXED"


class Sector(StrEnum):
    POLICE = "POLICE"
    CHILDRENS_SOCIAL_CARE = "CHILDRENS_SOCIAL_CARE"
    HEALTH = "HEALTH"
    EDUCATION = "EDUCATION"
    PROBATION = "PROBATION"
    LOCAL_GOVERNMENT = "LOCAL_GOVERNMENT"
    CHARITY = "CHARITY"
    RESEARCH = "RESEARCH"
    GOVERNMENT = "GOVERNMENT"
    CLEARINGHOUSE = "CLEARINGHOUSE"
    FUNDER = "FUNDER"
    OTHER = "OTHER"


class AreaType(StrEnum):
    URBAN = "URBAN"
    RURAL = "RURAL"
    MIXED = "MIXED"


class StudyDesign(StrEnum):
    RCT = "RCT"
    QED = "QED"
    PRE_POST = "PRE_POST"
    OBSERVATIONAL = "OBSERVATIONAL"
    QUALITATIVE = "QUALITATIVE"
    MIXED_METHODS = "MIXED_METHODS"
    SYSTEMATIC_REVIEW = "SYSTEMATIC_REVIEW"
    META_ANALYSIS = "META_ANALYSIS"
    EVIDENCE_REVIEW = "EVIDENCE_REVIEW"


class DesignRating(StrEnum):
    """How well a study's design supports a causal conclusion."""

    HIGH = "HIGH"
    MODERATE = "MODERATE"
    LOW = "LOW"


class StudyStatus(StrEnum):
    COMPLETED = "COMPLETED"
    ONGOING = "ONGOING"


class Direction(StrEnum):
    FAVOURABLE = "FAVOURABLE"
    NO_EFFECT = "NO_EFFECT"
    UNFAVOURABLE = "UNFAVOURABLE"
    MIXED = "MIXED"


class EffectSizeType(StrEnum):
    COHENS_D = "COHENS_D"
    HEDGES_G = "HEDGES_G"
    ODDS_RATIO = "ODDS_RATIO"
    RISK_RATIO = "RISK_RATIO"
    HAZARD_RATIO = "HAZARD_RATIO"
    PERCENTAGE_POINTS = "PERCENTAGE_POINTS"
    OTHER = "OTHER"


class OutcomeDomain(StrEnum):
    CHILD_SAFETY = "CHILD_SAFETY"
    CHILD_BEHAVIOUR = "CHILD_BEHAVIOUR"
    CHILD_DEVELOPMENT = "CHILD_DEVELOPMENT"
    MENTAL_HEALTH = "MENTAL_HEALTH"
    PARENTING = "PARENTING"
    FAMILY_FUNCTIONING = "FAMILY_FUNCTIONING"
    SYSTEM = "SYSTEM"
    EDUCATION = "EDUCATION"
    OTHER = "OTHER"


class RatingScheme(StrEnum):
    EIF = "EIF"
    TITLE_IV_E = "TITLE_IV_E"
    CEBC = "CEBC"
    BLUEPRINTS = "BLUEPRINTS"
    WWCSC = "WWCSC"
    CRIMESOLUTIONS = "CRIMESOLUTIONS"
    HOMVEE = "HOMVEE"
    OTHER = "OTHER"


class ComparisonCondition(StrEnum):
    """What the comparison group received (none: no comparison group at all)."""

    NO_TREATMENT = "NO_TREATMENT"
    WAITLIST = "WAITLIST"
    SERVICES_AS_USUAL = "SERVICES_AS_USUAL"
    ACTIVE_ALTERNATIVE = "ACTIVE_ALTERNATIVE"
    NONE = "NONE"


class DatePrecision(StrEnum):
    """How much of a date was published: a rating dated "2019-06" has MONTH precision.

    AS_OF: no date was published; the date is the day a source was read showing the
    rating in force ("as of 2026-11-30"), so the rating was published on or before it.
    """

    YEAR = "YEAR"
    MONTH = "MONTH"
    DAY = "DAY"
    AS_OF = "AS_OF"


class CaveatKind(StrEnum):
    DISPUTED = "DISPUTED"
    MIXED_FINDINGS = "MIXED_FINDINGS"
    VARIANT_ONLY = "VARIANT_ONLY"
    SCOPE_LIMITED = "SCOPE_LIMITED"
    OUTDATED = "OUTDATED"
    OTHER = "OTHER"


class DeliveryStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"
    PLANNED = "PLANNED"


PropertyType = type | tuple[type, ...]


@dataclass(frozen=True)
class Property:
    """One stored property: its name in the graph, its type, and whether it is required."""

    name: str
    type: PropertyType
    required: bool = False
    many: bool = False  # a list of ``type``


def _p(name: str, kind: PropertyType, *, required: bool = False, many: bool = False) -> Property:
    return Property(name, kind, required, many)


# Provenance and bookkeeping every node and relationship carries: ``source`` is the first
# of ``sources`` (every citation given for the fact, in the order given), and
# ``propertySources`` (JSON text) the citation of each property that came from another
# source than the latest write's (service/writes/provenance.py).
SOURCES: Final = _p("sources", str, many=True)
PROVENANCE: Final = (
    _p("source", str),
    SOURCES,
    _p("propertySources", str),
    _p("recordedBy", str),
)
TIMESTAMPS: Final = (_p("createdAt", dt.datetime), _p("updatedAt", dt.datetime))
RELATIONSHIP_TIMESTAMPS: Final = (_p("recordedAt", dt.datetime),)

NODE_PROPERTIES: Final[dict[str, tuple[Property, ...]]] = {
    "Intervention": (
        _p("name", str, required=True),
        _p("aliases", str, many=True),
        _p("kind", InterventionKind, required=True),
        _p("description", str),
        _p("countryOfOrigin", str),
        _p("originDecade", str),
        _p("minAge", int),
        _p("maxAge", int),
        _p("levelOfNeed", LevelOfNeed),
        _p("deliveryModel", DeliveryModel),
        _p("settings", str, many=True),
        _p("workforce", str),
        _p("costRating", int),
        _p("ukAvailable", bool),
        _p("ukTested", bool),
    ),
    "Agency": (
        _p("name", str, required=True),
        _p("sector", Sector, required=True),
        _p("country", str),
        _p("region", str),
        _p("areaType", AreaType),
        _p("url", str),
    ),
    "Study": (
        _p("title", str, required=True),
        _p("authors", str, many=True),
        _p("year", int, required=True),
        _p("design", StudyDesign, required=True),
        _p("designRating", DesignRating),
        _p("status", StudyStatus, required=True),
        _p("country", str),
        _p("sampleSize", int),
        _p("independent", bool),
        _p("attritionPercent", (int, float)),
        _p("differentialAttritionPercent", (int, float)),
        _p("comparison", ComparisonCondition),
        _p("followUpMonths", int),
        _p("url", str),
        _p("doi", str),
        _p("summary", str),
    ),
    "Trial": (
        _p("name", str, required=True),
        _p("design", StudyDesign),
        _p("country", str),
        _p("sampleSize", int),
        _p("registration", str),
        _p("summary", str),
    ),
    "Finding": (
        _p("measure", str, required=True),
        _p("direction", Direction),
        _p("effectSize", (int, float)),
        _p("effectSizeType", EffectSizeType),
        _p("pValue", (int, float)),
        _p("significant", bool),
        _p("followUpMonths", int),
        _p("sampleSize", int),
        _p("summary", str),
    ),
    "Outcome": (
        _p("name", str, required=True),
        _p("domain", OutcomeDomain, required=True),
        _p("description", str),
    ),
    "Rating": (
        _p("scheme", RatingScheme, required=True),
        _p("value", str, required=True),
        _p("topic", str),
        _p("ratedOn", dt.date, required=True),
        _p("ratedOnPrecision", DatePrecision),
        _p("url", str),
    ),
    "Caveat": (
        _p("kind", CaveatKind, required=True),
        _p("text", str, required=True),
    ),
    "Person": (
        _p("name", str, required=True),
        _p("affiliation", str),
        _p("url", str),
    ),
}

# Properties stored as ISO 3166-1 alpha-2 codes (service/countries.py normalises them).
COUNTRY_PROPERTIES: Final = frozenset({"country"})
# A date property and the property that records how much of it was published.
DATE_PRECISION_OF: Final = {"ratedOn": "ratedOnPrecision"}

LABELS: Final = tuple(NODE_PROPERTIES)


@dataclass(frozen=True)
class RelationshipType:
    name: str
    from_labels: tuple[str, ...]
    to_labels: tuple[str, ...]
    properties: tuple[Property, ...] = ()


RELATIONSHIP_TYPES: Final[dict[str, RelationshipType]] = {
    r.name: r
    for r in (
        RelationshipType(
            "PARTICIPATES_IN",
            ("Agency",),
            ("Intervention",),
            (_p("role", str, required=True), _p("since", dt.date), _p("until", dt.date)),
        ),
        RelationshipType(
            "DELIVERS",
            ("Agency",),
            ("Intervention",),
            (_p("since", dt.date), _p("until", dt.date), _p("status", DeliveryStatus)),
        ),
        RelationshipType(
            "FUNDS",
            ("Agency",),
            ("Intervention", "Study"),
            (
                _p("amount", (int, float)),
                _p("currency", str),
                _p("awardedOn", dt.date),
                _p("purpose", str),
            ),
        ),
        RelationshipType("DEVELOPED", ("Agency", "Person"), ("Intervention",)),
        RelationshipType("CONDUCTED", ("Agency",), ("Study",), (_p("role", str),)),
        RelationshipType("EVALUATES", ("Study",), ("Intervention",)),
        RelationshipType("REPORTS", ("Study",), ("Finding",)),
        RelationshipType("ON_OUTCOME", ("Finding",), ("Outcome",)),
        RelationshipType("OF", ("Finding",), ("Intervention",)),
        RelationshipType("TARGETS", ("Intervention",), ("Outcome",)),
        RelationshipType("VARIANT_OF", ("Intervention",), ("Intervention",)),
        RelationshipType("ISSUED", ("Agency",), ("Rating",)),
        RelationshipType("RATES", ("Rating",), ("Intervention",)),
        RelationshipType("SCOPED_TO", ("Rating",), ("Outcome",)),
        RelationshipType("PART_OF", ("Outcome",), ("Outcome",)),
        RelationshipType("REPORTS_ON", ("Study",), ("Trial",)),
        RelationshipType("QUALIFIES", ("Caveat",), ("Rating", "Intervention", "Study")),
    )
}
