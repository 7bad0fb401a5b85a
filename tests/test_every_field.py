"""Every field of every type resolves against the store, with no map projection nested in
a map literal (the embedded store silently returns the wrong map for those)."""

from __future__ import annotations

import re

import pytest

from service.plans.lookup import node_by_id, node_by_id_statement
from service.plans.selection import Selection
from service.plans.shapes import EDGE_SHAPES, LINKS, SCALARS, EdgeLink
from service.store import Store

SAMPLES = {
    "Intervention": "signs-of-safety",
    "Agency": "agency-dfe",
    "Study": "study-chaffin-2004",
    "Finding": "finding-chaffin-2004-re-reports",
    "Outcome": "outcome-child-maltreatment",
    "Rating": "rating-title-iv-e-pcit-2020",
}


def _ids_only() -> Selection:
    return Selection({"id": Selection()})


def _everything(label: str) -> Selection:
    fields = {name: Selection() for name in SCALARS[label]}
    for name, link in LINKS[label].items():
        if isinstance(link, EdgeLink):
            shape = EDGE_SHAPES[link.shape]
            edge_fields = {scalar: Selection() for scalar in shape.scalars}
            edge_fields.update({end: _ids_only() for end, _, _ in shape.ends})
            fields[name] = Selection(edge_fields)
        else:
            fields[name] = _ids_only()
    return Selection(fields)


@pytest.mark.parametrize("label", sorted(SAMPLES))
async def test_every_field_resolves(store: Store, label: str) -> None:
    selection = _everything(label)
    statement = node_by_id_statement(label, selection)
    assert not re.search(r"\w\s*\{\s*\.", statement), "no map projections"
    node = await node_by_id(store, label=label, node_id=SAMPLES[label], selection=selection)
    assert node is not None
    assert set(node) == set(selection.fields)
    assert node["id"] == SAMPLES[label]
    assert node["source"] and node["recorded_by"] == "example-data"
    for name, link in LINKS[label].items():
        value = node[name]
        if isinstance(link, EdgeLink) or link.many:
            assert isinstance(value, list)
            assert all(isinstance(item, dict) and item for item in value)
        else:
            assert value is None or set(value) == {"id"}
