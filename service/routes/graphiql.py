"""GraphiQL, served by the service itself: the page GET /graphql gives browsers, and its files.

React, ReactDOM and GraphiQL come from npm at the versions web/package-lock.json pins and
are copied into static/graphiql/vendor by `make vendor`, so the page works with no
internet (Strawberry's built-in page loads them from a CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

GRAPHIQL_DIR: Final = Path(__file__).resolve().parent.parent / "static" / "graphiql"

router = APIRouter()


def graphiql_page() -> HTMLResponse:
    """The GraphiQL page; its scripts and styles are read from /graphiql/."""
    return HTMLResponse((GRAPHIQL_DIR / "index.html").read_text(encoding="utf-8"))


@router.get("/graphiql", include_in_schema=False)
async def graphiql() -> HTMLResponse:
    return graphiql_page()


@router.get("/graphiql/{name:path}", include_in_schema=False)
async def graphiql_file(name: str) -> FileResponse:
    """A file of the page; nothing outside its folder is served."""
    path = (GRAPHIQL_DIR / name).resolve()
    if not path.is_relative_to(GRAPHIQL_DIR) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path)
