"""The explorer's side panel shows the evidence behind a clicked programme or rating:
every source, a rating's date at the precision it was published ("as of" the day an
undated page was read), its common level and the caveats recorded on it
(web/explorer-evidence-check.mjs in headless Chromium, on a store of its own)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import WriteClient
from tests.explorer_support import assert_clean, run_check, running_service

SOURCE = "https://example.org/undated-clearinghouse-page"
FURTHER = "https://example.org/news-report"
CAVEAT = "The rating covers only the programme's original version."


@pytest.fixture(scope="module")
async def seen(writes: WriteClient, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data = await writes(
        f"""mutation {{
          r: upsertRating(input: {{id: "rating-blueprints-pcit-as-of", scheme: BLUEPRINTS,
               value: "Model", ratedOn: "as of 2026-11-30", issuerId: "agency-eif",
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
                "explorer-evidence-check.mjs", url, "pcit", "rating-blueprints-pcit-as-of"
            )
            return {**seen, "recorded": recorded["intervention"]}
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
