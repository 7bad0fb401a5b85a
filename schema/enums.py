"""The model's enums, exposed to GraphQL under the same names."""

from __future__ import annotations

from enum import Enum

import strawberry

from service import model

InterventionKind = strawberry.enum(model.InterventionKind)
LevelOfNeed = strawberry.enum(model.LevelOfNeed)
DeliveryModel = strawberry.enum(model.DeliveryModel)
Sector = strawberry.enum(model.Sector)
AreaType = strawberry.enum(model.AreaType)
StudyDesign = strawberry.enum(model.StudyDesign)
DesignRating = strawberry.enum(model.DesignRating)
StudyStatus = strawberry.enum(model.StudyStatus)
FindingDirection = strawberry.enum(model.Direction, name="FindingDirection")
EffectSizeType = strawberry.enum(model.EffectSizeType)
OutcomeDomain = strawberry.enum(model.OutcomeDomain)
RatingScheme = strawberry.enum(model.RatingScheme)
DeliveryStatus = strawberry.enum(model.DeliveryStatus)


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
