"""Streams records out of an import file, JSON or CSV, without loading it whole.

Each reader is read in passes: first its outline (the file's sources and how many records
it holds; for JSON, its shape is checked in the same walk), then its nodes, then its
relationships (a retried import reads them again). Records come as ``(where, raw)``
pairs: the record's position as the error report names it, and the record in the
graph-file shape ({label, id, source, properties} or {type, from, to, source,
properties}).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

import ijson

from service.imports.json_in_memory import IN_MEMORY_BYTES, ParsedFile, parse_well_shaped
from service.imports.json_shape import Outline, check_shape
from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES, Property
from service.validation import PERSONAL_DATA_FIELDS

Record = tuple[str, Any]


class UnreadableFile(ValueError):
    """The file is not valid JSON/CSV (or not UTF-8); the message says where."""


class MalformedFile(UnreadableFile):
    """Valid JSON that is not an import file (the shape docs/graph-file.schema.json
    requires); ``where`` names the place, as record problems do."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where or 'the file'}: {reason}")
        self.where = where or "$"
        self.reason = reason


class ImportFile(Protocol):
    def outline(self) -> Outline: ...
    def nodes(self) -> Iterator[Record]: ...
    def relationships(self) -> Iterator[Record]: ...


@dataclass
class JsonImportFile:
    """The graph-file format of docs/graph-file.schema.json: parsed whole when small and
    well shaped (``json_in_memory``), else streamed with ijson."""

    path: Path
    _parsed: ParsedFile | None = field(default=None, init=False, repr=False)

    def outline(self) -> Outline:
        # Read first by every import: the file's shape is checked, streaming and with
        # its depth capped, before any record is built in memory; a small file is parsed
        # whole and its records kept when its shape is right.
        if self.path.stat().st_size <= IN_MEMORY_BYTES:
            self._parsed = parse_well_shaped(self.path.read_bytes())
            if self._parsed is not None:
                return self._parsed.outline
        with self._open() as handle, _readable():
            return check_shape(handle)

    def nodes(self) -> Iterator[Record]:
        yield from self._items("nodes")

    def relationships(self) -> Iterator[Record]:
        yield from self._items("relationships")

    def _items(self, key: str) -> Iterator[Record]:
        if self._parsed is not None:
            records = self._parsed.nodes if key == "nodes" else self._parsed.relationships
            for index, item in enumerate(records):
                yield f"{key}[{index}]", item
            return
        with self._open() as handle, _readable():
            for index, item in enumerate(ijson.items(handle, f"{key}.item", use_float=True)):
                yield f"{key}[{index}]", item

    def _open(self) -> IO[bytes]:
        return self.path.open("rb")


@contextlib.contextmanager
def _readable() -> Iterator[None]:
    """A JSON file's parse errors as UnreadableFile, naming what is wrong."""
    try:
        yield
    except ijson.JSONError as error:
        raise UnreadableFile(f"the file is not valid JSON: {error}") from None
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"the file is not valid UTF-8 at byte {error.start}") from None


class CsvTable(StrEnum):
    INTERVENTIONS = "interventions"
    AGENCIES = "agencies"
    STUDIES = "studies"
    FINDINGS = "findings"
    OUTCOMES = "outcomes"
    RATINGS = "ratings"
    RELATIONSHIPS = "relationships"


TABLE_LABELS = {
    CsvTable.INTERVENTIONS: "Intervention",
    CsvTable.AGENCIES: "Agency",
    CsvTable.STUDIES: "Study",
    CsvTable.FINDINGS: "Finding",
    CsvTable.OUTCOMES: "Outcome",
    CsvTable.RATINGS: "Rating",
}
LIST_SEPARATOR = ";"


@dataclass
class CsvImportFile:
    """One table per file, a header row of property names, ``id`` and ``source`` columns.

    Node tables: ``id,source,<properties>``. The relationships table:
    ``type,from,to,source,<properties of any relationship type>``. Lists are separated
    by ';'; an empty cell leaves the property out. ``source`` holds the citation itself.
    """

    path: Path
    table: CsvTable

    def outline(self) -> Outline:
        outline = Outline()
        for _, row in self._rows():
            outline.records += 1
            source = (row.get("source") or "").strip()
            if source:
                outline.sources[source] = {"citation": source}
        return outline

    def nodes(self) -> Iterator[Record]:
        if self.table is CsvTable.RELATIONSHIPS:
            return
        label = TABLE_LABELS[self.table]
        properties = {p.name: p for p in NODE_PROPERTIES[label]}
        for where, row in self._rows():
            yield (
                where,
                {
                    "label": label,
                    "id": row.get("id"),
                    "source": (row.get("source") or "").strip(),
                    "properties": _typed(row, properties, skip={"id", "source"}),
                },
            )

    def relationships(self) -> Iterator[Record]:
        if self.table is not CsvTable.RELATIONSHIPS:
            return
        for where, row in self._rows():
            definition = RELATIONSHIP_TYPES.get(row.get("type") or "")
            properties = {p.name: p for p in definition.properties} if definition else {}
            yield (
                where,
                {
                    "type": row.get("type"),
                    "from": row.get("from"),
                    "to": row.get("to"),
                    "source": (row.get("source") or "").strip(),
                    "properties": _typed(row, properties, skip={"type", "from", "to", "source"}),
                },
            )

    def _rows(self) -> Iterator[tuple[str, dict[str, str]]]:
        try:
            # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which is not
            # part of the first column's name.
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                delimiter = _delimiter(handle.readline())
                handle.seek(0)
                reader = csv.DictReader(handle, delimiter=delimiter, strict=True)
                self._check_header(reader.fieldnames or [], delimiter)
                started = 1  # the last line of the record before: where a bad one starts
                for row in reader:
                    if None in row:
                        raise UnreadableFile(
                            f"line {reader.line_num} has more cells than the header row has "
                            "columns (a cell with a comma or semicolon in it needs quotes)"
                        )
                    yield (
                        f"line {reader.line_num}",
                        {k: v for k, v in row.items() if v not in (None, "")},
                    )
                    started = reader.line_num
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                f"the file is not UTF-8 text (byte {error.start}); in Excel save it as "
                "'CSV UTF-8 (Comma delimited)'"
            ) from None
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise UnreadableFile(
                    f'a quoted cell starting on line {started + 1} is never closed: a " is '
                    "missing at the end of that cell"
                ) from None
            raise UnreadableFile(f"line {started + 1} is not valid CSV: {error}") from None

    def _check_header(self, columns: Sequence[str], delimiter: str) -> None:
        required = (
            ("type", "from", "to", "source")
            if self.table is CsvTable.RELATIONSHIPS
            else ("id", "source")
        )
        missing = [name for name in required if name not in columns]
        if missing:
            raise UnreadableFile(
                f"the header row (line 1) has no {', '.join(repr(m) for m in missing)} "
                f"column; the {self.table.value} table starts with "
                f"{delimiter.join(required)} (GET /imports/templates/{self.table.value}.csv "
                "gives the whole header)"
            )


def _delimiter(header: str) -> str:
    """',' or ';' (Excel's choice where the decimal separator is a comma), from the header."""
    return ";" if header.count(";") > header.count(",") else ","


def _typed(
    row: dict[str, str], properties: dict[str, Property], *, skip: set[str]
) -> dict[str, Any]:
    """Cell text converted to the property's type; unknown columns pass through to be refused."""
    values: dict[str, Any] = {}
    for column, text in row.items():
        if column in skip:
            continue
        prop = properties.get(column)
        if prop is None or column.lower() in PERSONAL_DATA_FIELDS:
            values[column] = text
            continue
        if prop.many:
            values[column] = [
                _cell(prop, part.strip()) for part in text.split(LIST_SEPARATOR) if part.strip()
            ]
        else:
            values[column] = _cell(prop, text.strip())
    return values


def _cell(prop: Property, text: str) -> Any:
    kinds = prop.type if isinstance(prop.type, tuple) else (prop.type,)
    if bool in kinds:
        return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(
            text.lower(), text
        )
    for kind in (int, float):
        if kind in kinds:
            try:
                return kind(text)
            except ValueError:
                continue
    return text
