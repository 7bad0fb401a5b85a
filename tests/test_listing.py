"""List fields: filters, sorting and keyset pagination that stays correct under writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from service.store import Store
from tests.conftest import GraphQL

PROBES = 45
PAGE = """
query($after: String, $first: Int, $direction: SortDirection) {
  outcomes(filter: {nameContains: "paging probe"}, first: $first, after: $after, direction: $direction) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
async def probes(store: Store) -> AsyncIterator[list[str]]:
    """45 outcomes only the paging tests see (the filter matches their names alone)."""
    ids = [f"paging-probe-{n:03d}" for n in range(PROBES)]
    await store.write_one(
        "UNWIND $ids AS id CREATE (:Outcome {id: id, name: 'Paging probe ' + id, domain: 'OTHER'})",
        {"ids": ids},
    )
    yield ids
    await store.write_one("MATCH (o:Outcome) WHERE o.id STARTS WITH 'paging-probe' DETACH DELETE o")


async def _all_pages(gql: GraphQL, **variables: Any) -> list[dict[str, Any]]:
    pages, after = [], None
    while True:
        page = (await gql(PAGE, after=after, **variables))["outcomes"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def test_pages_cover_every_row_once_in_order(gql: GraphQL, probes: list[str]) -> None:
    pages = await _all_pages(gql, first=10)
    assert [len(p["edges"]) for p in pages] == [10, 10, 10, 10, 5]
    seen = [e["node"]["id"] for p in pages for e in p["edges"]]
    assert seen == probes
    assert {p["totalCount"] for p in pages} == {PROBES}
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True, True, True]
    assert pages[1]["pageInfo"]["startCursor"] == pages[1]["edges"][0]["cursor"]


async def test_descending_pages_are_the_reverse(gql: GraphQL, probes: list[str]) -> None:
    pages = await _all_pages(gql, first=20, direction="DESC")
    assert [e["node"]["id"] for p in pages for e in p["edges"]] == probes[::-1]


async def test_writes_between_pages_cause_no_gap_or_repeat(
    gql: GraphQL, store: Store, probes: list[str]
) -> None:
    """Rows inserted before the cursor are not seen again; rows after it are not skipped."""
    first = (await gql(PAGE, first=10))["outcomes"]
    await store.write_one(
        "CREATE (:Outcome {id: 'paging-probe-000a', name: 'Paging probe paging-probe-000a', domain: 'OTHER'}),"
        " (:Outcome {id: 'paging-probe-044a', name: 'Paging probe paging-probe-044a', domain: 'OTHER'})"
    )
    await store.write_one("MATCH (o:Outcome {id: 'paging-probe-001'}) DETACH DELETE o")
    rest = await _all_pages_after(gql, first["pageInfo"]["endCursor"])
    seen = [e["node"]["id"] for e in first["edges"]] + rest
    assert len(seen) == len(set(seen)), "no row appears twice"
    assert seen == [*probes[:10], *probes[10:], "paging-probe-044a"]


async def _all_pages_after(gql: GraphQL, after: str) -> list[str]:
    ids: list[str] = []
    while after:
        page = (await gql(PAGE, first=10, after=after))["outcomes"]
        ids += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    return ids


async def test_default_page_size_applies_without_first(gql: GraphQL, probes: list[str]) -> None:
    page = (await gql(PAGE))["outcomes"]
    assert len(page["edges"]) == 20
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [0, -1, 101])
async def test_page_size_is_capped(gql: GraphQL, first: int) -> None:
    body = await gql.raw(PAGE, first=first)
    [error] = body["errors"]
    assert error["message"] == "first must be between 1 and 100"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert gql.statements == 0, "refused before any Cypher ran"


@pytest.mark.parametrize("cursor", ["garbage", "", "W10", "WyJhIiwxXQ"])
async def test_malformed_cursors_are_refused(gql: GraphQL, cursor: str) -> None:
    body = await gql.raw(PAGE, first=5, after=cursor)
    if cursor == "":
        assert "errors" not in body, "an empty cursor means the first page"
        return
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in error["message"]


async def test_a_cursor_from_another_sort_is_refused(gql: GraphQL, probes: list[str]) -> None:
    page = (await gql(PAGE, first=5))["outcomes"]
    body = await gql.raw(PAGE, first=5, after=page["pageInfo"]["endCursor"], direction="DESC")
    [error] = body["errors"]
    assert "belongs to sort Outcome:NAME:ASC" in error["message"]


BARE_PAGE = """
query($first: Int, $last: Int, $after: String, $before: String) {
  outcomes(filter: {nameContains: "paging probe"}, first: $first, last: $last,
           after: $after, before: $before) { edges { cursor node { id } } }
}
"""


async def test_a_page_without_page_info_holds_the_same_rows(
    gql: GraphQL, probes: list[str]
) -> None:
    """Without hasNextPage/hasPreviousPage the statement reads no extra row, and the page
    holds what it holds with them, forwards and backwards, at the end of the list too."""
    for variables in (
        {"first": 10},
        {"first": 45},
        {"last": 10},
        {"first": 50},
    ):
        bare = (await gql(BARE_PAGE, **variables))["outcomes"]["edges"]
        full = (await gql(PAGE_BOTH_WAYS, **variables))["outcomes"]["edges"]
        assert bare == full
    first = (await gql(BARE_PAGE, first=10))["outcomes"]["edges"]
    assert [edge["node"]["id"] for edge in first] == probes[:10]
    after = (await gql(BARE_PAGE, first=10, after=first[-1]["cursor"]))["outcomes"]["edges"]
    assert [edge["node"]["id"] for edge in after] == probes[10:20]
    before = (await gql(BARE_PAGE, last=5, before=first[-1]["cursor"]))["outcomes"]["edges"]
    assert [edge["node"]["id"] for edge in before] == probes[4:9]
    last = (await gql(BARE_PAGE, last=10))["outcomes"]["edges"]
    assert [edge["node"]["id"] for edge in last] == probes[-10:]


PAGE_BOTH_WAYS = """
query($first: Int, $last: Int, $after: String, $before: String) {
  outcomes(filter: {nameContains: "paging probe"}, first: $first, last: $last,
           after: $after, before: $before) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""


EITHER_PAGE = """
query($after: String) {
  outcomes(filter: {OR: [{nameContains: "probe-00"}, {nameContains: "probe-04"}]},
           first: 4, after: $after) {
    edges { node { id } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def test_a_cursor_and_an_either_or_filter_both_hold(gql: GraphQL, probes: list[str]) -> None:
    """The cursor's condition and a filter of alternatives share one WHERE: a page after the
    cursor holds only rows that match the filter, and no row comes twice."""
    seen, after, previous = [], None, []
    while True:
        page = (await gql(EITHER_PAGE, after=after))["outcomes"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        previous.append(page["pageInfo"]["hasPreviousPage"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    expected = [id_ for id_ in probes if id_[-3:-1] in {"00", "04"}]
    assert seen == expected
    assert previous == [False, True, True, True]


async def _ids(gql: GraphQL, query: str) -> list[str]:
    data = await gql(query)
    [connection] = data.values()
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_intervention_filters(gql: GraphQL) -> None:
    arrangements = await _ids(
        gql, "{ interventions(filter: {kindIn: [SYSTEM_ARRANGEMENT]}) { edges { node { id } } } }"
    )
    assert arrangements == ["mash"]
    with_police = await _ids(
        gql, "{ interventions(filter: {agencySectorIn: [POLICE]}) { edges { node { id } } } }"
    )
    assert with_police == ["mash"]
    by_name = await _ids(
        gql, '{ interventions(filter: {nameContains: "INCREDIBLE"}) { edges { node { id } } } }'
    )
    assert by_name == ["incredible-years", "incredible-years-preschool-basic"]
    safety = await _ids(
        gql,
        '{ interventions(filter: {targetsOutcome: "outcome-child-safety"}) { edges { node { id } } } }',
    )
    maltreatment = await _ids(
        gql,
        '{ interventions(filter: {targetsOutcome: "outcome-child-maltreatment"}) { edges { node { id } } } }',
    )
    assert set(maltreatment) <= set(safety), (
        "a broader outcome includes what its narrower ones include"
    )
    assert "signs-of-safety" in maltreatment


async def test_combined_filters_must_all_hold(gql: GraphQL) -> None:
    ids = await _ids(
        gql,
        '{ interventions(filter: {nameContains: "incredible", kindIn: [SYSTEM_ARRANGEMENT]}) '
        "{ edges { node { id } } } }",
    )
    assert ids == []


async def test_study_filters_and_year_sort(gql: GraphQL) -> None:
    data = await gql(
        """{ studies(filter: {designIn: [RCT], yearFrom: 2004, yearTo: 2010}, sort: YEAR, direction: DESC) {
              totalCount edges { node { id year design } } } }"""
    )
    nodes = [e["node"] for e in data["studies"]["edges"]]
    assert [n["id"] for n in nodes] == ["study-hutchings-2007", "study-chaffin-2004"]
    assert data["studies"]["totalCount"] == 2
    evaluating = await _ids(
        gql, '{ studies(filter: {evaluates: "mash"}) { edges { node { id } } } }'
    )
    assert evaluating == ["study-eif-2017-child-protection"]
    ongoing = await _ids(
        gql, "{ studies(filter: {statusIn: [ONGOING]}) { edges { node { id } } } }"
    )
    assert ongoing == ["study-family-voice"]


async def test_agency_filters(gql: GraphQL) -> None:
    in_mash = await _ids(
        gql, '{ agencies(filter: {participatesIn: "mash"}, first: 50) { edges { node { id } } } }'
    )
    assert len(in_mash) == 5
    data = await gql(
        "{ agencies(filter: {areaTypeIn: [RURAL]}, first: 50) { edges { node { areaType sector } } } }"
    )
    rural = [e["node"] for e in data["agencies"]["edges"]]
    assert rural and all(n["areaType"] == "RURAL" for n in rural)
    police = await _ids(gql, "{ agencies(filter: {sectorIn: [POLICE]}) { edges { node { id } } } }")
    assert police == ["agency-police"]


async def test_outcome_filters(gql: GraphQL) -> None:
    narrower = await _ids(
        gql,
        '{ outcomes(filter: {partOf: "outcome-child-safety"}, first: 50) { edges { node { id } } } }',
    )
    assert "outcome-child-maltreatment" in narrower
    assert "outcome-child-safety" not in narrower
    data = await gql("{ outcomes(filter: {domainIn: [PARENTING]}) { edges { node { domain } } } }")
    assert {e["node"]["domain"] for e in data["outcomes"]["edges"]} == {"PARENTING"}


async def test_sort_by_cost_rating_puts_unrated_first_ascending(gql: GraphQL) -> None:
    data = await gql(
        "{ interventions(sort: COST_RATING, first: 50) { edges { node { id costRating } } } }"
    )
    ratings = [e["node"]["costRating"] or 0 for e in data["interventions"]["edges"]]
    assert ratings == sorted(ratings)
