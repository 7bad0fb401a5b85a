"""Builds the executable schema and exports its SDL."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types.execution import ExecutionContext

from schema.bookmarks import WriteBookmark
from schema.changes import ChangeQuery
from schema.documents import DEFAULT_CACHE_SIZE, DocumentCache, prepared_extension
from schema.errors import MASKED_MESSAGE, should_mask
from schema.evidence_queries import EvidenceQuery
from schema.graph_queries import GraphQuery
from schema.mutations import WriteMutation
from schema.query import ReadQuery
from schema.search import SearchQuery

SDL_PATH: Final = Path(__file__).resolve().parent / "schema.graphql"
logger = logging.getLogger(__name__)


class _Schema(strawberry.Schema):
    # Parsed, validated and analysed documents (schema/documents.py), shared by requests.
    documents: DocumentCache

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log the errors that are the service's fault in full; a caller's mistakes
        (validation, limits, bad input) only at DEBUG, so abuse cannot flood the log."""
        for error in errors:
            if should_mask(error):
                logger.error("unexpected error: %s", error, exc_info=error.original_error)
            else:
                logger.debug("request error: %s", error.message)


def _read(source: Any, name: str) -> object:
    """Nested objects arrive as the plain dicts the query plans return."""
    if isinstance(source, dict):
        return source[name]
    return getattr(source, name)


# Each area of the API contributes its root fields as a class of its own.
QUERY_PARTS: Final[tuple[type, ...]] = (
    ReadQuery,
    SearchQuery,
    ChangeQuery,
    EvidenceQuery,
    GraphQuery,
)
MUTATION_PARTS: Final[tuple[type, ...]] = (WriteMutation,)


def build_schema(document_cache_size: int = DEFAULT_CACHE_SIZE) -> _Schema:
    documents = DocumentCache(document_cache_size)
    schema = _Schema(
        query=merge_types("Query", QUERY_PARTS),
        mutation=merge_types("Mutation", MUTATION_PARTS),
        config=StrawberryConfig(default_resolver=_read),
        extensions=[
            prepared_extension(documents),
            WriteBookmark,
            lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE),
        ],
    )
    schema.documents = documents
    return schema


def export_sdl(path: Path = SDL_PATH) -> None:
    path.write_text(build_schema().as_str() + "\n", encoding="utf-8")


if __name__ == "__main__":
    export_sdl()
