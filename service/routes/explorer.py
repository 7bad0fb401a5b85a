"""GET /explore: the explorer page and its files (Cytoscape.js is vendored by `make vendor`)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

EXPLORER_DIR: Final = Path(__file__).resolve().parent.parent / "static" / "explorer"

router = APIRouter()


@router.get("/explore", include_in_schema=False)
async def explorer_page() -> FileResponse:
    return FileResponse(EXPLORER_DIR / "index.html", media_type="text/html")


@router.get("/explore/{name:path}", include_in_schema=False)
async def explorer_file(name: str) -> FileResponse:
    """A file of the page; nothing outside its folder is served."""
    path = (EXPLORER_DIR / name).resolve()
    if not path.is_relative_to(EXPLORER_DIR) or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(path)
