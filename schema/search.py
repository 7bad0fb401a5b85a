"""The search root field: one text across names, aliases and descriptions, ranked."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.types import Info

from schema.connections import PageInfo
from schema.context import Context
from schema.errors import expected_errors
from schema.graph_queries import NodeLabel
from service.plans import search as search_plan


@strawberry.enum(description="Where the text was found, in the order hits are ranked.")
class SearchMatch(Enum):
    NAME = "NAME"
    ALIAS = "ALIAS"
    DESCRIPTION = "DESCRIPTION"
    TEXT = "TEXT"


@strawberry.enum(description="How this store searches.")
class SearchMethod(Enum):
    FULL_TEXT_INDEX = strawberry.enum_value(
        "FULL_TEXT_INDEX",
        description="Neo4j's full-text index: words and word starts, in any order, "
        "ties broken by relevance.",
    )
    SUBSTRING = strawberry.enum_value(
        "SUBSTRING",
        description="A store without full-text indexes (the embedded one): the text as a "
        "case-insensitive substring, every node of the asked labels scanned.",
    )


@strawberry.type(description="One node the text was found in; fetch the node itself by id.")
class SearchHit:
    key: str = strawberry.field(description="Label:id, as in subgraph and network.")
    label: NodeLabel  # type: ignore[valid-type]
    id: strawberry.ID
    name: str | None = strawberry.field(description="The name (a study's title).")
    matched_on: SearchMatch = strawberry.field(
        description="NAME (title) ranks above ALIAS above DESCRIPTION (summary); TEXT: "
        "only the full-text index matched (words in another order)."
    )
    score: float = strawberry.field(
        description="Higher is better: 6 exact name, 5 name start, 4 name, 3 exact alias, "
        "2 alias, 1 description; the fraction is the full-text relevance."
    )


@strawberry.type
class SearchEdge:
    cursor: str
    node: SearchHit


@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Hits in all, on every page.")
    method: SearchMethod


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Interventions, agencies, studies and outcomes whose name, aliases or "
        "description contain `text` (case-insensitive), best first: name above alias above "
        "description. `labels` narrows the kinds of node (default: all four). Pages are "
        "positions in the ranking (`after` is the endCursor of the previous page)."
    )
    async def search(
        self,
        info: Info[Context, None],
        text: str,
        labels: list[NodeLabel] | None = None,  # type: ignore[valid-type]
        first: Annotated[
            int | None,
            strawberry.argument(description="Page size: DEFAULT_PAGE_SIZE when omitted."),
        ] = None,
        after: str | None = None,
    ) -> SearchConnection:
        context = info.context
        request = search_plan.SearchRequest(
            text=text,
            labels=tuple(str(getattr(label, "value", label)) for label in labels or ()),
            first=context.settings.default_page_size if first is None else first,
            after=after,
        )
        method: search_plan.SearchMethod = (
            "FULL_TEXT_INDEX" if context.store.full_text_search else "SUBSTRING"
        )
        with expected_errors():
            result = await search_plan.search(
                context.store,
                request=request,
                method=method,
                max_page_size=context.settings.max_page_size,
            )
        return _connection(result)


def _connection(result: dict[str, object]) -> SearchConnection:
    edges = cast(list[dict[str, dict[str, object]]], result["edges"])
    return SearchConnection(
        edges=[
            SearchEdge(
                cursor=cast(str, edge["cursor"]),
                node=SearchHit(
                    key=cast(str, edge["node"]["key"]),
                    label=NodeLabel[cast(str, edge["node"]["label"])],
                    id=strawberry.ID(cast(str, edge["node"]["id"])),
                    name=cast(str | None, edge["node"]["name"]),
                    matched_on=SearchMatch(edge["node"]["matched_on"]),
                    score=cast(float, edge["node"]["score"]),
                ),
            )
            for edge in edges
        ],
        page_info=PageInfo(**cast(dict[str, object], result["page_info"])),  # type: ignore[arg-type]
        total_count=cast(int, result["total_count"]),
        method=SearchMethod(result["method"]),
    )
