"""Root query fields. Each turns its whole selection into one Cypher statement."""

from __future__ import annotations

from typing import Annotated, Any, cast

import strawberry
from strawberry.types import Info

from schema.connections import Connection
from schema.context import Context
from schema.enums import AgencySort, InterventionSort, OutcomeSort, SortDirection, StudySort
from schema.errors import expected_errors
from schema.filters import AgencyFilter, InterventionFilter, OutcomeFilter, StudyFilter
from schema.network import Network
from schema.selection import selection_of
from schema.types import (
    Agency,
    Caveat,
    Finding,
    Intervention,
    Outcome,
    Person,
    Rating,
    Study,
    Trial,
)
from service.plans import listing, lookup
from service.plans import network as network_plan

ContextInfo = Info[Context, None]
First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: DEFAULT_PAGE_SIZE when omitted, at most MAX_PAGE_SIZE."
    ),
]
After = Annotated[str | None, strawberry.argument(description="endCursor of the previous page.")]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page size counted from the end (before `before`), at most MAX_PAGE_SIZE; "
        "not with first."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="startCursor of the next page, to page backwards."),
]


async def _by_id(info: ContextInfo, label: str, node_id: str) -> Any:
    with expected_errors():
        return await lookup.node_by_id(
            info.context.store, label=label, node_id=node_id, selection=selection_of(info)
        )


async def _page(
    info: ContextInfo,
    label: str,
    *,
    filters: object | None,
    sort: str,
    direction: SortDirection,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Any:
    settings = info.context.settings
    request = listing.PageRequest(
        first=first,
        after=after,
        last=last,
        before=before,
        sort=sort,
        direction=cast(Any, direction.value),
        filters=_plain(filters),
    )
    with expected_errors():
        return await listing.connection(
            info.context.store,
            label=label,
            request=request,
            selection=selection_of(info),
            max_page_size=settings.max_page_size,
            default_page_size=settings.default_page_size,
        )


def _plain(filters: object | None) -> dict[str, Any]:
    """Filter input as plain values (enums by name) for the query plan."""
    if filters is None:
        return {}
    values: dict[str, Any] = {}
    for name, value in vars(filters).items():
        if name in ("and_", "or_") and value is not None:
            value = [_plain(sub) for sub in value]
        elif name == "not_" and value is not None:
            value = _plain(value)
        elif isinstance(value, list):
            value = [getattr(item, "value", item) for item in value]
        values[name] = getattr(value, "value", value)
    return values


@strawberry.type
class ReadQuery:
    """Nodes by id, lists of each label, and the network around an intervention."""

    @strawberry.field(description="The intervention with this id, or null.")
    async def intervention(self, info: ContextInfo, id: strawberry.ID) -> Intervention | None:
        return cast(Intervention | None, await _by_id(info, "Intervention", id))

    @strawberry.field(description="The agency with this id, or null.")
    async def agency(self, info: ContextInfo, id: strawberry.ID) -> Agency | None:
        return cast(Agency | None, await _by_id(info, "Agency", id))

    @strawberry.field(description="The study with this id, or null.")
    async def study(self, info: ContextInfo, id: strawberry.ID) -> Study | None:
        return cast(Study | None, await _by_id(info, "Study", id))

    @strawberry.field(description="The outcome with this id, or null.")
    async def outcome(self, info: ContextInfo, id: strawberry.ID) -> Outcome | None:
        return cast(Outcome | None, await _by_id(info, "Outcome", id))

    @strawberry.field(description="The finding with this id, or null.")
    async def finding(self, info: ContextInfo, id: strawberry.ID) -> Finding | None:
        return cast(Finding | None, await _by_id(info, "Finding", id))

    @strawberry.field(description="The rating with this id, or null.")
    async def rating(self, info: ContextInfo, id: strawberry.ID) -> Rating | None:
        return cast(Rating | None, await _by_id(info, "Rating", id))

    @strawberry.field(description="The trial with this id, or null.")
    async def trial(self, info: ContextInfo, id: strawberry.ID) -> Trial | None:
        return cast(Trial | None, await _by_id(info, "Trial", id))

    @strawberry.field(description="The caveat with this id, or null.")
    async def caveat(self, info: ContextInfo, id: strawberry.ID) -> Caveat | None:
        return cast(Caveat | None, await _by_id(info, "Caveat", id))

    @strawberry.field(description="The person with this id, or null.")
    async def person(self, info: ContextInfo, id: strawberry.ID) -> Person | None:
        return cast(Person | None, await _by_id(info, "Person", id))

    @strawberry.field(description="Interventions, filtered and sorted, a page at a time.")
    async def interventions(
        self,
        info: ContextInfo,
        filter: InterventionFilter | None = None,
        sort: InterventionSort = InterventionSort.NAME,
        direction: SortDirection = SortDirection.ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Intervention]:
        return cast(
            Connection[Intervention],
            await _page(
                info,
                "Intervention",
                filters=filter,
                sort=sort.value,
                direction=direction,
                first=first,
                after=after,
                last=last,
                before=before,
            ),
        )

    @strawberry.field(description="Agencies, filtered and sorted, a page at a time.")
    async def agencies(
        self,
        info: ContextInfo,
        filter: AgencyFilter | None = None,
        sort: AgencySort = AgencySort.NAME,
        direction: SortDirection = SortDirection.ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Agency]:
        return cast(
            Connection[Agency],
            await _page(
                info,
                "Agency",
                filters=filter,
                sort=sort.value,
                direction=direction,
                first=first,
                after=after,
                last=last,
                before=before,
            ),
        )

    @strawberry.field(description="Studies, filtered and sorted, a page at a time.")
    async def studies(
        self,
        info: ContextInfo,
        filter: StudyFilter | None = None,
        sort: StudySort = StudySort.YEAR,
        direction: SortDirection = SortDirection.ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Study]:
        return cast(
            Connection[Study],
            await _page(
                info,
                "Study",
                filters=filter,
                sort=sort.value,
                direction=direction,
                first=first,
                after=after,
                last=last,
                before=before,
            ),
        )

    @strawberry.field(description="Outcomes, filtered and sorted, a page at a time.")
    async def outcomes(
        self,
        info: ContextInfo,
        filter: OutcomeFilter | None = None,
        sort: OutcomeSort = OutcomeSort.NAME,
        direction: SortDirection = SortDirection.ASC,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Outcome]:
        return cast(
            Connection[Outcome],
            await _page(
                info,
                "Outcome",
                filters=filter,
                sort=sort.value,
                direction=direction,
                first=first,
                after=after,
                last=last,
                before=before,
            ),
        )

    @strawberry.field(
        description="The arrangement around an intervention as nodes and edges for a graph view: "
        "its agencies (participating, delivering, funding, developing), studies, targeted "
        "outcomes and ratings with their issuers. Null for an unknown id."
    )
    async def network(self, info: ContextInfo, intervention_id: strawberry.ID) -> Network | None:
        with expected_errors():
            return cast(
                Network | None,
                await network_plan.network(info.context.store, intervention_id=intervention_id),
            )
