"""POST /imports: a partner's bulk import over HTTP (evidence:write scope).

The body is streamed to a temporary file (never held in memory whole), checked, and
written in one transaction. 200 with the counts and the records created or updated
(with the properties each changes and keeps) when imported; 422 with every rejected
record (position, field, reason) when not, in which case nothing was written. With
``?dryRun=true`` the same checks and the same report, and nothing written. A body that
is not an import file at all (not an object, a record that is not an object, a label that
is not a string, nesting past 32 levels) is a 422 problem naming the first place, found
while streaming before any record is read into memory; one that is not JSON is a 400
problem. Store failures are the request boundary's 503 (service/problem_handlers.py).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from service.auth.authenticate import writer
from service.auth.principal import Principal
from service.http_problems import Problem
from service.imports.pipeline import run_import
from service.imports.readers import (
    CsvImportFile,
    CsvTable,
    ImportFile,
    JsonImportFile,
    MalformedFile,
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


@router.post("/imports")
async def import_records(
    request: Request,
    principal: Annotated[Principal, Depends(writer)],
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
    table: CsvTable | None = None,
    dry_run: Annotated[
        bool,
        Query(
            alias="dryRun",
            description="Check the file and report what the import would create, update "
            "and keep, writing nothing.",
        ),
    ] = False,
) -> JSONResponse:
    settings = request.app.state.settings
    kind = format or ("csv" if "csv" in request.headers.get("content-type", "") else "json")
    if kind == "csv" and table is None:
        raise Problem(
            400,
            f"a CSV import names its table: ?table={'|'.join(t.value for t in CsvTable)}",
            code="BAD_USER_INPUT",
            argument="table",
        )
    with tempfile.TemporaryDirectory(prefix="evidence-import-") as folder:
        path = Path(folder) / f"upload.{kind}"
        await _spool(request, path, settings.import_max_bytes, settings.body_read_timeout)
        source: ImportFile = (
            JsonImportFile(path)
            if kind == "json"
            else CsvImportFile(path, table or CsvTable.INTERVENTIONS)
        )
        try:
            keyed = _keyed_write(request, principal.client_id, path, kind, table)
        except BadHeader as error:
            raise Problem(400, str(error), code="BAD_REQUEST") from None
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
                dry_run=dry_run,
            )
        except KeyReused as error:
            raise Problem(422, str(error), code="IDEMPOTENCY_KEY_REUSED") from None
        except MalformedFile as error:
            raise Problem(
                422,
                f"the body is not an import file (docs/graph-file.schema.json): {error}",
                code="BAD_USER_INPUT",
                rejected=[{"where": error.where, "field": None, "reason": error.reason}],
            ) from None
        except UnreadableFile as error:
            raise Problem(400, str(error), code="BAD_USER_INPUT") from None
    logger.info("import by %s: %s, %d records", principal.client_id, report.status, report.records)
    bookmarks = await store.bookmarks() if store.wrote else []
    return JSONResponse(
        report.as_dict(),
        status_code=422 if report.status == "rejected" else 200,
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


async def _spool(request: Request, path: Path, limit: int, idle_timeout: float) -> None:
    """Write the body to ``path``; refuse it past ``limit`` bytes or when the client sends
    nothing for ``idle_timeout`` seconds (a slow client must not hold the import open)."""
    too_large = Problem(
        413,
        f"the file exceeds IMPORT_MAX_BYTES ({limit} bytes)",
        code="LIMIT_EXCEEDED",
        limit="IMPORT_MAX_BYTES",
        value=limit,
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    size = 0
    chunks = request.stream().__aiter__()
    with path.open("wb") as out:
        while True:
            try:
                async with asyncio.timeout(idle_timeout):
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise Problem(
                    408,
                    f"the body stopped arriving for {idle_timeout:g} s (BODY_READ_TIMEOUT)",
                    code="REQUEST_TIMEOUT",
                ) from None
            size += len(chunk)
            if size > limit:
                raise too_large
            out.write(chunk)
