"""The HTTP API's version prefix, and the old unversioned paths answering 308 to it.

Partner endpoints live under ``/v1/``. The paths they had before (``/imports``,
``/exports/...``) redirect with 308, which keeps the method and body, so existing
clients keep working until the paths are removed (see "Versions and deprecation" in the
README). GraphQL is not versioned by path: its schema evolves by deprecation.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

API_PREFIX: Final = "/v1"
VERSIONED_ROOTS: Final = ("imports", "exports")


async def redirect_to_v1(request: Request) -> RedirectResponse:
    """308 to the same path, query included, under /v1."""
    target = f"{API_PREFIX}{request.url.path}"
    if request.url.query:
        target += f"?{request.url.query}"
    return RedirectResponse(
        target,
        status_code=308,
        headers={"Link": f'<{API_PREFIX}{request.url.path}>; rel="successor-version"'},
    )


def legacy_router() -> APIRouter:
    """Redirects for exactly the old paths: /imports, /imports/..., /exports/..., /openapi.json."""
    router = APIRouter()
    for path in ("/imports", "/imports/{rest:path}", "/exports/{rest:path}", "/openapi.json"):
        router.add_api_route(path, redirect_to_v1, methods=["GET", "POST"], include_in_schema=False)
    return router
