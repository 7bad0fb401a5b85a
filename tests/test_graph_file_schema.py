"""The committed JSON Schema of the import format matches the model, and the example fits it."""

from __future__ import annotations

import json

import jsonschema

from service.graph_file_schema import SCHEMA_PATH, graph_file_schema
from service.graph_load import EXAMPLE_DATA


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == graph_file_schema(), "schema drifted: run `make schema`"


def test_example_data_fits_the_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(graph_file_schema())
    jsonschema.validate(json.loads(EXAMPLE_DATA.read_text(encoding="utf-8")), graph_file_schema())


def test_the_schema_refuses_unknown_properties_and_labels() -> None:
    validator = jsonschema.Draft202012Validator(graph_file_schema())
    bad = {
        "sources": {"s": {"citation": "c"}},
        "nodes": [
            {
                "label": "Intervention",
                "id": "x",
                "source": "s",
                "properties": {"name": "X", "kind": "PROGRAMME", "childName": "A"},
            },
            {"label": "Child", "id": "y", "source": "s", "properties": {}},
        ],
    }
    assert len(list(validator.iter_errors(bad))) == 2
