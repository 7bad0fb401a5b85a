"""Builds the executable schema and exports its SDL."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

import strawberry
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.errors import MASKED_MESSAGE, should_mask
from schema.graph_queries import GraphQuery
from schema.query import ReadQuery

SDL_PATH: Final = Path(__file__).resolve().parent / "schema.graphql"


def _read(source: Any, name: str) -> object:
    """Nested objects arrive as the plain dicts the query plans return."""
    if isinstance(source, dict):
        return source[name]
    return getattr(source, name)


# Each area of the API contributes its root fields as a class of its own.
QUERY_PARTS: Final[tuple[type, ...]] = (ReadQuery, GraphQuery)


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(
        query=merge_types("Query", QUERY_PARTS),
        config=StrawberryConfig(default_resolver=_read),
        extensions=[
            lambda: MaskErrors(should_mask_error=should_mask, error_message=MASKED_MESSAGE)
        ],
    )


def export_sdl(path: Path = SDL_PATH) -> None:
    path.write_text(build_schema().as_str() + "\n", encoding="utf-8")


if __name__ == "__main__":
    export_sdl()
