"""CSV files in the layout ``neo4j-admin database import full`` reads, in one zip, streamed.

One file per label (``nodes_Agency.csv``) and per relationship type and end labels
(``relationships_FUNDS_Agency_Study.csv``). Ids are unique per label only, so each label
is its own ID space: ``id:ID(Agency)`` in node files, ``:START_ID(Agency)`` and
``:END_ID(Study)`` in relationship files. Header syntax as documented at
https://neo4j.com/docs/operations-manual/current/tools/neo4j-admin/neo4j-admin-import/
(header files, ID spaces, property data types, array delimiter). ``IMPORT.txt`` in the
zip holds the command that loads the files.
"""

from __future__ import annotations

import asyncio
import csv
import io
import time
import zipfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import IO, Any, Final

from service.exports.properties import EDGE_COLUMNS, NODE_COLUMNS, Kind, typed
from service.exports.source import EdgeGroup, GraphSource
from service.migrations import MIGRATIONS_DIR

# Neither ';' (the default) nor ',' can be relied on to be absent from author lists.
ARRAY_DELIMITER: Final = "|"

_HEADER_TYPE: Final[dict[Kind, str]] = {
    "string": "",
    "long": ":long",
    "double": ":double",
    "boolean": ":boolean",
    "date": ":date",
    "datetime": ":datetime",
    "string[]": ":string[]",
}


def node_file(label: str) -> str:
    return f"nodes_{label}.csv"


def edge_file(group: EdgeGroup) -> str:
    return f"relationships_{group.type}_{group.start_label}_{group.end_label}.csv"


def node_header(label: str) -> list[str]:
    columns = NODE_COLUMNS[label]
    return [f"id:ID({label})", ":LABEL", *(name + _HEADER_TYPE[k] for name, k in columns.items())]


def edge_header(group: EdgeGroup) -> list[str]:
    columns = EDGE_COLUMNS[group.type]
    return [
        f":START_ID({group.start_label})",
        f":END_ID({group.end_label})",
        ":TYPE",
        *(name + _HEADER_TYPE[kind] for name, kind in columns.items()),
    ]


def _cell(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    value = typed(value, kind)
    if kind == "string[]":
        return ARRAY_DELIMITER.join(value)
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _cells(properties: dict[str, Any], columns: dict[str, Kind]) -> list[str]:
    return [_cell(properties.get(name), kind) for name, kind in columns.items()]


def _csv(rows: Iterable[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode()


SCHEMA_FILE: Final = "schema.cypher"
_READABLE: Final = 0o100644 << 16  # a regular file, rw-r--r--, when unzipped


def import_command(nodes: list[str], relationships: list[str]) -> str:
    """How to load the files, for Neo4j 5 as its Operations Manual gives the command:
    the database name comes before the options (required from 5.19), and a full import
    into a database that exists (``neo4j`` always does) needs ``--overwrite-destination``.
    """
    arguments = [f"  --nodes=import/{name}" for name in nodes]
    arguments += [f"  --relationships=import/{name}" for name in relationships]
    return (
        "Load these files into Neo4j 5 with neo4j-admin (a full import replaces the\n"
        "whole database):\n\n"
        "1. Unzip this archive into the import/ folder of the Neo4j installation.\n"
        "2. Stop Neo4j (`bin/neo4j stop`; on Enterprise `STOP DATABASE neo4j` is enough).\n"
        "3. From the installation folder run:\n\n"
        "bin/neo4j-admin database import full neo4j \\\n"
        "  --overwrite-destination=true \\\n"
        f"  --array-delimiter='{ARRAY_DELIMITER}' --multiline-fields=true \\\n"
        + " \\\n".join(arguments)
        + "\n\n"
        "   (for another database of Neo4j Enterprise, write its name instead of neo4j,\n"
        "   then `CREATE DATABASE name` once it is imported).\n"
        "4. Start Neo4j, then create the unique id constraints and indexes the service\n"
        f"   relies on, which are in {SCHEMA_FILE} in this archive:\n\n"
        f"bin/cypher-shell -d neo4j -u neo4j -f import/{SCHEMA_FILE}\n\n"
        "   (or start Evidence Graph on the database: it applies them itself).\n"
    )


def schema_statements(migrations_dir: Path = MIGRATIONS_DIR) -> str:
    """Every migration file, in order: the constraints and indexes of the graph."""
    parts = [
        f"// {path.name}\n{path.read_text(encoding='utf-8').strip()}\n"
        for path in sorted(migrations_dir.glob("V*.cypher"))
    ]
    return "\n".join(parts)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _READABLE
    return info


class _Drain(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they arrive (zipfile writes to it)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


class _Entries:
    """Zip entries written one after another; a new name closes the entry before it."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._name: str | None = None
        self._file: IO[bytes] | None = None
        self.names: list[str] = []

    def write(self, name: str, header: list[str], rows: Iterable[list[str]]) -> None:
        if name != self._name:
            self.close()
            self._name, self._file = name, self._archive.open(_entry(name), "w")
            self._file.write(_csv([header]))
            self.names.append(name)
        assert self._file is not None
        self._file.write(_csv(rows))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._name, self._file = None, None


async def neo4j_import_zip(source: GraphSource) -> AsyncIterator[bytes]:
    drain = _Drain()
    # zipfile writes to a stream it cannot seek with data descriptors after each entry.
    with zipfile.ZipFile(drain, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = _Entries(archive)
        try:
            # Each batch's rows are formatted and compressed in a worker thread, one batch
            # at a time, as the GraphML and GEXF documents are built: the event loop only
            # passes the bytes on.
            async for label, nodes in source.nodes():
                columns = NODE_COLUMNS[label]
                await asyncio.to_thread(
                    entries.write,
                    node_file(label),
                    node_header(label),
                    ([n["id"], label, *_cells(n["properties"], columns)] for n in nodes),
                )
                yield drain.take()
            node_files = list(entries.names)
            async for group, edges in source.edges():
                columns = EDGE_COLUMNS[group.type]
                await asyncio.to_thread(
                    entries.write,
                    edge_file(group),
                    edge_header(group),
                    (
                        [
                            e["source"].partition(":")[2],
                            e["target"].partition(":")[2],
                            group.type,
                            *_cells(e["properties"], columns),
                        ]
                        for e in edges
                    ),
                )
                yield drain.take()
            entries.close()
            archive.writestr(_entry(SCHEMA_FILE), schema_statements())
            archive.writestr(
                _entry("IMPORT.txt"), import_command(node_files, entries.names[len(node_files) :])
            )
        finally:
            # A failed read leaves an entry open, which the archive refuses to close over.
            entries.close()
    yield drain.take()
