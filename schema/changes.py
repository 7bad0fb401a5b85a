"""The change log over GraphQL: who changed what, when, with values before and after."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from schema.connections import Connection
from schema.context import Context
from schema.errors import expected_errors
from service.plans import changes as changes_plan


@strawberry.type(description="One write: kept for ever, so corrections never erase history.")
class Change:
    id: strawberry.ID
    position: int = strawberry.field(
        description="The entry's place in commit order: 1, 2, 3... with no entry ever "
        "committed behind one already numbered. The feed is ordered by it."
    )
    at: dt.datetime
    client: str = strawberry.field(description="The client that wrote it.")
    agency: str | None = strawberry.field(description="The agency the client belongs to.")
    operation: str = strawberry.field(
        description="CREATE, UPDATE, DELETE, LINK, UPDATE_LINK or UNLINK."
    )
    entity_type: str = strawberry.field(description="A node label or a relationship type.")
    entity_id: str = strawberry.field(
        description="The node's id, or 'fromId->toId' for a relationship."
    )
    before: JSON | None
    after: JSON | None
    source: str | None
    request_key: str | None = strawberry.field(
        description="The Idempotency-Key of the request that made the change (or the key the "
        "service gave a request without one): the entries of one request share it."
    )


@strawberry.type
class ChangeQuery:
    @strawberry.field(
        description="The change log in commit order, as a feed: a consumer that saves the last "
        "endCursor and asks again with after: sees every change exactly once, in commit order. "
        "History is public like the facts it describes."
    )
    async def changes(
        self,
        info: Info[Context, None],
        since: dt.datetime | None = None,
        entity_id: strawberry.ID | None = None,
        entity_type: str | None = None,
        client: str | None = None,
        first: Annotated[
            int | None, strawberry.argument(description="Page size (default DEFAULT_PAGE_SIZE).")
        ] = None,
        after: str | None = None,
    ) -> Connection[Change]:
        settings = info.context.settings
        with expected_errors():
            result: Any = await changes_plan.changes(
                info.context.store,
                filters={
                    "since": since,
                    "entity_id": entity_id,
                    "entity_type": entity_type,
                    "client": client,
                },
                first=settings.default_page_size if first is None else first,
                after=after,
                max_page_size=settings.max_page_size,
            )
        return cast(Connection[Change], result)
