"""The explorer's side panel shows the evidence behind a clicked programme or rating:
every source, a rating's date at the precision it was published ("as of" the day an
undated page was read), its common level and the caveats recorded on it; its "What works
here" view gives recommend's ranked answer with each score's parts, the judgement, the
caveats and cautions, and what was left out (web/explorer-evidence-check.mjs in headless
Chromium, on the write tests' store; every expected value comes from the API)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import WriteClient
from tests.explorer_support import assert_clean, run_check, running_service

SOURCE = "https://example.org/undated-clearinghouse-page"
FURTHER = "https://example.org/news-report"
CAVEAT = "The rating covers only the programme's original version."
ENTRY_TO_CARE = "outcome-entry-to-care"
RECOMMEND = """query($c: LocalContext!) { recommend(context: $c) {
  recommendations { rank name score { total parts { name points } }
    ratingCaveats { code } cautions { code } }
  excluded { name reasons } } }"""


@pytest.fixture(scope="module")
async def seen(writes: WriteClient, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = await writes(
        f"""mutation {{
          r: upsertRating(input: {{id: "rating-blueprints-pcit-as-of", scheme: BLUEPRINTS,
               value: "Model", ratedOnText: "as of 2026-11-30", issuerId: "agency-eif",
               interventionId: "pcit", source: "{SOURCE}"}}) {{ errors {{ message }} }}
          c: upsertCaveat(input: {{id: "caveat-blueprints-pcit", kind: VARIANT_ONLY,
               text: "{CAVEAT}", source: "{SOURCE}", sources: ["{FURTHER}"]}}) {{ errors {{ message }} }}
          l: link(type: QUALIFIES, fromId: "caveat-blueprints-pcit",
               toId: "rating-blueprints-pcit-as-of", source: "{SOURCE}") {{ errors {{ message }} }}
        }}"""
    )
    assert [data[k]["errors"] for k in "rcl"] == [[], [], []]
    recorded = await writes('{ intervention(id: "pcit") { source sources } }')
    try:
        with running_service(writes.embedded, tmp_path_factory.mktemp("explorer-evidence")) as url:
            seen = run_check(
                "explorer-evidence-check.mjs",
                url,
                "pcit",
                "rating-blueprints-pcit-as-of",
                ENTRY_TO_CARE,
            )
            context = {"outcomeIds": [ENTRY_TO_CARE], "minAge": 3, "maxAge": 6, "areaType": "RURAL"}
            answer = await writes(RECOMMEND, c=context)
            return {**seen, "recorded": recorded["intervention"], "answer": answer["recommend"]}
    finally:
        # The write store is the session's: leave PCIT's ratings as the other tests know them.
        removed = await writes(
            """mutation { c: delete(kind: CAVEAT, id: "caveat-blueprints-pcit", force: true)
                 { deleted } r: delete(kind: RATING, id: "rating-blueprints-pcit-as-of",
                 force: true) { deleted } }"""
        )
        assert removed == {"c": {"deleted": True}, "r": {"deleted": True}}


def test_a_programme_shows_its_sources_and_caveats(seen: dict[str, Any]) -> None:
    recorded = seen["recorded"]
    assert seen["programme"] == {
        "Sources": ", ".join(recorded["sources"] or [recorded["source"]]),
        "Caveats": "none recorded",
    }


def test_a_rating_shows_its_date_as_published_its_level_and_its_caveats(
    seen: dict[str, Any],
) -> None:
    assert seen["rating"] == {
        "Sources": SOURCE,
        "Rated on": "as of 2026-11-30",
        "Common scale": "5: Well supported: several rigorous evaluations, lasting effects",
        "Caveats": f"Variant only: {CAVEAT}",
    }
    assert_clean(seen)


def test_what_works_here_shows_the_ranked_answer_with_its_reasons(seen: dict[str, Any]) -> None:
    answer = seen["answer"]
    assert seen["asked"] == {
        "outcomeIds": [ENTRY_TO_CARE],
        "minAge": 3,
        "maxAge": 6,
        "areaType": "RURAL",
    }
    assert answer["recommendations"], "the example data answers the question"
    expected_headings = [
        f"{r['rank']}. {r['name']}: {r['score']['total']} points" for r in answer["recommendations"]
    ]
    assert [item["heading"] for item in seen["ranked"]] == expected_headings
    for item, entry in zip(seen["ranked"], answer["recommendations"], strict=True):
        assert [points for _, points in item["parts"]] == [
            p["points"] for p in entry["score"]["parts"]
        ]
        assert sum(points for _, points in item["parts"]) == entry["score"]["total"]
        assert {"Fit", "Judgement", "Deciding trials", "Harm"} <= set(item["facts"])
        assert len(item["notes"]) == len(entry["ratingCaveats"]) + len(entry["cautions"])
    assert seen["excluded"] == [
        f"{e['name']}: {'; '.join(e['reasons'])}" for e in answer["excluded"]
    ]
    assert_clean(seen)


def test_what_works_here_has_no_serious_accessibility_violation(seen: dict[str, Any]) -> None:
    serious = [v for v in seen["axeRecommend"] if v["impact"] in ("serious", "critical")]
    assert serious == []
