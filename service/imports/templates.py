"""Empty CSV tables to fill in, one per import table, as Excel reads them.

The header row names every column the table takes; the file starts with a byte-order
mark (so Excel reads it as UTF-8, and accented names survive) and ends lines with CRLF.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from service.imports.readers import TABLE_LABELS, CsvTable
from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES

BYTE_ORDER_MARK: Final = "\ufeff"


def template_columns(table: CsvTable) -> list[str]:
    if table is CsvTable.RELATIONSHIPS:
        properties: dict[str, None] = {}
        for definition in RELATIONSHIP_TYPES.values():
            properties.update(dict.fromkeys(p.name for p in definition.properties))
        return ["type", "from", "to", "source", *properties]
    return ["id", "source", *(p.name for p in NODE_PROPERTIES[TABLE_LABELS[table]])]


def csv_template(table: CsvTable) -> bytes:
    text = io.StringIO()
    text.write(BYTE_ORDER_MARK)
    csv.writer(text, lineterminator="\r\n").writerow(template_columns(table))
    return text.getvalue().encode("utf-8")
