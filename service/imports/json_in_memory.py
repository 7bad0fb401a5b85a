"""A small import file parsed whole, once, instead of streamed three times.

Streaming (``json_shape.check_shape``, then ``ijson.items`` for the nodes and again for
the relationships) keeps memory bounded whatever the body, but walks every parser event
in Python: about 0.2 s of CPU for a 10,000-record file, as much as checking its records.
A file of at most IN_MEMORY_BYTES is parsed by the standard library's C parser instead
and its records served from memory.

This path only ever accepts: whatever it does not recognise as a well-shaped file in the
exact sense of ``json_shape`` (and parsed to the same values ijson gives) is handed back
to the streaming path, which refuses it in its usual words or reads it as before. So the
two differ in speed alone. Handed back: text that is not UTF-8 or not JSON, a key given
twice in one object (the streaming check sees both values, a parsed dict only the last),
numbers the streaming parser refuses (beyond 64-bit integers, beyond float range) or
reads otherwise (NaN, Infinity), ``\\uD800``-``\\uDFFF`` escapes (the streaming parser
turns a lone one into ``?``), and any shape problem.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Final

from service.imports.json_shape import (
    MAX_IMPORT_DEPTH,
    RECORD_KEYS,
    STRING_FIELDS,
    TOP_KEYS,
    Outline,
)

# Held as Python objects while the import runs: about five times the file (6 MB for the
# 1.2 MB benchmark file, measured with tracemalloc); larger files stream.
IN_MEMORY_BYTES: Final = 8 * 1024 * 1024

_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")
_INT64: Final = 2**63


@dataclass(frozen=True)
class ParsedFile:
    outline: Outline
    nodes: list[Any]
    relationships: list[Any]


class _HandBack(ValueError):
    """Not for this path: the streaming path decides."""


def parse_well_shaped(data: bytes) -> ParsedFile | None:
    """The file's outline and records, or None when the streaming path must read it."""
    if len(data) > IN_MEMORY_BYTES or _SURROGATE_ESCAPE.search(data):
        return None
    try:
        document = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_object,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
        return _well_shaped(document)
    except (ValueError, RecursionError):  # _HandBack, JSONDecodeError, UnicodeDecodeError
        return None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    built = dict(pairs)
    if len(built) != len(pairs):
        raise _HandBack("a key given twice")
    return built


def _int(text: str) -> int:
    value = int(text)
    if not -_INT64 < value < _INT64:  # the streaming parser refuses -2**63 too
        raise _HandBack("beyond 64-bit integers")
    return value


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _HandBack("beyond float range")
    return value


def _constant(text: str) -> Any:
    raise _HandBack(f"{text} is not JSON")


def _well_shaped(document: Any) -> ParsedFile:
    if not isinstance(document, dict) or not document.keys() <= TOP_KEYS:
        raise _HandBack("not the top object")
    sources = document.get("sources")
    nodes = document.get("nodes")
    relationships = document.get("relationships", [])
    if not isinstance(sources, dict) or not isinstance(nodes, list):
        raise _HandBack("sources or nodes missing or not of their type")
    if not isinstance(relationships, list):
        raise _HandBack("relationships not an array")
    for entry in sources.values():
        # top object > sources > one source: its members may nest below.
        if not isinstance(entry, dict) or 3 + _nesting_below(entry) > MAX_IMPORT_DEPTH:
            raise _HandBack("a source not an object, or nested too deep")
    for key, records in (("nodes", nodes), ("relationships", relationships)):
        allowed = RECORD_KEYS[key]
        for record in records:
            _check_record(record, allowed)
    outline = Outline(sources=sources, records=len(nodes) + len(relationships))
    return ParsedFile(outline, nodes, relationships)


def _check_record(record: Any, allowed: frozenset[str]) -> None:
    if not isinstance(record, dict) or not record.keys() <= allowed:
        raise _HandBack("a record not an object, or with an unknown member")
    for name, value in record.items():
        if name in STRING_FIELDS:
            if not isinstance(value, str):
                raise _HandBack(f"{name} not a string")
        elif name == "sources":
            if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
                raise _HandBack("sources not an array of strings")
        elif not isinstance(value, dict):  # properties, propertySources
            raise _HandBack(f"{name} not an object")
        # top object > records array > record > properties: values may nest below.
        elif 4 + _nesting_below(value) > MAX_IMPORT_DEPTH:
            raise _HandBack("nested too deep")


def _nesting_below(container: dict[str, Any] | list[Any]) -> int:
    """How many levels of objects and arrays ``container``'s values open below it."""
    values = container.values() if isinstance(container, dict) else container
    return max(
        (1 + _nesting_below(v) for v in values if isinstance(v, dict | list)),
        default=0,
    )
