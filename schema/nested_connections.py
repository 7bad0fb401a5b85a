"""Fields that page a node's nested lists: ``studiesConnection`` beside ``studies``...

Each takes ``first``/``after`` (or ``last``/``before``), a sort and a direction, and a
filter where the far node has a list filter. The query plan has already read the page
into the parent's map (service/plans/nested_pages.py) under this field's response key;
the resolver only turns those rows into edges with cursors.
"""

from __future__ import annotations

import inspect
from enum import Enum
from typing import Annotated, Any, Final

import strawberry
from strawberry.types import Info

from schema.enums import AgencySort, InterventionSort, OutcomeSort, SortDirection, StudySort
from schema.errors import expected_errors
from schema.filters import AgencyFilter, InterventionFilter, OutcomeFilter, StudyFilter
from schema.selection import entry_key
from service.plans.nested_pages import NESTED, SUFFIX
from service.plans.paging import PageRequest, page_of


@strawberry.enum(description="Orders a list of findings.")
class FindingSort(Enum):
    MEASURE = "MEASURE"
    FOLLOW_UP_MONTHS = "FOLLOW_UP_MONTHS"


@strawberry.enum(description="Orders a list of ratings.")
class RatingSort(Enum):
    RATED_ON = "RATED_ON"
    SCHEME = "SCHEME"


@strawberry.enum(description="Orders a list of caveats.")
class CaveatSort(Enum):
    KIND = "KIND"


@strawberry.enum(description="Orders a list of people.")
class PersonSort(Enum):
    NAME = "NAME"


@strawberry.enum(description="Orders a list of funding: by award date or amount.")
class FundingSort(Enum):
    AWARDED_ON = "AWARDED_ON"
    AMOUNT = "AMOUNT"


# Per sort family: the enum, and the default sort and direction (the nested list's order).
_SORTS: Final[dict[str, tuple[type[Enum], Enum, SortDirection]]] = {
    "Intervention": (InterventionSort, InterventionSort.NAME, SortDirection.ASC),
    "Agency": (AgencySort, AgencySort.NAME, SortDirection.ASC),
    "Study": (StudySort, StudySort.YEAR, SortDirection.DESC),
    "Outcome": (OutcomeSort, OutcomeSort.NAME, SortDirection.ASC),
    "Finding": (FindingSort, FindingSort.MEASURE, SortDirection.ASC),
    "Rating": (RatingSort, RatingSort.RATED_ON, SortDirection.DESC),
    "Caveat": (CaveatSort, CaveatSort.KIND, SortDirection.ASC),
    "Person": (PersonSort, PersonSort.NAME, SortDirection.ASC),
    "Funding": (FundingSort, FundingSort.AWARDED_ON, SortDirection.DESC),
}
_FILTERS: Final[dict[str, type]] = {
    "Intervention": InterventionFilter,
    "Agency": AgencyFilter,
    "Study": StudyFilter,
    "Outcome": OutcomeFilter,
}

_FIRST = "Rows from the start (after `after`): DEFAULT_PAGE_SIZE when neither first nor last is given, at most MAX_PAGE_SIZE."
_LAST = "Rows from the end (before `before`), at most MAX_PAGE_SIZE; not with first."
_AFTER = "endCursor of the previous page."
_BEFORE = "startCursor of the next page, to page backwards."


def paged(label: str, field: str, description: str | None = None) -> Any:
    """The connection field paging ``label``'s list ``field`` (a Strawberry field)."""
    python_name = f"{field}{SUFFIX}"
    nested = NESTED[label][python_name]
    sort_enum, default_sort, default_direction = _SORTS[nested.sorts]
    filter_type = _FILTERS.get(nested.far_labels[0]) if nested.filtered else None

    def resolve(
        root: Any,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        sort: Any = default_sort,
        direction: SortDirection = default_direction,
        filter: Any = None,
    ) -> Any:
        raw = root[entry_key(python_name, str(info.path.key))]
        request = PageRequest(
            first=first,
            after=after,
            last=last,
            before=before,
            sort=sort.value,
            direction=direction.value,
        )
        settings = info.context.settings
        with expected_errors():
            window = nested.window(
                request,
                default_size=settings.default_page_size,
                max_size=settings.max_page_size,
            )
        return page_of(
            raw["rows"],
            window=window,
            sort_name=nested.sort_name(request),
            total=raw["total"],
            beyond=raw["beyond"],
        )

    resolve.__annotations__ = {
        "info": Info,
        "first": Annotated[int | None, strawberry.argument(description=_FIRST)],
        "after": Annotated[str | None, strawberry.argument(description=_AFTER)],
        "last": Annotated[int | None, strawberry.argument(description=_LAST)],
        "before": Annotated[str | None, strawberry.argument(description=_BEFORE)],
        "sort": sort_enum,
        "direction": SortDirection,
    }
    if filter_type is not None:
        resolve.__annotations__["filter"] = filter_type | None
    else:
        _drop_filter(resolve)
    what = description or f"{field} of this {label.lower()}"
    return strawberry.field(
        resolver=resolve,
        description=f"A page of {what}, sorted"
        + (" and filtered" if filter_type is not None else "")
        + f"; the whole list is `{_camel(field)}`.",
    )


def _drop_filter(function: Any) -> None:
    """A list without a filter input takes no filter argument."""
    signature = inspect.signature(function)
    function.__signature__ = signature.replace(
        parameters=[p for p in signature.parameters.values() if p.name != "filter"]
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
