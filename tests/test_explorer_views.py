"""The explorer's other views in headless Chromium: the evidence gap map (sticky
headers, every column reachable, the API's filters, a cell's judgement, CSV and PNG
export, a link that reopens it) and compare (interventions and agencies side by side);
then accessibility (axe-core, the keyboard alone) and the frame time with 2,000 nodes.

web/explorer-views-check.mjs and web/explorer-a11y-check.mjs drive Chromium; every
expected value comes from the API. Screenshots and exports: test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from service.store import Store
from tests.conftest import GraphQL, StoreAddress
from tests.explorer_support import ARTIFACTS, assert_clean, run_check, running_service

TIMES = "\N{MULTIPLICATION SIGN}"
# What the page writes for a missing value, and between the ends of a range.
DASH = "\N{EN DASH}"
GAP_MAP = """query($filter: GapMapFilter) { evidenceGapMap(filter: $filter) {
    interventions { id }
    domains { domain outcomes { id } }
    cells { interventionId outcomeId status studyCount ongoingStudyCount findingCount
            strongest { eifValue titleIvE commonScale direction mixed trialCount } }
} }"""


@pytest.fixture(scope="module")
def service_url(
    embedded: StoreAddress, store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with running_service(embedded, tmp_path_factory.mktemp("explorer-views")) as url:
        yield url


@pytest.fixture(scope="module")
def views(service_url: str) -> dict[str, Any]:
    return run_check("explorer-views-check.mjs", service_url)


@pytest.fixture(scope="module")
def a11y(service_url: str) -> dict[str, Any]:
    return run_check("explorer-a11y-check.mjs", service_url, timeout=400)


async def _gap_map(gql: GraphQL, **filter: Any) -> dict[str, Any]:
    gap_map: dict[str, Any] = (await gql(GAP_MAP, filter=filter or None))["evidenceGapMap"]
    return gap_map


def _kind(cell: dict[str, Any]) -> str:
    if cell["status"] != "EVIDENCE":
        return str(cell["status"])
    return "unjudged" if cell["strongest"] is None else str(cell["strongest"]["commonScale"])


def _assert_drawn_as(drawn: dict[str, Any], gap_map: dict[str, Any]) -> None:
    assert drawn["interventions"] == [row["id"] for row in gap_map["interventions"]]
    assert drawn["outcomes"] == [o["id"] for d in gap_map["domains"] for o in d["outcomes"]]
    assert [span for _, span in drawn["domains"]] == [
        len(d["outcomes"]) for d in gap_map["domains"]
    ]
    expected = {
        (c["interventionId"], c["outcomeId"]): (c["status"], _kind(c)) for c in gap_map["cells"]
    }
    assert {
        (c["intervention"], c["outcome"]): (c["status"], c["kind"]) for c in drawn["cells"]
    } == expected


async def test_gap_map_draws_every_cell_the_api_gives(views: dict[str, Any], gql: GraphQL) -> None:
    assert views["url"].endswith("view=gap-map")
    assert views["networkHidden"] is True
    gap_map = await _gap_map(gql)
    _assert_drawn_as(views["all"], gap_map)
    assert {"ABSOLUTE_GAP", "EVIDENCE"} <= {c["status"] for c in gap_map["cells"]}
    legend = dict(views["legend"])
    assert legend["ABSOLUTE_GAP"] == "Absolute gap: no study"
    assert {"0", "1", "2", "3", "4", "5"} <= set(legend)
    assert_clean(views)


def test_gap_map_headers_stay_in_view_and_the_last_column_is_reachable(
    views: dict[str, Any],
) -> None:
    """Scrolled to the far corner in a small window, the last column ends inside the
    scroll box, and the outcome headers and intervention names are still at its edges."""
    scrolled = views["geometryScrolled"]
    left, top, right, bottom = scrolled["box"]
    assert left <= scrolled["lastHead"][0] < scrolled["lastHead"][1] <= right
    assert scrolled["lastCell"][1] <= right and scrolled["lastCell"][2] <= bottom
    before = views["geometryBefore"]
    assert before["lastHead"][1] > scrolled["box"][2], "the table is wider than the small box"
    assert top <= scrolled["headTop"] < top + 60, "the outcome header row sticks to the top"
    assert left <= scrolled["rowHeadLeft"] < left + 5, "the intervention names stick to the left"


async def test_gap_map_filters_are_the_apis(views: dict[str, Any], gql: GraphQL) -> None:
    _assert_drawn_as(views["childSafety"], await _gap_map(gql, outcomeDomains=["CHILD_SAFETY"]))
    _assert_drawn_as(
        views["childSafetyProgrammes"],
        await _gap_map(gql, outcomeDomains=["CHILD_SAFETY"], interventionKinds=["PROGRAMME"]),
    )
    specialist = await gql(
        "{ interventions(filter: {levelOfNeedIn: [SPECIALIST]}, first: 100) { edges { node { id } } } }"
    )
    ids = [e["node"]["id"] for e in specialist["interventions"]["edges"]]
    assert ids, "the example data has a specialist intervention"
    _assert_drawn_as(
        views["childSafetySpecialist"],
        await _gap_map(gql, outcomeDomains=["CHILD_SAFETY"], interventionIds=ids),
    )
    query = parse_qs(urlsplit(views["filteredUrl"]).query)
    assert (query["domain"], query["kind"]) == (["CHILD_SAFETY"], ["PROGRAMME"])


async def test_a_cell_opens_its_judgement_with_deciding_findings_and_caveats(
    views: dict[str, Any], gql: GraphQL
) -> None:
    answer = (
        await gql(
            """{ evidenceJudgement(interventionId: "pcit", outcomeId: "outcome-child-maltreatment") {
                 studyCount strongest { eifValue titleIvE commonScale direction mixed reasons
                   consistency { label } caveats { code text } decidingTrials { id }
                   decidingFindings { id direction significant study { id independent } } } } }"""
        )
    )["evidenceJudgement"]
    judgement = answer["strongest"]
    cell = views["evidenceCell"]
    assert cell["heading"] == f"Parent-Child Interaction Therapy {TIMES} Child maltreatment"
    assert cell["judgement"]["EIF-style level"] == judgement["eifValue"]
    assert cell["judgement"]["Title IV-E"] == judgement["titleIvE"]
    assert cell["judgement"]["Common scale"].startswith(f"{judgement['commonScale']} ")
    assert cell["judgement"]["Consistency"].startswith(judgement["consistency"]["label"])
    assert cell["reasons"] == judgement["reasons"]
    assert [(f["id"], f["study"]) for f in cell["findings"]] == [
        (f["id"], f["study"]["id"]) for f in judgement["decidingFindings"]
    ]
    assert cell["findings"], "a deciding finding is listed"
    assert cell["trials"] == [t["id"] for t in judgement["decidingTrials"]]
    assert cell["trials"], "a deciding trial is listed"
    # The panel shows the service's own caveats, the same the API gives, none left out.
    assert cell["caveats"] == (
        [{"code": c["code"], "text": c["text"]} for c in judgement["caveats"]]
        or [{"code": None, "text": "None."}]
    )
    assert cell["facts"]["Studies"].startswith(f"{answer['studyCount']} (")

    gap = views["gapCell"]
    assert gap["facts"]["Status"] == "Absolute gap"
    assert gap["none"] == "No judgement: no completed study has reported on this cell."
    assert parse_qs(urlsplit(views["cellUrl"]).query)["cell"] == ["pcit|outcome-child-maltreatment"]
    assert (ARTIFACTS / "explorer-gap-map.png").stat().st_size > 10_000


async def test_export_gives_what_is_shown_as_csv_and_png(
    views: dict[str, Any], gql: GraphQL
) -> None:
    gap_map = await _gap_map(gql, outcomeDomains=["CHILD_SAFETY"])
    rows = list(csv.DictReader(io.StringIO(views["csv"])))
    assert views["csvName"] == "evidence-gap-map.csv"
    assert [(r["intervention_id"], r["outcome_id"]) for r in rows] == [
        (c["interventionId"], c["outcomeId"]) for c in gap_map["cells"]
    ]
    for row, cell in zip(rows, gap_map["cells"], strict=True):
        best = cell["strongest"] or {}
        assert row["status"] == cell["status"]
        assert row["studies"] == str(cell["studyCount"])
        assert row["findings"] == str(cell["findingCount"])
        assert row["eif_value"] == (best.get("eifValue") or "")
        assert row["common_scale"] == (
            "" if best.get("commonScale") is None else str(best["commonScale"])
        )
        assert row["domain"] == "CHILD_SAFETY"
    png = (ARTIFACTS / "evidence-gap-map.png").read_bytes()
    assert views["pngName"] == "evidence-gap-map.png"
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    columns = len(views["shownMap"]["outcomes"])
    rows_shown = len(views["shownMap"]["interventions"])
    # gap-map-export.js: 260 px of row names, 56 px per column, 150 px of headers, 30 px per row.
    assert (width, height) == (260 + columns * 56 + 20, 150 + rows_shown * 30 + 20)


def test_a_gap_map_link_reopens_its_filters_and_cell(views: dict[str, Any]) -> None:
    reopened = views["reopened"]
    assert reopened["ticked"] == ["CHILD_SAFETY"]
    assert reopened["map"]["outcomes"] == views["childSafety"]["outcomes"]
    assert reopened["heading"] == f"Parent-Child Interaction Therapy {TIMES} Child maltreatment"


async def test_compare_puts_interventions_side_by_side(views: dict[str, Any], gql: GraphQL) -> None:
    table = views["compareInterventions"]
    keys = [
        "Intervention:pcit",
        "Intervention:incredible-years-preschool-basic",
        "Intervention:mash",
    ]
    assert table["columns"] == keys
    assert table["sections"] == [
        "Fit",
        "Cost and use",
        "Ratings per scheme (newest first)",
        "Judgement per outcome",
        "Caveats recorded",
        "Trials and studies",
    ]
    rows = {row[0]: row[1:] for row in table["rows"]}
    data = await gql(
        """fragment F on Intervention { costRating studies { id trial { id } }
               ratings { scheme value ratedOn ratedOnPrecision } }
           { a: intervention(id: "pcit") { ...F } b: intervention(id: "incredible-years-preschool-basic") { ...F }
             c: intervention(id: "mash") { ...F } }"""
    )
    interventions = [data["a"], data["b"], data["c"]]
    assert rows["Publications"] == [str(len(i["studies"])) for i in interventions]
    assert rows["Trials (samples)"] == [
        str(len({(s["trial"] or {}).get("id") or s["id"] for s in i["studies"]}))
        for i in interventions
    ]
    assert rows[f"Cost rating (1{DASH}5)"] == [str(i["costRating"] or DASH) for i in interventions]
    for column, intervention in enumerate(interventions):
        for rating in intervention["ratings"]:
            scheme = "Title IV-E" if rating["scheme"] == "TITLE_IV_E" else rating["scheme"]
            shown = (
                f"as of {rating['ratedOn']}"
                if rating["ratedOnPrecision"] == "AS_OF"
                else rating["ratedOn"][
                    : {"YEAR": 4, "MONTH": 7}.get(rating["ratedOnPrecision"], 10)
                ]
            )
            assert f"{rating['value']} ({shown}" in rows[scheme][column]
    cells = (await _gap_map(gql, interventionIds=["pcit"]))["cells"]
    maltreatment = next(c for c in cells if c["outcomeId"] == "outcome-child-maltreatment")
    assert rows["Child maltreatment"][0].startswith(maltreatment["strongest"]["eifValue"])
    assert f"({maltreatment['strongest']['trialCount']} trials, " in rows["Child maltreatment"][0]
    assert rows["Child maltreatment"][2] == "gap"
    assert views["afterDrop"] == keys[:2]


def test_compare_puts_agencies_arrangements_side_by_side(views: dict[str, Any]) -> None:
    table = views["compareAgencies"]
    assert table["columns"] == ["Agency:agency-police", "Agency:agency-devon-county-council"]
    rows = [tuple(row) for row in table["rows"]]
    assert ("Sector", "Police", "Local government") in rows
    mash = [row for row in rows if row[0] == "Multi-Agency Safeguarding Hub"]
    # The police take part in MASH; Devon delivers it (since 2010, as recorded).
    assert mash[0][1].startswith("Co-located police staff") and mash[0][2] == DASH
    assert mash[1] == ("Multi-Agency Safeguarding Hub", DASH, "yes (2010-01-01 to now)")
    assert "compare=" in views["compareUrl"]


def test_no_serious_accessibility_violations_in_any_view(a11y: dict[str, Any]) -> None:
    for view in ("axeNetwork", "axeGapMap", "axeCompare"):
        serious = [v for v in a11y[view] if v["impact"] in ("serious", "critical")]
        assert serious == [], (view, serious)
    assert_clean(a11y)


def test_the_keyboard_alone_searches_steps_expands_and_switches_views(a11y: dict[str, Any]) -> None:
    keys = a11y["keyboard"]
    assert keys["first"] != keys["second"]
    assert keys["afterEnter"] > keys["before"]
    assert keys["afterDelete"] == keys["afterEnter"] - 1
    assert (keys["viewAfterArrow"], keys["focusedTab"]) == ("gap-map", "tab-gap-map")
    assert keys["cellHeading"] == f"Parent-Child Interaction Therapy {TIMES} Child maltreatment"


def test_frame_time_with_two_thousand_nodes_is_measured(a11y: dict[str, Any]) -> None:
    """The numbers are recorded in the README; the bound here only catches a collapse."""
    perf = a11y["perf"]
    assert (perf["nodes"], perf["frames"]) == (2000, 179)
    assert perf["medianFrameMs"] < 100
    assert (ARTIFACTS / "explorer-2000-nodes.png").stat().st_size > 10_000
