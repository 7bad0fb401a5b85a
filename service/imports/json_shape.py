"""The structural rules of docs/graph-file.schema.json, checked on the parser's event
stream before any record is built: memory stays bounded whatever the body.

Checked here: nesting no deeper than MAX_IMPORT_DEPTH (the format needs 5 levels; a
body nested 100,000 deep is refused at level 33, having held 33 frames); an object at the
top with only ``sources``, ``nodes`` and ``relationships``, the first two required;
``sources`` an object of objects; ``nodes`` and ``relationships`` arrays of objects with
the schema's keys only; ``label``, ``id``, ``type``, ``from``, ``to`` and ``source``
strings; ``sources`` (a record's citations) an array of strings; ``properties`` and
``propertySources`` objects. What the values mean (known labels, property types,
enums, that sources exist) is checked record by record afterwards
(service/graph_file.py), and reported with every problem at once.

The same walk keeps what the import needs before its records: the ``sources`` object
(small, and read before any record is checked) and how many records the file holds.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, Final

import ijson

MAX_IMPORT_DEPTH: Final = 32

TOP_KEYS: Final = frozenset({"sources", "nodes", "relationships"})
_REQUIRED_TOP: Final = ("sources", "nodes")
RECORD_KEYS: Final = {
    "nodes": frozenset({"label", "id", "source", "sources", "propertySources", "properties"}),
    "relationships": frozenset(
        {"type", "from", "to", "source", "sources", "propertySources", "properties"}
    ),
}
_RECORD_ARRAYS: Final = (("nodes",), ("relationships",))
STRING_FIELDS: Final = frozenset({"label", "id", "type", "from", "to", "source"})
_STARTS: Final = {"start_map": "object", "start_array": "array"}
_SCALARS: Final = {
    "string": "a string",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


class ShapeProblem(ValueError):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


class _Frame:
    """An open object or array. Where it is in the file is worked out only for a
    problem report (``_where``): the walk over a large file builds no path strings."""

    __slots__ = ("allowed", "index", "item_expected", "item_shape", "key", "keys", "kind", "shape")

    def __init__(self, kind: str, shape: tuple[str, ...]) -> None:
        self.kind = kind  # "object" or "array"
        # The schema path without indices, e.g. ("nodes", "*"): what rules apply below.
        self.shape = shape
        self.key: str | None = None
        self.index = -1
        self.keys: set[str] = set()  # kept for the top object alone
        self.allowed = _allowed_keys(shape) if kind == "object" else None
        # An array's items all sit at one shape.
        self.item_shape = (*shape, "*")
        self.item_expected = _expected(self.item_shape)


@dataclass
class Outline:
    """What one walk over a well-shaped file gives: its ``sources`` and its record count."""

    sources: dict[str, Any] = field(default_factory=dict)
    records: int = 0


def check_shape(handle: IO[bytes]) -> Outline:
    """The file's outline; MalformedFile (from readers) at the first place the file breaks
    the format."""
    from service.imports.readers import MalformedFile

    try:
        return _check(ijson.basic_parse(handle, use_float=True))
    except ShapeProblem as problem:
        raise MalformedFile(problem.where, problem.reason) from None


def _check(events: Iterator[tuple[str, Any]]) -> Outline:
    outline = Outline()
    stack: list[_Frame] = []
    seen_top = False
    # The top object's ``sources`` being read: built as it streams by (a file that
    # names it twice gets the keys of both, the later winning, as a dict of its items).
    sources: ijson.ObjectBuilder | None = None
    for event, value in events:
        if sources is not None:
            sources.event(event, value)
        if event == "map_key":
            frame = stack[-1]
            frame.key = str(value)
            _check_key(stack, frame.key)
            continue
        if event == "end_map" or event == "end_array":
            closed = stack.pop()
            _check_complete(closed)
            if closed.shape in _RECORD_ARRAYS:
                outline.records += closed.index + 1
            elif closed.shape == ("sources",) and sources is not None:
                outline.sources.update(sources.value)
                sources = None
            continue
        # A value starts: a container or a scalar, at a place named by its parent.
        if not stack:
            if seen_top:
                raise ShapeProblem("$", "holds more than one JSON value")
            seen_top = True
            shape: tuple[str, ...] = ()
            expected = _expected(shape)
        elif (parent := stack[-1]).kind == "array":
            parent.index += 1
            shape, expected = parent.item_shape, parent.item_expected
        else:
            key = parent.key or ""
            shape = (*parent.shape, key if parent.shape != ("sources",) else "*")
            expected = _expected(shape)
        kind = _STARTS.get(event) or _SCALARS.get(event, event)
        if expected is not None and ("string" if kind == "a string" else kind) != expected:
            _refuse_type(_where(stack, len(stack)), expected, kind)
        if event in _STARTS:
            if len(stack) >= MAX_IMPORT_DEPTH:
                where = _where(stack, len(stack))
                raise ShapeProblem(where, f"nests deeper than {MAX_IMPORT_DEPTH} levels")
            stack.append(_Frame(kind, shape))
            if shape == ("sources",):
                sources = ijson.ObjectBuilder()
                sources.event(event, value)
    return outline


def _where(stack: list[_Frame], depth: int) -> str:
    """The place of the value open at ``depth`` (the one being read, if the whole stack):
    ``$``, ``nodes``, ``nodes[3]``, ``nodes[3].properties``."""
    where = "$"
    for parent in stack[:depth]:
        if parent.kind == "array":
            where = f"{where}[{parent.index}]"
        else:
            key = parent.key or ""
            where = key if where == "$" else f"{where}.{key}"
    return where


@functools.cache
def _expected(shape: tuple[str, ...]) -> str | None:
    """The JSON type the format requires at ``shape``; None where any value may be."""
    match shape:
        case ():
            return "object"
        case ("sources",) | ("sources", "*"):
            return "object"
        case ("nodes",) | ("relationships",):
            return "array"
        case ("nodes" | "relationships", "*"):
            return "object"
        case ("nodes" | "relationships", "*", "properties" | "propertySources"):
            return "object"
        case ("nodes" | "relationships", "*", name) if name in STRING_FIELDS:
            return "string"
        case ("nodes" | "relationships", "*", "sources"):
            return "array"
        case ("nodes" | "relationships", "*", "sources", "*"):
            return "string"
    return None


def _refuse_type(where: str, expected: str, kind: str) -> None:
    article = "an" if expected[0] in "aeiou" else "a"
    raise ShapeProblem(where, f"must be {article} {expected}, not {_named(kind)}")


def _named(kind: str) -> str:
    return {"object": "an object", "array": "an array"}.get(kind, kind)


def _allowed_keys(shape: tuple[str, ...]) -> frozenset[str] | None:
    if shape == ():
        return TOP_KEYS
    if len(shape) == 2 and shape[1] == "*" and shape[0] in RECORD_KEYS:
        return RECORD_KEYS[shape[0]]
    return None


def _check_key(stack: list[_Frame], key: str) -> None:
    frame = stack[-1]
    if frame.shape == ():
        frame.keys.add(key)
    allowed = frame.allowed
    if allowed is not None and key not in allowed:
        raise ShapeProblem(
            _where(stack, len(stack) - 1),
            f"has an unknown member {key!r} (allowed: {', '.join(sorted(allowed))})",
        )


def _check_complete(frame: _Frame) -> None:
    if frame.shape == ():
        missing = [key for key in _REQUIRED_TOP if key not in frame.keys]
        if missing:
            raise ShapeProblem("$", f"lacks the required member {missing[0]!r}")
