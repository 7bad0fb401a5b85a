"""The model's evidence extensions through every door: mutations, the import format and
GraphQL reads. Trials, caveats, people, several sources, ISO countries, partial dates."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from service.countries import country_code
from service.graph_file import GraphFileError, read_graph_file
from service.model import NODE_PROPERTIES
from service.plans.lookup import node_by_id, node_by_id_statement
from service.plans.selection import Selection
from service.plans.shapes import LINKS, SCALARS
from service.validation import clean_properties
from tests.conftest import WriteClient

SOURCE = "https://example.org/evidence/register-2026"
UPSERTS = """
mutation($trial: TrialInput!, $caveat: CaveatInput!, $person: PersonInput!) {
  upsertTrial(input: $trial) { trial { id name country registration } errors { code field message } }
  upsertCaveat(input: $caveat) { caveat { id kind text } errors { code field message } }
  upsertPerson(input: $person) { person { id name affiliation } errors { code field message } }
}
"""
LINK = """
mutation($kind: PlainLinkKind!, $from: ID!, $to: ID!) {
  link(type: $kind, fromId: $from, toId: $to, source: "https://example.org/evidence/register-2026") {
    errors { code message }
  }
}
"""


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Wales", "GB"),
        ("Scotland", "GB"),
        ("Northern Ireland", "GB"),
        ("Great Britain", "GB"),
        ("gb", "GB"),
        ("United States", "US"),
        ("USA", "US"),
        ("Norway", "NO"),
        ("Netherlands", "NL"),
        ("Australia", "AU"),
    ],
)
def test_countries_are_stored_as_iso_codes_whatever_the_spelling(written: str, stored: str) -> None:
    assert country_code(written) == stored
    cleaned, problems = clean_properties(
        {"country": written}, NODE_PROPERTIES["Study"], require=False
    )
    assert (cleaned, problems) == ({"country": stored}, [])


def test_an_unknown_country_is_refused_with_the_reason() -> None:
    _, problems = clean_properties(
        {"country": "Atlantis"}, NODE_PROPERTIES["Agency"], require=False
    )
    assert [p.field for p in problems] == ["country"]
    assert "ISO 3166-1" in problems[0].reason


@pytest.mark.parametrize(
    ("published", "date", "precision"),
    [
        ("2019", "2019-01-01", "YEAR"),
        ("2019-06", "2019-06-01", "MONTH"),
        ("2019-06-20", "2019-06-20", "DAY"),
        ("as of 2026-11-30", "2026-11-30", "AS_OF"),
        ("As of 2026-11-30", "2026-11-30", "AS_OF"),
    ],
)
def test_rating_dates_keep_what_was_published(published: str, date: str, precision: str) -> None:
    cleaned, problems = clean_properties(
        {"ratedOn": published, "ratedOnPrecision": "DAY"}, NODE_PROPERTIES["Rating"], require=False
    )
    assert problems == []
    assert (cleaned["ratedOn"].isoformat(), cleaned["ratedOnPrecision"]) == (date, precision)


@pytest.mark.parametrize("text", ["2019-13", "as of 2019-06", "as of 2019-02-30", "circa 2019"])
def test_a_date_that_is_not_one_is_refused(text: str) -> None:
    _, problems = clean_properties({"ratedOn": text}, NODE_PROPERTIES["Rating"], require=False)
    assert [p.field for p in problems] == ["ratedOn"]


def _file(tmp_path: Path, **record: Any) -> Path:
    document = {
        "sources": {
            "page": {
                "citation": "Clearinghouse page",
                "url": "https://example.org/p",
                "retrieved": "2026-05-01",
            },
            "paper": {"citation": "Trial paper (2020)"},
        },
        "nodes": [
            {"label": "Person", "id": "p-1", "properties": {"name": "A Developer"}, **record}
        ],
    }
    path = tmp_path / "file.json"
    path.write_text(json.dumps(document))
    return path


def test_a_record_may_cite_several_sources(tmp_path: Path) -> None:
    graph = read_graph_file(_file(tmp_path, sources=["page", "paper"]))
    [node] = graph.nodes
    assert node.source == "Clearinghouse page https://example.org/p (retrieved 2026-05-01)"
    assert node.properties["sources"] == [node.source, "Trial paper (2020)"]


def test_a_record_needs_a_source_and_known_keys(tmp_path: Path) -> None:
    with pytest.raises(GraphFileError) as caught:
        read_graph_file(_file(tmp_path, sources=["page", "nope"]))
    assert caught.value.problems == ["nodes[0].source: 'nope' is not defined under 'sources'"]
    with pytest.raises(GraphFileError):
        read_graph_file(_file(tmp_path))


async def test_trials_caveats_and_people_through_mutations(writes: WriteClient) -> None:
    data = await writes(
        UPSERTS,
        trial={
            "id": "trial-m",
            "name": "Model trial",
            "country": "Wales",
            "registration": "ISRCTN00000001",
            "source": SOURCE,
        },
        caveat={
            "id": "caveat-m",
            "kind": "DISPUTED",
            "text": "The rating is publicly disputed.",
            "source": SOURCE,
        },
        person={
            "id": "person-m",
            "name": "A. Developer",
            "affiliation": "A university",
            "source": SOURCE,
        },
    )
    assert data["upsertTrial"] == {
        "trial": {
            "id": "trial-m",
            "name": "Model trial",
            "country": "GB",
            "registration": "ISRCTN00000001",
        },
        "errors": [],
    }
    assert data["upsertCaveat"]["errors"] == [] and data["upsertPerson"]["errors"] == []
    study = await writes(
        """mutation { upsertStudy(input: {id: "study-m", title: "A trial paper", year: 2020,
             design: RCT, status: COMPLETED, country: "England", sampleSize: 200,
             attritionPercent: 12.5, differentialAttritionPercent: 2, comparison: SERVICES_AS_USUAL,
             followUpMonths: 12, independent: true, source: "https://example.org/evidence/register-2026"}) {
             study { country attritionPercent comparison followUpMonths } errors { message } } }"""
    )
    assert study["upsertStudy"] == {
        "study": {
            "country": "GB",
            "attritionPercent": 12.5,
            "comparison": "SERVICES_AS_USUAL",
            "followUpMonths": 12,
        },
        "errors": [],
    }
    for kind, a, b in (
        ("REPORTS_ON", "study-m", "trial-m"),
        ("QUALIFIES", "caveat-m", "study-m"),
        ("DEVELOPED", "person-m", "pcit"),
    ):
        linked = await writes(LINK, kind=kind, **{"from": a, "to": b})
        assert linked["link"]["errors"] == [], kind
    read = await writes(
        """{ trial(id: "trial-m") { publications { id caveats { kind text } } }
             person(id: "person-m") { developed { id } }
             intervention(id: "pcit") { developerPeople { id } } }""",
        token=None,
    )
    assert read == {
        "trial": {
            "publications": [
                {
                    "id": "study-m",
                    "caveats": [{"kind": "DISPUTED", "text": "The rating is publicly disputed."}],
                }
            ]
        },
        "person": {"developed": [{"id": "pcit"}]},
        "intervention": {"developerPeople": [{"id": "person-m"}]},
    }
    # Every field of the new labels resolves, with no map projection nested in a literal.
    for label, node_id in (("Trial", "trial-m"), ("Caveat", "caveat-m"), ("Person", "person-m")):
        fields = {name: Selection() for name in SCALARS[label]}
        fields.update({name: Selection({"id": Selection()}) for name in LINKS[label]})
        selection = Selection(fields)
        assert not re.search(r"\w\s*\{\s*\.", node_by_id_statement(label, selection))
        node = await node_by_id(writes.store, label=label, node_id=node_id, selection=selection)
        assert node is not None and set(node) == set(fields), label


async def test_a_rating_date_given_as_a_month_reads_back_with_its_precision(
    writes: WriteClient,
) -> None:
    data = await writes(
        """mutation { upsertRating(input: {id: "rating-month", scheme: CRIMESOLUTIONS,
             value: "Effective - More than one study", ratedOnText: "2012-06", issuerId: "agency-eif",
             interventionId: "pcit", source: "https://example.org/evidence/register-2026"}) {
             rating { ratedOn ratedOnPrecision commonScale } errors { message } } }"""
    )
    assert data["upsertRating"] == {
        "rating": {"ratedOn": "2012-06-01", "ratedOnPrecision": "MONTH", "commonScale": 4},
        "errors": [],
    }


async def test_a_rating_seen_on_an_undated_page_reads_back_as_of_that_day(
    writes: WriteClient,
) -> None:
    data = await writes(
        """mutation { upsertRating(input: {id: "rating-as-of", scheme: BLUEPRINTS,
             value: "Model", ratedOnText: "as of 2026-11-30", issuerId: "agency-eif",
             interventionId: "pcit", source: "https://example.org/undated-page"}) {
             rating { ratedOn ratedOnPrecision commonScale } errors { message } } }"""
    )
    assert data["upsertRating"] == {
        "rating": {"ratedOn": "2026-11-30", "ratedOnPrecision": "AS_OF", "commonScale": 5},
        "errors": [],
    }


async def test_a_mutation_may_cite_several_sources(writes: WriteClient) -> None:
    data = await writes(
        """mutation { upsertIntervention(input: {id: "several-sources", name: "Cited twice",
             kind: PROGRAMME, source: "https://example.org/a",
             sources: ["https://example.org/b", "https://example.org/a"]}) {
             intervention { source sources } errors { message } } }"""
    )
    assert data["upsertIntervention"] == {
        "intervention": {
            "source": "https://example.org/a",
            "sources": ["https://example.org/a", "https://example.org/b"],
        },
        "errors": [],
    }
