"""GET /imports/templates/{table}.csv: the empty table a partner fills in for a CSV import."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from service.imports.readers import CsvTable
from service.imports.templates import csv_template

router = APIRouter(tags=["imports"])


@router.get(
    "/imports/templates/{table}.csv",
    summary="An empty CSV table to fill in for POST /imports?table=...",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "The header row (UTF-8 with a byte-order mark, CRLF line ends), "
            "ready for Excel.",
        }
    },
)
async def import_template(table: CsvTable) -> Response:
    return Response(
        csv_template(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{table.value}.csv"'},
    )
