"""Cross-origin requests from browser apps, for the origins CORS_ALLOW_ORIGINS names.

Credentials travel as bearer tokens in ``Authorization``, never as cookies, so responses
do not allow credentials; a preflight is remembered by the browser for ten minutes.
"""

from __future__ import annotations

import re
from typing import Final

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from service.settings import Settings

ALLOWED_HEADERS: Final = [
    "Authorization",
    "Content-Type",
    "Accept",
    "Idempotency-Key",
    "Neo4j-Bookmark",
]
# Headers a browser app may read: rate-limit state, retry hints, download names, request
# ids, the bookmark that lets its next read see its write.
EXPOSED_HEADERS: Final = [
    "Neo4j-Bookmark",
    "RateLimit",
    "RateLimit-Policy",
    "Retry-After",
    "Content-Disposition",
    "X-Request-Id",
]
PREFLIGHT_MAX_AGE: Final = 600


def cors_middleware(settings: Settings) -> Middleware | None:
    """Answer preflights and mark responses for the allowed origins; None when none are."""
    origins = settings.cors_origins
    if not origins:
        return None
    exact = [origin for origin in origins if not origin.endswith(":*")]
    any_port = [
        re.escape(origin[: -len(":*")]) + r":[0-9]{1,5}"
        for origin in origins
        if origin.endswith(":*")
    ]
    return Middleware(
        CORSMiddleware,
        allow_origins=exact,
        allow_origin_regex="|".join(any_port) or None,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=PREFLIGHT_MAX_AGE,
    )
