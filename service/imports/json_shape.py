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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Final

import ijson

MAX_IMPORT_DEPTH: Final = 32

_TOP_KEYS: Final = frozenset({"sources", "nodes", "relationships"})
_REQUIRED_TOP: Final = ("sources", "nodes")
_RECORD_KEYS: Final = {
    "nodes": frozenset({"label", "id", "source", "sources", "propertySources", "properties"}),
    "relationships": frozenset(
        {"type", "from", "to", "source", "sources", "propertySources", "properties"}
    ),
}
_STRING_FIELDS: Final = frozenset({"label", "id", "type", "from", "to", "source"})
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


@dataclass
class _Frame:
    kind: str  # "object" or "array"
    where: str
    # The schema path without indices, e.g. ("nodes", "*"): what rules apply below.
    shape: tuple[str, ...]
    key: str | None = None
    index: int = -1
    keys: set[str] = field(default_factory=set)


def check_shape(handle: IO[bytes]) -> Iterator[None]:
    """Raise MalformedFile (from readers) at the first place the file breaks the format."""
    from service.imports.readers import MalformedFile

    try:
        _check(ijson.basic_parse(handle, use_float=True))
    except ShapeProblem as problem:
        raise MalformedFile(problem.where, problem.reason) from None
    yield from ()


def _check(events: Iterator[tuple[str, object]]) -> None:
    stack: list[_Frame] = []
    seen_top = False
    for event, value in events:
        if event == "map_key":
            frame = stack[-1]
            frame.key = str(value)
            _check_key(frame, frame.key)
            continue
        if event in ("end_map", "end_array"):
            _check_complete(stack.pop())
            continue
        # A value starts: a container or a scalar, at a place named by its parent.
        where, shape = _place(stack[-1]) if stack else ("$", ())
        if not stack:
            if seen_top:
                raise ShapeProblem("$", "holds more than one JSON value")
            seen_top = True
        kind = _STARTS.get(event) or _SCALARS.get(event, event)
        _check_type(where, shape, kind)
        if event in _STARTS:
            if len(stack) >= MAX_IMPORT_DEPTH:
                raise ShapeProblem(where, f"nests deeper than {MAX_IMPORT_DEPTH} levels")
            stack.append(_Frame(kind, where, shape))


def _place(parent: _Frame) -> tuple[str, tuple[str, ...]]:
    if parent.kind == "array":
        parent.index += 1
        return f"{parent.where}[{parent.index}]", (*parent.shape, "*")
    key = parent.key or ""
    where = key if parent.where == "$" else f"{parent.where}.{key}"
    return where, (*parent.shape, key if parent.shape != ("sources",) else "*")


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
        case ("nodes" | "relationships", "*", name) if name in _STRING_FIELDS:
            return "string"
        case ("nodes" | "relationships", "*", "sources"):
            return "array"
        case ("nodes" | "relationships", "*", "sources", "*"):
            return "string"
    return None


def _check_type(where: str, shape: tuple[str, ...], kind: str) -> None:
    expected = _expected(shape)
    actual = "string" if kind == "a string" else kind
    if expected is not None and actual != expected:
        article = "an" if expected[0] in "aeiou" else "a"
        raise ShapeProblem(where, f"must be {article} {expected}, not {_named(kind)}")


def _named(kind: str) -> str:
    return {"object": "an object", "array": "an array"}.get(kind, kind)


def _check_key(frame: _Frame, key: str) -> None:
    frame.keys.add(key)
    allowed = _TOP_KEYS if frame.shape == () else None
    if len(frame.shape) == 2 and frame.shape[1] == "*" and frame.shape[0] in _RECORD_KEYS:
        allowed = _RECORD_KEYS[frame.shape[0]]
    if allowed is not None and key not in allowed:
        raise ShapeProblem(
            frame.where, f"has an unknown member {key!r} (allowed: {', '.join(sorted(allowed))})"
        )


def _check_complete(frame: _Frame) -> None:
    if frame.shape == ():
        missing = [key for key in _REQUIRED_TOP if key not in frame.keys]
        if missing:
            raise ShapeProblem("$", f"lacks the required member {missing[0]!r}")
