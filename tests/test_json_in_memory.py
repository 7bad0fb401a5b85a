"""A small import file parsed whole reads exactly as the streaming reader reads it: the
same outline, the same records at the same places, the same refusal in the same words.
The files that only the streaming reader can judge are handed back to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.imports import readers
from service.imports.json_in_memory import parse_well_shaped
from service.imports.json_shape import MAX_IMPORT_DEPTH
from service.imports.readers import JsonImportFile, UnreadableFile

SOURCES = {"s": {"citation": "In-memory test (2026)", "year": 2026}, "t": {"url": "https://x"}}


def _node(node_id: str, **properties: Any) -> dict[str, Any]:
    return {"label": "Intervention", "id": node_id, "source": "s", "properties": properties}


WELL_SHAPED: list[dict[str, Any]] = [
    {"sources": {}, "nodes": []},
    {"sources": SOURCES, "nodes": [], "relationships": []},
    {
        "sources": SOURCES,
        "nodes": [
            _node(
                "i-1", name='Caf\u00e9 \u2014 "quoted" \\ /', kind="PROGRAMME", aliases=["a", "b"]
            ),
            _node("i-2", name="x", effect=-0.25, big=9223372036854775807, tiny=1e-321),
            {
                "label": "Study",
                "id": "s-1",
                "sources": ["s", "t"],
                "propertySources": {"title": "t"},
                "properties": {"title": "T", "nested": {"deep": [[1, 2], {"x": None}]}},
            },
        ],
        "relationships": [
            {"type": "EVALUATES", "from": "s-1", "to": "i-1", "source": "s", "properties": {}},
            {"type": "EVALUATES", "from": "s-1", "to": "i-2", "sources": ["t"]},
        ],
    },
    # Wrong values are the record checks' business, not the shape's: both read them alike.
    {"sources": {"s": {}}, "nodes": [{"label": "Nope", "properties": {"year": "x"}}]},
]


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# Valid JSON of the right shape that only the streaming reader may judge, and files it
# refuses; each as the text of a whole file.
HANDED_BACK: list[bytes] = [
    b'{"sources": {}, "nodes": [], "nodes": []}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "id": 5}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": {"n": NaN}}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": {"n": Infinity}}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": {"n": 1e400}}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": {"n": 9223372036854775808}}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": {"n": -9223372036854775808}}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x\\ud800"}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "\\ud83d\\ude00"}]}',
    b'\xef\xbb\xbf{"sources": {}, "nodes": []}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "caf\xe9"}]}',
    b'{"sources": {}, "nodes": []} {"sources": {}}',
    b'{"sources": {}, "nodes": [7]}',
    b'{"sources": {"s": "text"}, "nodes": []}',
    b'{"sources": {}, "nodes": [], "edges": []}',
    b'{"sources": {}, "nodes": [{"label": ["A"], "id": "x"}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "sources": ["s", 1]}]}',
    b'{"sources": {}, "nodes": [{"label": "A", "id": "x", "properties": []}]}',
    b'{"sources": {}, "relationships": []}',
    b'{"sources": {}, "nodes": {}}',
    b'{"sources": {}, "nodes": [], "relationships": {}}',
    b'{"sources": {}, "nodes": [{"label": "A", "properties": {"v": '
    + _nested(MAX_IMPORT_DEPTH - 3).encode()
    + b"}}]}",
    b'{"sources": {"s": {"v": ' + _nested(MAX_IMPORT_DEPTH - 2).encode() + b'}}, "nodes": []}',
    b'{"sources": {}, "nodes": [{"label": "A", "properties": {"v": '
    + _nested(5000).encode()
    + b"}}]}",
    b'{"sources": {}, "nodes": [',
    b"not json",
    b"",
]


def _read(path: Path) -> tuple[Any, ...]:
    """Everything an import takes from the file, or how it was refused."""
    source = JsonImportFile(path)
    try:
        outline = source.outline()
        return (
            "read",
            outline.sources,
            outline.records,
            [*source.nodes()],
            [*source.relationships()],
        )
    except UnreadableFile as refused:
        return ("refused", type(refused).__name__, str(refused))


def _both_ways(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    whole = _read(path)
    with monkeypatch.context() as streaming_only:
        streaming_only.setattr(readers, "IN_MEMORY_BYTES", -1)
        streamed = _read(path)
    return whole, streamed


@pytest.mark.parametrize("document", WELL_SHAPED)
def test_a_well_shaped_file_is_parsed_whole_and_reads_as_streamed(
    document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert parse_well_shaped(path.read_bytes()) is not None, "the fast path was not taken"
    whole, streamed = _both_ways(path, monkeypatch)
    assert whole[0] == "read"
    assert whole == streamed


@pytest.mark.parametrize("text", HANDED_BACK)
def test_what_only_the_streaming_reader_may_judge_is_handed_back(
    text: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert parse_well_shaped(text) is None
    path = tmp_path / "import.json"
    path.write_bytes(text)
    whole, streamed = _both_ways(path, monkeypatch)
    assert whole == streamed


def test_a_file_over_the_limit_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(WELL_SHAPED[2]))
    source = JsonImportFile(path)
    monkeypatch.setattr(readers, "IN_MEMORY_BYTES", path.stat().st_size - 1)
    source.outline()
    assert source._parsed is None
    monkeypatch.setattr(readers, "IN_MEMORY_BYTES", path.stat().st_size)
    source.outline()
    assert source._parsed is not None


# Fuzzed files: JSON values near the import shape, and byte-level damage to a good file.
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
_record_keys = st.sampled_from(
    ["label", "id", "type", "from", "to", "source", "sources", "properties", "propertySources", "x"]
)
_records = st.dictionaries(_record_keys, _values, max_size=6) | _values
_documents = st.fixed_dictionaries(
    {"sources": st.dictionaries(st.text(max_size=3), _values, max_size=3) | _values},
    optional={
        "nodes": st.lists(_records, max_size=4) | _values,
        "relationships": st.lists(_records, max_size=4) | _values,
        "extra": _values,
    },
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_documents)
def test_fuzzed_documents_read_as_streamed(
    document: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fuzzed.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    whole, streamed = _both_ways(path, monkeypatch)
    assert whole == streamed


_GOOD = json.dumps(WELL_SHAPED[2]).encode()


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    at=st.integers(min_value=0, max_value=len(_GOOD)),
    cut=st.integers(min_value=0, max_value=3),
    inserted=st.binary(max_size=3) | st.sampled_from([b'"', b",", b"{", b"]", b"\\u", b"1e999"]),
)
def test_damaged_files_read_as_streamed(
    at: int, cut: int, inserted: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(_GOOD[:at] + inserted + _GOOD[at + cut :])
    whole, streamed = _both_ways(path, monkeypatch)
    assert whole == streamed
