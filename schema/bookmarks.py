"""After a write, the response's ``extensions.bookmark``: send it back (in the
``Neo4j-Bookmark`` header) to read at least the state the write left."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension


class WriteBookmark(SchemaExtension):
    async def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        bookmark = await context.bookmark() if hasattr(context, "bookmark") else None
        return {"bookmark": bookmark} if bookmark else {}
