"""The model's enums, exposed to GraphQL under the same names."""

from __future__ import annotations

from enum import Enum

import strawberry

from service import model

# Registered in place: the model's own enum classes are the GraphQL enums.
for _enum in (
    model.InterventionKind,
    model.LevelOfNeed,
    model.DeliveryModel,
    model.Sector,
    model.AreaType,
    model.StudyDesign,
    model.DesignRating,
    model.StudyStatus,
    model.EffectSizeType,
    model.OutcomeDomain,
    model.RatingScheme,
    model.DeliveryStatus,
    model.ComparisonCondition,
    model.DatePrecision,
    model.CaveatKind,
):
    strawberry.enum(_enum)
strawberry.enum(model.Direction, name="FindingDirection")

InterventionKind = model.InterventionKind
LevelOfNeed = model.LevelOfNeed
DeliveryModel = model.DeliveryModel
Sector = model.Sector
AreaType = model.AreaType
StudyDesign = model.StudyDesign
DesignRating = model.DesignRating
StudyStatus = model.StudyStatus
FindingDirection = model.Direction
EffectSizeType = model.EffectSizeType
OutcomeDomain = model.OutcomeDomain
RatingScheme = model.RatingScheme
DeliveryStatus = model.DeliveryStatus
ComparisonCondition = model.ComparisonCondition
DatePrecision = model.DatePrecision
CaveatKind = model.CaveatKind


@strawberry.enum
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.enum
class InterventionSort(Enum):
    NAME = "NAME"
    COST_RATING = "COST_RATING"


@strawberry.enum
class AgencySort(Enum):
    NAME = "NAME"
    SECTOR = "SECTOR"


@strawberry.enum
class StudySort(Enum):
    YEAR = "YEAR"
    TITLE = "TITLE"


@strawberry.enum
class OutcomeSort(Enum):
    NAME = "NAME"
    DOMAIN = "DOMAIN"
