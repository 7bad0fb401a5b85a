"""One write path: mutations and imports make the same change-log entries for the same change;
a re-import from another source reports what it changes and keeps, and relabels only that;
a dry run reports what the import would do and leaves the store exactly as it was."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import networkx as nx

from service.exports.neo4j_import import ARRAY_DELIMITER
from tests.conftest import WriteClient
from tests.neo4j_import_format import read_import

CITATION_A = "Partner register A (2026) https://example.org/a"
CITATION_B = "Partner register B (2026) https://example.org/b"
UPSERT = """
mutation ($input: InterventionInput!) {
  upsertIntervention(input: $input) { intervention { id } errors { code field message } }
}
"""
DELIVERY = """
mutation ($input: DeliveryInput!) {
  linkDelivery(input: $input) { delivery { status } errors { code message } }
}
"""
ENTRIES = """
query ($id: ID!) {
  changes(entityId: $id) {
    edges { node { id position at client agency operation entityType entityId before after
                   source requestKey } }
  }
}
"""
# What differs between two entries for the same change on two entities.
_PER_WRITE = ("id", "position", "at", "requestKey", "entityId")


def _file(records: list[dict[str, Any]], links: list[dict[str, Any]] | None = None) -> bytes:
    return json.dumps(
        {
            "sources": {
                "a": {"citation": "Partner register A (2026)", "url": "https://example.org/a"},
                "b": {"citation": "Partner register B (2026)", "url": "https://example.org/b"},
            },
            "nodes": records,
            "relationships": links or [],
        }
    ).encode()


def _programme(node_id: str, source: str, **properties: Any) -> dict[str, Any]:
    values = {"name": "Shared programme", "kind": "PROGRAMME", "costRating": 2, **properties}
    return {"label": "Intervention", "id": node_id, "source": source, "properties": values}


async def _import(writes: WriteClient, body: bytes, query: str = "") -> Any:
    response = await writes.http.post(
        f"/v1/imports{query}",
        content=body,
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {writes.tokens['writer']}",
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _entries(writes: WriteClient, entity_id: str) -> list[dict[str, Any]]:
    data = await writes(ENTRIES, token=None, id=entity_id)
    return [edge["node"] for edge in data["changes"]["edges"]]


def _comparable(entry: dict[str, Any], entity_id: str) -> dict[str, Any]:
    """The entry without what is particular to one write, the entity's id spelled out."""
    kept = {k: v for k, v in entry.items() if k not in _PER_WRITE}
    for side in ("before", "after"):
        if kept[side] and kept[side].get("id") == entity_id:
            kept[side] = {**kept[side], "id": "<id>"}
    return kept


async def test_a_mutation_and_an_import_log_the_same_entries_for_the_same_changes(
    writes: WriteClient,
) -> None:
    """Create, update and link: each entry holds the same fields and values on both paths."""
    created = {"name": "Shared programme", "kind": "PROGRAMME", "costRating": 2}
    answer = await writes(UPSERT, input={"id": "wp-by-mutation", "source": CITATION_A, **created})
    assert answer["upsertIntervention"]["errors"] == []
    await _import(writes, _file([_programme("wp-by-import", "a")]))
    corrected = {"costRating": 4, "ukAvailable": True}
    await writes(
        UPSERT,
        input={"id": "wp-by-mutation", "source": CITATION_B, **created, **corrected},
    )
    await _import(writes, _file([_programme("wp-by-import", "b", **corrected)]))
    delivery = {"status": "ACTIVE", "since": "2025-01-01"}
    await writes(
        DELIVERY,
        input={
            "agencyId": "agency-norfolk",
            "interventionId": "wp-by-mutation",
            "source": CITATION_A,
            **delivery,
        },
    )
    link = {
        "type": "DELIVERS",
        "from": "agency-norfolk",
        "to": "wp-by-import",
        "source": "a",
        "properties": delivery,
    }
    await _import(writes, _file([], [link]))

    by_mutation = await _entries(writes, "wp-by-mutation")
    by_import = await _entries(writes, "wp-by-import")
    assert [e["operation"] for e in by_mutation] == ["CREATE", "UPDATE"]
    assert [_comparable(e, "wp-by-mutation") for e in by_mutation] == [
        _comparable(e, "wp-by-import") for e in by_import
    ]
    [mutation_link] = await _entries(writes, "agency-norfolk->wp-by-mutation")
    [import_link] = await _entries(writes, "agency-norfolk->wp-by-import")
    assert mutation_link["operation"] == "LINK"
    assert _comparable(mutation_link, "") == _comparable(import_link, "")
    # The update relabels the properties it changed, not name and kind.
    assert by_import[1]["after"]["propertySources"] == {"kind": CITATION_A, "name": CITATION_A}


async def test_a_reimport_from_another_source_reports_and_relabels_only_what_it_changes(
    writes: WriteClient,
) -> None:
    await _import(writes, _file([_programme("wp-reimported", "a", description="First words")]))
    report = await _import(
        writes, _file([_programme("wp-reimported", "b", costRating=5, minAge=3)])
    )
    assert report["nodes"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert report["written"] == [
        {
            "where": "nodes[0]",
            "kind": "Intervention",
            "id": "wp-reimported",
            "status": "updated",
            "changed": ["costRating", "minAge"],
            "kept": ["description", "kind", "name"],
        }
    ]
    data = await writes(
        '{ intervention(id: "wp-reimported") { source costRating description propertySources } }',
        token=None,
    )
    programme = data["intervention"]
    assert (programme["source"], programme["costRating"]) == (CITATION_B, 5)
    assert json.loads(programme["propertySources"]) == {
        "description": CITATION_A,
        "kind": CITATION_A,
        "name": CITATION_A,
    }


async def test_per_property_sources_in_a_file_are_stored_and_read_back(
    writes: WriteClient,
) -> None:
    record = {**_programme("wp-cited", "a", costRating=3), "propertySources": {"costRating": "b"}}
    report = await _import(writes, _file([record]))
    assert report["written"][0]["changed"] == ["costRating", "kind", "name"]
    data = await writes('{ intervention(id: "wp-cited") { source propertySources } }', token=None)
    assert data["intervention"]["source"] == CITATION_A
    assert json.loads(data["intervention"]["propertySources"]) == {"costRating": CITATION_B}


async def test_an_unknown_property_source_is_refused(writes: WriteClient) -> None:
    record = {**_programme("wp-badly-cited", "a"), "propertySources": {"minAge": "zzz"}}
    response = await writes.http.post(
        "/v1/imports",
        content=_file([record]),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {writes.tokens['writer']}",
        },
    )
    assert response.status_code == 422
    assert [(r["where"], r["field"]) for r in response.json()["rejected"]] == [
        ("nodes[0]", "propertySources")
    ]


async def _snapshot(writes: WriteClient) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with every property, in a fixed order."""
    nodes = await writes.store.read(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS p ORDER BY elementId(n)"
    )
    links = await writes.store.read(
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS t, elementId(b) AS b, "
        "properties(r) AS p ORDER BY elementId(r)"
    )
    return nodes, links


async def test_a_dry_run_writes_nothing_and_reports_what_the_import_does(
    writes: WriteClient,
) -> None:
    await _import(writes, _file([_programme("wp-dry-existing", "a", description="Old")]))
    records = [
        _programme("wp-dry-existing", "b", description="New"),
        _programme("wp-dry-same", "a"),
        _programme("wp-dry-new", "b"),
    ]
    links = [
        {"type": "VARIANT_OF", "from": "wp-dry-new", "to": "wp-dry-existing", "source": "a"},
        {"type": "DELIVERS", "from": "agency-norfolk", "to": "wp-dry-new", "source": "b"},
    ]
    await _import(writes, _file([records[1]]))
    body = _file(records, links)
    before = await _snapshot(writes)
    dry = await _import(writes, body, "?dryRun=true")
    assert await _snapshot(writes) == before
    assert (dry["status"], dry["dryRun"]) == ("checked", True)
    real = await _import(writes, body)
    assert real["status"] == "imported"
    different = ("status", "dryRun", "seconds")
    assert {k: v for k, v in dry.items() if k not in different} == {
        k: v for k, v in real.items() if k not in different
    }
    assert real["nodes"] == {"created": 1, "updated": 1, "unchanged": 1}
    assert real["relationships"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert [(w["id"], w["status"], w["changed"]) for w in real["written"]] == [
        ("wp-dry-existing", "updated", ["description"]),
        ("wp-dry-new", "created", ["costRating", "kind", "name"]),
        ("wp-dry-new->wp-dry-existing", "created", []),
        ("agency-norfolk->wp-dry-new", "created", []),
    ]


async def test_an_import_refuses_a_self_link_as_a_mutation_does(writes: WriteClient) -> None:
    link = {"type": "VARIANT_OF", "from": "wp-self", "to": "wp-self", "source": "a"}
    response = await writes.http.post(
        "/v1/imports",
        content=_file([_programme("wp-self", "a")], [link]),
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {writes.tokens['writer']}",
        },
    )
    assert response.status_code == 422
    [problem] = response.json()["rejected"]
    assert (problem["where"], problem["reason"]) == (
        "relationships[0]",
        "VARIANT_OF cannot join a node to itself",
    )


async def test_per_property_sources_survive_the_exports(writes: WriteClient) -> None:
    """GraphML and the neo4j-admin CSV carry propertySources as the graph holds it."""
    await _import(writes, _file([_programme("wp-exported", "a", description="First words")]))
    await _import(writes, _file([_programme("wp-exported", "b", costRating=4)]))
    data = await writes('{ intervention(id: "wp-exported") { propertySources } }', token=None)
    stored = data["intervention"]["propertySources"]
    assert json.loads(stored) == {"description": CITATION_A, "kind": CITATION_A, "name": CITATION_A}
    params = {"ids": "Intervention:wp-exported", "depth": 0}
    graphml = await writes.http.get("/v1/exports/graphml", params=params)
    graph = nx.read_graphml(io.BytesIO(graphml.content))
    assert graph.nodes["Intervention:wp-exported"]["propertySources"] == stored
    archive = zipfile.ZipFile(
        io.BytesIO((await writes.http.get("/v1/exports/csv", params=params)).content)
    )
    files = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".csv")}
    exported = read_import(
        {n: t for n, t in files.items() if n.startswith("nodes_")},
        {n: t for n, t in files.items() if n.startswith("relationships_")},
        array_delimiter=ARRAY_DELIMITER,
    )
    assert exported.nodes["Intervention"]["wp-exported"]["propertySources"] == stored
