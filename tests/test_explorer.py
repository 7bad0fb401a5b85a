"""The explorer's network view in headless Chromium, driven as an analyst would: search
by name and alias, open MASH, read a node, expand along chosen relationship types (the
drawing keeps its positions), remove a node, hide labels and relationship types, filter
by properties, switch layouts, colour and size by a property, draw the shortest paths
between two nodes, and reopen the whole view from its URL.

web/explorer-check.mjs drives Chromium once for the module; every expected value here
comes from the API. Screenshots: test-artifacts/explorer*.png.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from service.store import Store
from tests.conftest import GraphQL, StoreAddress
from tests.explorer_support import ARTIFACTS, assert_clean, run_check, running_service

PER_LABEL = 6  # search.js shows at most this many per label
DASH = "\N{EN DASH}"


@pytest.fixture(scope="module")
def service_url(
    embedded: StoreAddress, store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``store`` makes sure the example data is in before the service starts."""
    with running_service(embedded, tmp_path_factory.mktemp("explorer-service")) as url:
        yield url


@pytest.fixture(scope="module")
def seen(service_url: str) -> dict[str, Any]:
    return run_check("explorer-check.mjs", service_url)


async def _keys(gql: GraphQL, ids: list[str], types: list[str] | None = None) -> set[str]:
    data = await gql(
        "query($ids: [String!]!, $types: [RelationshipType!]) {"
        " subgraph(ids: $ids, depth: 1, relationshipTypes: $types) { nodes { key } } }",
        ids=ids,
        types=types,
    )
    return {node["key"] for node in data["subgraph"]["nodes"]}


async def _expected_search(gql: GraphQL, text: str) -> list[str]:
    data = await gql(
        """query($text: String!, $first: Int!) {
          interventions(filter: {nameContains: $text}, first: $first) { edges { node { id } } }
          agencies(filter: {nameContains: $text}, first: $first) { edges { node { id } } }
          studies(filter: {titleContains: $text}, first: $first) { edges { node { id } } }
          outcomes(filter: {nameContains: $text}, first: $first) { edges { node { id } } }
          all: interventions(first: 100) { edges { node { id aliases } } }
        }""",
        text=text,
        first=PER_LABEL,
    )
    ids = lambda field: [e["node"]["id"] for e in data[field]["edges"]]  # noqa: E731
    interventions = [f"Intervention:{i}" for i in ids("interventions")]
    for edge in data["all"]["edges"]:
        node = edge["node"]
        key = f"Intervention:{node['id']}"
        if key not in interventions and any(
            text.lower() in a.lower() for a in node["aliases"] or []
        ):
            interventions.append(key)
    return [
        *interventions,
        *(f"Agency:{i}" for i in ids("agencies")),
        *(f"Study:{i}" for i in ids("studies")),
        *(f"Outcome:{i}" for i in ids("outcomes")),
    ]


async def test_search_finds_interventions_agencies_studies_and_outcomes_by_name_or_alias(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    for text, options in seen["search"].items():
        assert [o["key"] for o in options] == await _expected_search(gql, text), text
        assert options[0]["selected"] == "true" and all(
            o["selected"] == "false" for o in options[1:]
        )
    # MASH is only an alias: the name is Multi-Agency Safeguarding Hub.
    assert seen["search"]["MASH"][0]["key"] == "Intervention:mash"
    assert "“MASH”" in seen["search"]["MASH"][0]["text"]
    assert "Intervention:pcit" in [o["key"] for o in seen["search"]["PCIT"]]
    assert "Outcome:outcome-child-maltreatment" in [o["key"] for o in seen["search"]["maltreat"]]
    assert "Agency:agency-police" in [o["key"] for o in seen["search"]["police"]]
    assert "Study:study-hutchings-2007" in [o["key"] for o in seen["search"]["Sure Start"]]
    labels = {o["key"].split(":")[0] for o in seen["search"]["family"]}
    assert {"Intervention", "Study"} <= labels
    assert seen["searchExpanded"] == "true"


async def test_choosing_a_result_draws_its_neighbourhood(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    assert (seen["status"], seen["title"]) == (200, "Evidence Graph explorer")
    drawn = {node["key"]: node for node in seen["drawn"]}
    assert set(drawn) == await _keys(gql, ["Intervention:mash"])
    assert drawn["Intervention:mash"]["name"] == "Multi-Agency Safeguarding Hub"
    assert {"Agency:agency-police", "Agency:agency-health"} <= set(drawn)
    assert seen["drawnEdges"] >= 9
    query = parse_qs(urlsplit(seen["url"]).query)
    assert query["focus"] == ["Intervention:mash"]
    assert query["q"] == ["Multi-Agency Safeguarding Hub"]
    assert seen["downloads"] == [
        f"/v1/exports/{fmt}?ids=Intervention%3Amash&depth=1"
        for fmt in ("graphml", "gexf", "cytoscape", "csv")
    ]
    assert_clean(seen)


def test_a_clicked_node_shows_its_properties_and_what_can_be_done(seen: dict[str, Any]) -> None:
    details = seen["details"]
    assert details["label"] == "Agency · Agency:agency-police"
    assert details["properties"]["sector"] == "POLICE"
    assert details["heading"] == details["properties"]["name"]
    assert details["actions"] == [
        "expand",
        "remove-node",
        "path-from-here",
        "path-to-here",
        "add-to-compare",
    ]


async def test_expanding_along_chosen_types_adds_only_those_and_moves_nothing(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    expand = seen["expand"]
    study = "Study:study-eif-2017-child-protection"
    along = await _keys(gql, [study], ["EVALUATES"])
    assert set(expand["newNodes"]) == along - set(expand["before"])
    assert expand["newNodes"], "the review evaluated interventions not drawn yet"
    assert all(key.startswith("Intervention:") for key in expand["newNodes"])
    assert seen["expandButton"] == "Expand along 1 chosen type"
    for key, position in expand["before"].items():
        assert expand["after"][key] == pytest.approx(position), key
    query = parse_qs(urlsplit(seen["urlAfterExpand"]).query)
    assert query["expandTypes"] == ["EVALUATES"]


def test_a_removed_node_leaves_the_drawing_and_the_url_remembers_it(seen: dict[str, Any]) -> None:
    assert "Agency:agency-herefordshire" not in seen["afterRemove"]
    assert "Agency:agency-herefordshire" not in seen["withPcit"]
    query = parse_qs(urlsplit(seen["urlHidden"]).query)
    assert query["removed"] == ["Agency:agency-herefordshire"]
    assert query["focus"] == ["Intervention:mash", "Intervention:pcit"]
    assert query["expand"] == ["Study:study-eif-2017-child-protection~EVALUATES"]


def test_labels_and_relationship_types_can_be_hidden(seen: dict[str, Any]) -> None:
    agencies = {key for key in seen["withPcit"] if key.startswith("Agency:")}
    assert set(seen["hideAgencies"]) == agencies
    assert seen["hideDelivers"] == {"types": ["DELIVERS"], "nodes": []}
    assert parse_qs(urlsplit(seen["urlHidden"]).query)["hideTypes"] == ["DELIVERS"]


async def test_property_filters_hide_what_does_not_match(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    data = await gql(
        """{ studies(first: 100) { edges { node { id year design } } }
             agencies(first: 100) { edges { node { id sector } } } }"""
    )
    studies = {f"Study:{e['node']['id']}": e["node"] for e in data["studies"]["edges"]}
    sectors = {f"Agency:{e['node']['id']}": e["node"]["sector"] for e in data["agencies"]["edges"]}
    drawn = seen["withPcit"]
    drawn_studies = [key for key in drawn if key in studies]
    assert set(seen["filterYear"]) == {k for k in drawn_studies if studies[k]["year"] < 2010}
    assert seen["filterYear"], "a study before 2010 is drawn"
    assert set(seen["filterDesign"]) == {k for k in drawn_studies if studies[k]["design"] != "RCT"}
    assert set(seen["filterSector"]) == {
        k for k in drawn if k in sectors and sectors[k] != "POLICE"
    }
    shown = len(drawn) - len(seen["filterSector"])
    assert seen["filterSummary"] == f"{shown} of {len(drawn)} nodes shown"

    ids = [key.split(":", 1)[1] for key in seen["evidenceLevels"]]
    ranking = (
        await gql(
            "query($ids: [ID!]) { practiceGap(interventionIds: $ids) {"
            " ranking { interventionId evidence { commonScale } } } }",
            ids=ids,
        )
    )["practiceGap"]["ranking"]
    levels = {f"Intervention:{r['interventionId']}": r["evidence"]["commonScale"] for r in ranking}
    assert seen["evidenceLevels"] == levels
    assert set(seen["filterEvidence"]) == {key for key, level in levels.items() if level < 3}
    assert seen["afterFilters"] == []


def test_each_layout_places_the_nodes_its_own_way(seen: dict[str, Any]) -> None:
    layouts = seen["layouts"]
    roots = {"Intervention:mash", "Intervention:pcit", "Study:study-eif-2017-child-protection"}
    grid = layouts["grid"].values()
    columns = {round(p["x"]) for p in grid}
    rows = {round(p["y"]) for p in grid}
    assert len(columns) * len(rows) >= len(layouts["grid"]) > max(len(columns), len(rows)) > 1

    concentric = layouts["concentric"]
    xs = [p["x"] for p in concentric.values()]
    ys = [p["y"] for p in concentric.values()]
    centre = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    distance = {k: math.dist(centre, (p["x"], p["y"])) for k, p in concentric.items()}
    assert max(distance[k] for k in roots) < min(d for k, d in distance.items() if k not in roots)

    breadthfirst = layouts["breadthfirst"]
    top = min(p["y"] for p in breadthfirst.values())
    assert {k for k, p in breadthfirst.items() if p["y"] == pytest.approx(top)} == roots
    assert layouts["cose"] != layouts["grid"]


def _rgb(colour: str) -> tuple[int, ...]:
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(int(part) for part in colour.strip("rgb()").split(","))


def test_colour_and_size_follow_the_chosen_rule_and_the_legend_states_it(
    seen: dict[str, Any],
) -> None:
    style = seen["style"]
    assert style["legendColour"] == "Colour: Agency sector"
    swatches = dict(style["swatches"])
    for key, node in style["nodes"].items():
        if key.startswith("Agency:"):
            expected = swatches[node["sector"].replace("_", " ").capitalize()]
        else:
            expected = swatches["no value"]
        assert _rgb(node["colour"]) == _rgb(expected), key
    levels = [n["level"] for n in style["nodes"].values() if n["level"] is not None]
    low, high = min(levels), max(levels)
    assert style["legendSize"].startswith(
        f"Size: Evidence level (interventions, common scale 0{DASH}5), {low} → 16 px to {high} → 48 px"
    )
    for key, node in style["nodes"].items():
        if node["level"] is None:
            assert node["size"] == 22, key
        else:
            assert node["size"] == round(16 + (node["level"] - low) / (high - low) * 32), key
    assert (ARTIFACTS / "explorer-style.png").stat().st_size > 10_000


DIRECTION_COLOURS = {
    "FAVOURABLE": "#2e7d32",
    "NO_EFFECT": "#78858f",
    "UNFAVOURABLE": "#c62828",
    "MIXED": "#ef6c00",
    None: "#78858f",
}


async def test_evidence_judged_from_findings_is_drawn_on_edges(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    """Intervention to outcome: label the EIF-style level, width the common-scale level,
    colour the direction; a drawn finding's relationships take its direction's colour."""
    drawn = seen["style"]["nodes"]
    interventions = [k.split(":", 1)[1] for k in drawn if k.startswith("Intervention:")]
    outcomes = [k.split(":", 1)[1] for k in drawn if k.startswith("Outcome:")]
    cells = (
        await gql(
            """query($i: [ID!], $o: [ID!]) { evidenceGapMap(filter: {interventionIds: $i, outcomeIds: $o}) {
                 cells { interventionId outcomeId strongest { eifValue commonScale direction mixed } } } }""",
            i=interventions,
            o=outcomes,
        )
    )["evidenceGapMap"]["cells"]
    expected = sorted(
        (
            f"Intervention:{c['interventionId']}",
            f"Outcome:{c['outcomeId']}",
            c["strongest"]["eifValue"],
            DIRECTION_COLOURS[c["strongest"]["direction"]]
            if c["strongest"]["direction"] in DIRECTION_COLOURS
            else DIRECTION_COLOURS[None],
            1 + 1.5 * c["strongest"]["commonScale"],
            c["strongest"]["mixed"],
        )
        for c in cells
        if c["strongest"]
    )
    edges = seen["evidenceEdges"]
    actual = sorted(
        (e["source"], e["target"], e["caption"], e["colour"], e["width"], e["mixed"]) for e in edges
    )
    assert actual == expected
    assert actual, "judged cells are drawn"
    for edge in seen["findingEdges"]:
        finding = next(part for part in edge["id"].split("|") if part.startswith("Finding:"))
        data = await gql(
            "query($id: ID!) { finding(id: $id) { direction } }", id=finding.split(":", 1)[1]
        )
        assert edge["colour"] == DIRECTION_COLOURS[data["finding"]["direction"]], edge["id"]
    assert seen["findingEdges"], "findings are drawn"
    assert seen["evidenceLegend"].startswith("Evidence edges (judged from findings)")


async def test_the_shortest_paths_between_two_picked_nodes_are_drawn_and_listed(
    seen: dict[str, Any], gql: GraphQL
) -> None:
    answer = (
        await gql(
            """{ paths(fromId: "Agency:agency-police", toId: "Study:study-chaffin-2004", maxLength: 4) {
                 paths { length nodes { key name } edges { type source target } } } }"""
        )
    )["paths"]["paths"]
    assert answer, "the police are connected to the PCIT trial"
    listed = seen["paths"]["listed"]
    assert len(listed) == len(answer)
    for line, path in zip(listed, answer, strict=True):
        assert line.startswith(f"{path['length']} steps: Local police force —PARTICIPATES_IN→")
        for node in path["nodes"]:
            assert node["name"] in line
    marked = {key for path in answer for key in (n["key"] for n in path["nodes"])}
    marked |= {f"{e['source']}|{e['type']}|{e['target']}" for path in answer for e in path["edges"]}
    assert set(seen["paths"]["marked"]) == marked
    assert seen["pathEnds"][0] == "Local police force"


def test_the_url_reopens_the_same_view(seen: dict[str, Any]) -> None:
    query = parse_qs(urlsplit(seen["sharedUrl"]).query)
    assert query["colour"] == ["sector"] and query["size"] == ["evidenceLevel"]
    assert query["from"] == ["Agency:agency-police"] and query["paths"] == ["shown"]
    assert query["sel"] == ["Study:study-chaffin-2004"]
    assert query["evidence"] == ["on"]
    assert seen["stateReopened"] == seen["stateBefore"]
    assert seen["stateReopened"]["selected"] == "Study · Study:study-chaffin-2004"
    assert seen["stateReopened"]["paths"], "the paths are drawn again"
    assert seen["stateReopened"]["evidenceEdges"], "the evidence edges are drawn again"
    assert (ARTIFACTS / "explorer-reopened.png").stat().st_size > 10_000
    assert (ARTIFACTS / "explorer.png").stat().st_size > 10_000
    assert_clean(seen)


async def test_explorer_files_are_served_and_nothing_outside(client: httpx.AsyncClient) -> None:
    page = await client.get("/explore")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<script src="/explore/vendor/cytoscape.min.js">' in page.text
    assert '<script type="module" src="/explore/explorer.js">' in page.text
    assert "http" not in page.text.replace("http-equiv", ""), "no other host referenced"
    names = [
        "api.js",
        "compare.js",
        "details.js",
        "explorer.js",
        "filters.js",
        "gap-map.js",
        "gap-map-cell.js",
        "evidence-edges.js",
        "evidence-facts.js",
        "gap-map-export.js",
        "paths.js",
        "recommend-view.js",
        "scene.js",
        "search.js",
        "style.js",
        "url-state.js",
        "views.js",
        "explorer.css",
    ]
    for name in names:
        response = await client.get(f"/explore/{name}")
        assert response.status_code == 200, name
        if name.endswith(".js"):
            assert response.headers["content-type"].startswith("text/javascript"), name
            assert "http://" not in response.text and "https://" not in response.text, name
    assert (await client.get("/explore/../app.py")).status_code == 404
    assert (await client.get("/explore/%2e%2e/app.py")).status_code == 404
