"""POST /imports: a partner's bulk import over HTTP (evidence:write scope).

The body is streamed to a temporary file (never held in memory whole), checked, and
written in one transaction. 200 with the counts when imported; 422 with every rejected
record (position, field, reason) when not, in which case nothing was written.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from service.auth.principal import CHALLENGE, AuthenticationFailed, Scope
from service.imports.pipeline import run_import
from service.imports.readers import (
    CsvImportFile,
    CsvTable,
    ImportFile,
    JsonImportFile,
    UnreadableFile,
)
from service.store import Store
from service.write_headers import (
    BOOKMARK,
    IDEMPOTENCY_KEY,
    BadHeader,
    bookmark_token,
    bookmarks_from,
    idempotency_key,
)
from service.writes.idempotency import KeyReused, WriteKey, file_fingerprint
from service.writes.outcome import Writer

logger = logging.getLogger(__name__)
router = APIRouter()


class _TooLarge(Exception):
    pass


@router.post("/imports")
async def import_records(
    request: Request,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    table: CsvTable | None = None,
) -> JSONResponse:
    runtime = request.app.state.runtime
    settings = request.app.state.settings
    try:
        principal = await runtime.authenticator.authenticate(request.headers.get("authorization"))
    except AuthenticationFailed as failure:
        return JSONResponse({"error": str(failure)}, status_code=401, headers=CHALLENGE)
    if principal is None:
        return JSONResponse(
            {"error": "authentication required"}, status_code=401, headers=CHALLENGE
        )
    if not principal.allows(Scope.WRITE):
        return JSONResponse(
            {"error": f"this client lacks the {Scope.WRITE.value} scope"}, status_code=403
        )
    kind = format or ("csv" if "csv" in request.headers.get("content-type", "") else "json")
    if kind == "csv" and table is None:
        return JSONResponse(
            {
                "error": f"a CSV import names its table: ?table={'|'.join(t.value for t in CsvTable)}"
            },
            status_code=400,
        )
    with tempfile.TemporaryDirectory(prefix="evidence-import-") as folder:
        path = Path(folder) / f"upload.{kind}"
        try:
            await _spool(request, path, settings.import_max_bytes)
        except _TooLarge:
            return JSONResponse(
                {"error": f"the file exceeds IMPORT_MAX_BYTES ({settings.import_max_bytes} bytes)"},
                status_code=413,
            )
        source: ImportFile = (
            JsonImportFile(path)
            if kind == "json"
            else CsvImportFile(path, table or CsvTable.INTERVENTIONS)
        )
        try:
            keyed = _keyed_write(request, principal.client_id, path, kind, table)
        except BadHeader as error:
            return JSONResponse({"error": str(error), "code": "BAD_REQUEST"}, status_code=400)
        store, request_key, write_key = keyed
        try:
            report = await run_import(
                store,
                source,
                writer=Writer.of(principal, request_key),
                max_rejections=settings.import_max_rejections,
                timeout=settings.import_timeout,
                write_key=write_key,
                idempotency_window=settings.idempotency_window,
            )
        except KeyReused as error:
            return JSONResponse(
                {"error": str(error), "code": "IDEMPOTENCY_KEY_REUSED"}, status_code=422
            )
        except UnreadableFile as error:
            return JSONResponse({"status": "rejected", "error": str(error)}, status_code=400)
        except (ServiceUnavailable, SessionExpired):
            return JSONResponse(
                {
                    "error": "the database is unavailable; try again shortly",
                    "code": "STORE_UNAVAILABLE",
                },
                status_code=503,
            )
    logger.info("import by %s: %s, %d records", principal.client_id, report.status, report.records)
    bookmarks = await store.bookmarks() if store.wrote else []
    return JSONResponse(
        report.as_dict(),
        status_code=200 if report.status == "imported" else 422,
        headers={BOOKMARK: bookmark_token(bookmarks)} if bookmarks else None,
    )


def _keyed_write(
    request: Request, client: str, path: Path, kind: str, table: CsvTable | None
) -> tuple[Store, str, WriteKey]:
    """The request's view of the store (seeded with its Neo4j-Bookmark), and the key the
    import runs under: the client's Idempotency-Key, or one made for this request."""
    store = request.app.state.runtime.store.for_request(
        bookmarks_from(request.headers.get(BOOKMARK))
    )
    request_key = idempotency_key(request.headers.get(IDEMPOTENCY_KEY)) or str(uuid.uuid4())
    write_key = WriteKey.of(
        client=client,
        request_key=request_key,
        ordinal=1,
        request_fingerprint=file_fingerprint(path, kind, table and table.value),
    )
    return store, request_key, write_key


async def _spool(request: Request, path: Path, limit: int) -> None:
    size = 0
    with path.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            out.write(chunk)
