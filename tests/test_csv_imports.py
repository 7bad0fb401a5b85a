"""CSV as Excel writes it (byte-order mark, ';' where the locale uses a decimal comma,
CRLF), errors in words a data manager understands, and a template per table."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from service.imports.readers import CsvTable
from service.imports.templates import template_columns
from tests.conftest import WriteClient

_EXCEL_SEMICOLON = (
    "\ufeffid;source;name;kind;costRating;aliases;description\r\n"
    'imp-excel-one;Register 2026;Excel programme é;PROGRAMME;2;"Ex One;Ex First";'
    '"Two lines\r\nof description, with a comma"\r\n'
)


async def _post_csv(writes: WriteClient, table: str, text: str) -> httpx.Response:
    headers = {"content-type": "text/csv", "authorization": f"Bearer {writes.tokens['writer']}"}
    return await writes.http.post(
        f"/v1/imports?table={table}", content=text.encode(), headers=headers
    )


async def test_excel_csv_with_a_byte_order_mark_semicolons_and_crlf_imports(
    writes: WriteClient,
) -> None:
    response = await _post_csv(writes, "interventions", _EXCEL_SEMICOLON)
    assert response.status_code == 200, response.text
    data = await writes(
        '{ intervention(id: "imp-excel-one") { name costRating aliases description } }',
        token=None,
    )
    assert data["intervention"] == {
        "name": "Excel programme é",
        "costRating": 2,
        "aliases": ["Ex One", "Ex First"],
        "description": "Two lines\r\nof description, with a comma",
    }


async def test_comma_separated_excel_csv_with_a_byte_order_mark_imports(
    writes: WriteClient,
) -> None:
    table = "\ufeffid,source,name,kind\r\nimp-excel-two,Register 2026,Excel two,SERVICE\r\n"
    response = await _post_csv(writes, "interventions", table)
    assert response.status_code == 200, response.text
    assert response.json()["nodes"]["created"] == 1


async def test_an_unterminated_quote_is_reported_as_such(writes: WriteClient) -> None:
    table = (
        "id,source,name,kind\r\n"
        "imp-excel-three,Register,Three,PROGRAMME\r\n"
        'imp-excel-four,Register,"Four,PROGRAMME\r\n'
        "imp-excel-five,Register,Five,PROGRAMME\r\n"
    )
    response = await _post_csv(writes, "interventions", table)
    assert response.status_code == 400
    assert "a quoted cell starting on line 3 is never closed" in response.text
    assert "kind is required" not in response.text
    assert (
        await writes.count("MATCH (n) WHERE n.id STARTS WITH 'imp-excel-th' RETURN count(n) AS n")
        == 0
    )


async def test_missing_cells_are_reported_in_words_never_as_none(writes: WriteClient) -> None:
    nodes = (
        "id,source,name,kind\r\n,Register,No id,PROGRAMME\r\nimp-excel-six,,No source,PROGRAMME\r\n"
    )
    response = await _post_csv(writes, "interventions", nodes)
    assert response.status_code == 422
    reasons = {(r["where"], r["field"]): r["reason"] for r in response.json()["rejected"]}
    assert reasons[("line 2", "id")] == "is missing: every record needs an id"
    assert reasons[("line 3", "source")] == "is missing: give the URL or citation of the fact"
    links = (
        "type,from,to,source\r\n,agency-police,mash,Register\r\nPARTICIPATES_IN,,mash,Register\r\n"
    )
    response = await _post_csv(writes, "relationships", links)
    assert response.status_code == 422
    reasons = {(r["where"], r["field"]): r["reason"] for r in response.json()["rejected"]}
    assert reasons[("line 2", "type")].startswith("is missing: give one of ")
    assert reasons[("line 3", "from")] == "is missing: the id of the from node"
    assert "None" not in response.text


async def test_a_header_without_the_id_column_names_what_is_missing(writes: WriteClient) -> None:
    response = await _post_csv(writes, "interventions", "name,kind\r\nX,PROGRAMME\r\n")
    assert response.status_code == 400
    assert "the header row (line 1) has no 'id', 'source' column" in response.text


@pytest.mark.parametrize("table", list(CsvTable))
async def test_every_table_has_a_template_excel_reads(writes: WriteClient, table: CsvTable) -> None:
    response = await writes.http.get(f"/v1/imports/templates/{table.value}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="{table.value}.csv"' in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf") and response.content.endswith(b"\r\n")
    [header] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == template_columns(table)


async def test_a_filled_in_template_imports(writes: WriteClient) -> None:
    template = (await writes.http.get("/v1/imports/templates/outcomes.csv")).content.decode("utf-8")
    columns = template.lstrip("\ufeff").strip().split(",")
    values = {
        "id": "imp-template-outcome",
        "source": "Register",
        "name": "Template outcome",
        "domain": "OTHER",
    }
    row = ",".join(values.get(column, "") for column in columns)
    response = await _post_csv(writes, "outcomes", template + row + "\r\n")
    assert response.status_code == 200, response.text
    assert response.json()["nodes"]["created"] == 1


async def test_an_unknown_table_has_no_template(writes: WriteClient) -> None:
    assert (await writes.http.get("/v1/imports/templates/children.csv")).status_code == 422
