"""The generated object shapers (schema/result_shapes.py) check every value as the
closures they replaced did, and the gap map's cell shaper shapes a shared count once."""

from __future__ import annotations

from typing import Any

import pytest

from schema.build import build_schema
from schema.compiled import compiled_operation
from schema.documents import DocumentCache, prepare
from schema.limits import Limits
from schema.result_shapes import Mismatch, Shaper
from service.settings import Settings

SELECTION = (
    "__typename interventionId outcomeId status studyCount findingCount "
    "findingsByDirection { direction n: count }"
)


def _cells_shaper() -> Shaper:
    schema = build_schema()._schema
    query = f"{{ evidenceGapMap(filter: {{absoluteGaps: false}}) {{ cells {{ {SELECTION} }} }} }}"
    entry = prepare(DocumentCache(), schema, Limits.of(Settings()), query)
    assert entry is not None and not entry.errors
    compiled = compiled_operation(schema, entry, None)
    assert compiled is not None
    view = compiled.fields[0].view
    assert view is not None and view.cells is not None
    return view.cells


def _cell(counts: list[dict[str, Any]], **changed: Any) -> dict[str, Any]:
    return {
        "intervention_id": "i-1",
        "outcome_id": "o-1",
        "status": "EVIDENCE",
        "study_count": 2,
        "finding_count": 3,
        "findings_by_direction": counts,
        **changed,
    }


def test_a_cell_is_shaped_with_its_keys_aliases_and_typename() -> None:
    shape = _cells_shaper()
    assert shape(_cell([{"direction": "FAVOURABLE", "count": 3}], outcome_id=7)) == {
        "__typename": "GapMapCell",
        "interventionId": "i-1",
        "outcomeId": "7",
        "status": "EVIDENCE",
        "studyCount": 2,
        "findingCount": 3,
        "findingsByDirection": [{"direction": "FAVOURABLE", "n": 3}],
    }


def test_a_count_shared_by_cells_is_shaped_once_and_an_equal_one_on_its_own() -> None:
    shape = _cells_shaper()
    shared = {"direction": "NO_EFFECT", "count": 1}
    first, second = shape(_cell([shared])), shape(_cell([shared], outcome_id="o-2"))
    assert first["findingsByDirection"][0] is second["findingsByDirection"][0]
    equal = shape(_cell([dict(shared)]))["findingsByDirection"][0]
    assert equal == first["findingsByDirection"][0]
    assert equal is not first["findingsByDirection"][0]


@pytest.mark.parametrize(
    "changed",
    [
        {"status": "NOT_A_STATUS"},
        {"status": None},
        {"study_count": True},
        {"study_count": 2**31},
        {"finding_count": 1.0},
        {"intervention_id": None},
        {"findings_by_direction": None},
        {"findings_by_direction": [{"direction": "FAVOURABLE", "count": "1"}]},
        {"findings_by_direction": [{"direction": 1, "count": 1}]},
        {"findings_by_direction": [{"direction": "FAVOURABLE"}]},
        {"findings_by_direction": ({"direction": "FAVOURABLE", "count": 1},)},
    ],
)
def test_a_value_graphql_core_would_not_serialise_the_same_is_refused(
    changed: dict[str, Any],
) -> None:
    with pytest.raises(Mismatch):
        _cells_shaper()(_cell([], **changed))


def test_a_missing_field_is_refused() -> None:
    cell = _cell([])
    del cell["study_count"]
    with pytest.raises(Mismatch):
        _cells_shaper()(cell)
