"""The REQUIRE_AUTH_FOR_READS check for plain HTTP routes (exports), as GraphQL does it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from service.auth.principal import CHALLENGE, AuthenticationFailed, Scope


async def refuse_closed_read(request: Request) -> JSONResponse | None:
    """A 401/403 answer when reads are closed and the caller may not read; else None."""
    if not request.app.state.settings.require_auth_for_reads:
        return None
    try:
        principal = await request.app.state.runtime.authenticator.authenticate(
            request.headers.get("authorization")
        )
    except AuthenticationFailed as failure:
        return JSONResponse(
            {"error": str(failure), "code": "UNAUTHENTICATED"}, status_code=401, headers=CHALLENGE
        )
    if principal is None:
        return JSONResponse(
            {"error": "this service requires a bearer token", "code": "UNAUTHENTICATED"},
            status_code=401,
            headers=CHALLENGE,
        )
    if not principal.allows(Scope.READ):
        return JSONResponse(
            {"error": f"this client lacks the {Scope.READ.value} scope", "code": "FORBIDDEN"},
            status_code=403,
        )
    return None
