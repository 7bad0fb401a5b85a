"""GET /exports/{format}: files graph tools read back with the nodes, edges and properties
the subgraph query gives, or the whole graph read in batches."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import httpx
import networkx as nx
import pytest

from service.exports.cytoscape import cytoscape_json
from service.exports.neo4j_import import ARRAY_DELIMITER
from service.exports.source import WholeGraph
from service.migrations import MIGRATIONS_DIR, split_statements
from service.model import LABELS
from service.store import Store
from tests.conftest import GraphQL
from tests.neo4j_import_format import read_import

SUBGRAPH = """
query($ids: [String!]!, $depth: Int!) {
  subgraph(ids: $ids, depth: $depth) {
    nodes { key label name properties }
    edges { type source target properties }
  }
}
"""
MASH = {"ids": ["Intervention:mash"], "depth": 2}


async def _subgraph(gql: GraphQL) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(SUBGRAPH, **MASH))["subgraph"]
    return result


def _flat(properties: dict[str, Any]) -> dict[str, Any]:
    """What GraphML and GEXF hold for a property map: no id, lists as JSON arrays."""
    return {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
        for key, value in properties.items()
        if key != "id"
    }


def _expected_nodes(subgraph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n["key"]: {"label": n["name"], "labels": f":{n['label']}", **_flat(n["properties"])}
        for n in subgraph["nodes"]
    }


def _expected_edges(subgraph: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted(
        (e["source"], e["target"], {"label": e["type"], **_flat(e["properties"])})
        for e in subgraph["edges"]
    )


def _edges_of(graph: nx.MultiDiGraph[str], drop: tuple[str, ...] = ()) -> list[Any]:
    return sorted(
        (u, v, {k: value for k, value in data.items() if k not in drop})
        for u, v, data in graph.edges(data=True)
    )


async def test_graphml_reads_back_as_the_subgraph(client: httpx.AsyncClient, gql: GraphQL) -> None:
    subgraph = await _subgraph(gql)
    response = await client.get("/v1/exports/graphml", params=MASH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/graphml+xml; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="evidence-graph-subgraph.graphml"'
    )
    graph = nx.read_graphml(io.BytesIO(response.content), force_multigraph=True)
    assert graph.number_of_nodes() == len(subgraph["nodes"]) > 15
    assert graph.number_of_edges() == len(subgraph["edges"]) > 20
    assert dict(graph.nodes(data=True)) == _expected_nodes(subgraph)
    assert _edges_of(graph, drop=("id",)) == _expected_edges(subgraph)


async def test_graphml_keys_are_typed_from_the_model(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/exports/graphml", params={"ids": "Study:study-chaffin-2004"})
    text = response.text
    assert '<key id="' in text
    assert 'attr.name="year" attr.type="long"' in text
    assert 'attr.name="significant" attr.type="boolean"' in text
    assert 'attr.name="effectSize" attr.type="double"' in text
    graph = nx.read_graphml(io.BytesIO(response.content))
    study = graph.nodes["Study:study-chaffin-2004"]
    assert (study["year"], study["labels"]) == (2004, ":Study")
    finding = graph.nodes["Finding:finding-chaffin-2004-re-reports"]
    # Stored as the integer -30; the model types effect sizes as numbers, written as double.
    assert (finding["effectSize"], finding["significant"]) == (-30.0, True)
    assert isinstance(finding["effectSize"], float)


async def test_gexf_reads_back_as_the_subgraph(client: httpx.AsyncClient, gql: GraphQL) -> None:
    subgraph = await _subgraph(gql)
    response = await client.get("/v1/exports/gexf", params=MASH)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(
        'filename="evidence-graph-subgraph.gexf"'
    )
    graph = nx.read_gexf(io.BytesIO(response.content))
    assert graph.number_of_nodes() == len(subgraph["nodes"])
    assert graph.number_of_edges() == len(subgraph["edges"])
    assert dict(graph.nodes(data=True)) == _expected_nodes(subgraph)
    assert _edges_of(graph, drop=("id",)) == _expected_edges(subgraph)


async def test_cytoscape_json_has_the_subgraph_as_elements(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    subgraph = await _subgraph(gql)
    response = await client.get("/v1/exports/cytoscape", params=MASH)
    assert response.headers["content-type"] == "application/json"
    elements = response.json()["elements"]
    assert sorted((n["data"] for n in elements["nodes"]), key=lambda d: d["id"]) == [
        {"id": n["key"], "label": n["label"], "name": n["name"], "properties": n["properties"]}
        for n in subgraph["nodes"]
    ]
    edges = [{k: v for k, v in e["data"].items() if k != "id"} for e in elements["edges"]]
    assert sorted(edges, key=json.dumps) == sorted(subgraph["edges"], key=json.dumps)
    ids = [e["data"]["id"] for e in elements["edges"]]
    assert len(ids) == len(set(ids))


async def _counts(store: Store) -> tuple[dict[str, int], int]:
    [row] = await store.read(
        "RETURN "
        + ", ".join(f"COUNT {{ MATCH (:{label}) }} AS {label}" for label in LABELS)
        + ", COUNT { MATCH (a)-[r]->(b) WHERE NOT a:Migration } AS relationships"
    )
    relationships = row.pop("relationships")
    return row, relationships


async def test_csv_is_a_neo4j_admin_import_of_the_whole_graph(
    client: httpx.AsyncClient, store: Store
) -> None:
    response = await client.get("/v1/exports/csv")
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == (
        'attachment; filename="evidence-graph.neo4j-import.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    files = {name: archive.read(name).decode() for name in archive.namelist()}
    command = files.pop("IMPORT.txt")
    schema = files.pop("schema.cypher")
    nodes = {n: t for n, t in files.items() if n.startswith("nodes_")}
    relationships = {n: t for n, t in files.items() if n.startswith("relationships_")}
    assert len(nodes) + len(relationships) == len(files)
    assert all(f"--nodes=import/{name}" in command for name in nodes)
    assert all(f"--relationships=import/{name}" in command for name in relationships)
    assert f"--array-delimiter='{ARRAY_DELIMITER}'" in command
    _check_bundle(archive, command, schema)

    graph = read_import(nodes, relationships, array_delimiter=ARRAY_DELIMITER)
    label_counts, relationship_count = await _counts(store)
    present = {
        label: count for label, count in label_counts.items() if count
    }  # a file per label held
    assert {space: len(ids) for space, ids in graph.nodes.items()} == present
    assert len(graph.relationships) == relationship_count
    assert files["nodes_Agency.csv"].startswith("id:ID(Agency),:LABEL,name,sector,")
    assert files["relationships_FUNDS_Agency_Study.csv"].startswith(
        ":START_ID(Agency),:END_ID(Study),:TYPE,amount:double,"
    )
    mash = graph.nodes["Intervention"]["mash"]
    assert mash["aliases"] == ["MASH", "Mash"]
    assert mash["id"] == "mash"
    assert graph.labels[("Intervention", "mash")] == "Intervention"
    [grant] = [
        r
        for r in graph.relationships
        if r[0] == "FUNDS" and r[2] == "agency-dfe" and r[4] == "signs-of-safety"
    ]
    assert grant[5]["amount"] == 4_800_000.0
    assert str(grant[5]["awardedOn"]) == "2016-03-01"


async def test_csv_of_a_subgraph_has_only_its_nodes(
    client: httpx.AsyncClient, gql: GraphQL
) -> None:
    subgraph = await _subgraph(gql)
    archive = zipfile.ZipFile(
        io.BytesIO((await client.get("/v1/exports/csv", params=MASH)).content)
    )
    files = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".csv")}
    graph = read_import(
        {n: t for n, t in files.items() if n.startswith("nodes_")},
        {n: t for n, t in files.items() if n.startswith("relationships_")},
        array_delimiter=ARRAY_DELIMITER,
    )
    keys = {f"{space}:{node_id}" for space, ids in graph.nodes.items() for node_id in ids}
    assert keys == {n["key"] for n in subgraph["nodes"]}
    assert len(graph.relationships) == len(subgraph["edges"])


async def test_whole_graph_batches_cover_every_node_and_edge_once(store: Store) -> None:
    """A batch size far below the data size makes every label and type span several batches."""
    small = WholeGraph(store, batch_size=4)
    whole = WholeGraph(store, batch_size=10_000)
    small_doc = json.loads(b"".join([chunk async for chunk in cytoscape_json(small)]))
    whole_doc = json.loads(b"".join([chunk async for chunk in cytoscape_json(whole)]))
    assert small_doc == whole_doc
    label_counts, relationship_count = await _counts(store)
    assert len(small_doc["elements"]["nodes"]) == sum(label_counts.values())
    assert len(small_doc["elements"]["edges"]) == relationship_count


async def test_whole_graph_export_limited_to_labels_and_types(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/exports/cytoscape",
        params={"labels": ["Agency", "Intervention"], "relationshipTypes": "PARTICIPATES_IN"},
    )
    assert response.headers["content-disposition"].endswith('filename="evidence-graph.cyjs.json"')
    elements = response.json()["elements"]
    assert {n["data"]["label"] for n in elements["nodes"]} == {"Agency", "Intervention"}
    assert {e["data"]["type"] for e in elements["edges"]} == {"PARTICIPATES_IN"}
    assert len(elements["edges"]) == 5


@pytest.mark.parametrize(
    ("params", "argument", "words"),
    [
        ({"ids": "Intervention:mash", "depth": 5}, "depth", "MAX_SUBGRAPH_DEPTH is 4"),
        ({"ids": [f"Agency:a{i}" for i in range(51)]}, "ids", "MAX_SUBGRAPH_IDS is 50"),
        ({"ids": "mash"}, "ids", "Label:id"),
        ({"labels": "Child"}, "labels", "unknown names: Child"),
        ({"relationshipTypes": "KNOWS"}, "relationshipTypes", "unknown names: KNOWS"),
    ],
)
async def test_bad_export_requests_are_refused_with_the_bound(
    client: httpx.AsyncClient, store: Store, params: dict[str, Any], argument: str, words: str
) -> None:
    before = store.statements_run
    response = await client.get("/v1/exports/graphml", params=params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["argument"]) == ("BAD_USER_INPUT", argument)
    assert words in body["error"]
    assert store.statements_run == before


async def test_unknown_format_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/exports/pdf")
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("nodes", "relationships", "problem"),
    [
        (
            {"n.csv": "id:ID(A)\nx\n"},
            {"r.csv": ":START_ID(A),:END_ID(B),:TYPE\nx,y,T\n"},
            "not in ID space",
        ),
        ({"n.csv": "id:ID(A)\nx\nx\n"}, {}, "duplicate id"),
        ({"n.csv": "id:ID(A),year:integer\nx,1\n"}, {}, "unknown property type"),
        ({"n.csv": "name\nx\n"}, {}, "lacks"),
        ({"n.csv": "id:ID(A),ok:boolean\nx,True\n"}, {}, "not a boolean"),
    ],
)
def test_the_import_checker_refuses_what_neo4j_admin_would(
    nodes: dict[str, str], relationships: dict[str, str], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        read_import(nodes, relationships, array_delimiter=ARRAY_DELIMITER)


def _check_bundle(archive: zipfile.ZipFile, command: str, schema: str) -> None:
    """The command as Neo4j 5 documents it (the database name right after ``full``, from
    5.19 a must; ``--overwrite-destination`` for the existing ``neo4j`` database), every
    file it names inside the zip, every entry readable by all once unzipped."""
    lines = [line.strip() for line in command.splitlines()]
    start = lines.index("bin/neo4j-admin database import full neo4j \\")
    assert lines[start + 1] == "--overwrite-destination=true \\"
    named = set(re.findall(r"import/([\w.-]+)", command))
    assert named == set(archive.namelist()) - {"IMPORT.txt"}
    assert "schema.cypher" in named
    for migration in sorted(MIGRATIONS_DIR.glob("V*.cypher")):
        for statement in split_statements(migration.read_text()):
            assert statement in schema
    for info in archive.infolist():
        assert (info.external_attr >> 16) & 0o777 == 0o644, info.filename
