"""The example data file: it fits the model, loads idempotently, and bad files write nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from service.graph_file import GraphFileError, read_graph_file, read_graph_files
from service.graph_load import (
    EXAMPLE_DATA,
    EXAMPLE_DATA_CLIENT,
    EXAMPLE_FILES,
    load_example_data_if_empty,
)
from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.migrations import apply_migrations
from service.model import LABELS, RELATIONSHIP_TYPES
from service.store import Store
from service.writes.outcome import Writer

COUNT_ALL = """
MATCH (n) WHERE NOT n:Migration AND NOT n:Change AND NOT n:ChangeSequence AND NOT n:WriteRequest
RETURN count(n) AS nodes, COUNT { MATCH ()-[r]->() } AS relationships
"""


def test_example_files_fit_the_model_and_show_every_part_of_it() -> None:
    graph = read_graph_files(list(EXAMPLE_FILES))
    assert set(Counter(n.label for n in graph.nodes)) == set(LABELS)
    assert set(Counter(r.type for r in graph.relationships)) == set(RELATIONSHIP_TYPES)
    assert all(n.source for n in graph.nodes), "every node carries its source"
    assert all(r.source for r in graph.relationships), "every relationship carries its source"


@pytest.mark.slow
async def test_loading_twice_changes_nothing(fresh_store: Store) -> None:
    await apply_migrations(fresh_store)
    graph = read_graph_files(list(EXAMPLE_FILES))
    assert await load_example_data_if_empty(fresh_store) is not None
    counts = await fresh_store.read(COUNT_ALL)
    assert counts == [{"nodes": len(graph.nodes), "relationships": len(graph.relationships)}]
    stamps = await fresh_store.read(
        "MATCH (n:Intervention) RETURN n.id AS id, n.updatedAt AS at ORDER BY id"
    )
    logged = await fresh_store.read(
        "MATCH (c:Change {client: 'example-data'}) RETURN c.operation AS op, count(c) AS n"
    )
    assert {row["op"]: row["n"] for row in logged} == {
        "CREATE": len(graph.nodes),
        "LINK": len(graph.relationships),
    }, "the example data is logged like any other write"

    assert await load_example_data_if_empty(fresh_store) is None, (
        "a database with data is left alone"
    )
    changes = await fresh_store.read("MATCH (c:Change) RETURN count(c) AS n")
    for path in EXAMPLE_FILES:  # even a forced reload merges, and changes nothing
        report = await run_import(
            fresh_store,
            JsonImportFile(path),
            writer=Writer(client=EXAMPLE_DATA_CLIENT, agency=None),
            max_rejections=10,
            timeout=300,
        )
        assert report.nodes.created + report.nodes.updated == 0
    assert await fresh_store.read(COUNT_ALL) == counts
    assert await fresh_store.read("MATCH (c:Change) RETURN count(c) AS n") == changes
    assert (
        await fresh_store.read(
            "MATCH (n:Intervention) RETURN n.id AS id, n.updatedAt AS at ORDER BY id"
        )
        == stamps
    )


def _bad_file(tmp_path: Path) -> Path:
    document = json.loads(EXAMPLE_DATA.read_text())
    document["nodes"][0]["properties"]["kind"] = "MAGIC"
    document["nodes"][1]["properties"]["costRating"] = "cheap"
    document["nodes"].append({"label": "Child", "id": "a-child", "source": "x", "properties": {}})
    document["relationships"].append(
        {"type": "FUNDS", "from": "mash", "to": "pcit", "source": "nope"}
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    return path


def test_a_bad_file_reports_every_problem_with_its_position(tmp_path: Path) -> None:
    with pytest.raises(GraphFileError) as caught:
        read_graph_file(_bad_file(tmp_path))
    problems = caught.value.problems
    assert any(p.startswith("nodes[0].kind: 'MAGIC' is not one of PROGRAMME") for p in problems)
    assert any(p.startswith("nodes[1].costRating: 'cheap' is not a valid int") for p in problems)
    assert any("unknown label 'Child'" in p for p in problems)
    assert any("FUNDS cannot go from Intervention node 'mash'" in p for p in problems)
    last = len(json.loads(EXAMPLE_DATA.read_text())["relationships"])  # the appended one
    assert f"relationships[{last}].source: 'nope' is not defined under 'sources'" in problems


def test_a_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(GraphFileError, match="cannot read JSON"):
        read_graph_file(path)
