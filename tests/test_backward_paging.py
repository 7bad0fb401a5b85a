"""Root lists page backwards with last/before: every row once, in the same order as
forward paging, with filters and sorts; the compiled path leaves such documents (and
nested connections) to the general executor, which answers them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from fastapi import FastAPI

from service.store import Store
from tests.conftest import GraphQL
from tests.test_compiled import _both

PROBES = 37
PAGE = """
query($first: Int, $after: String, $last: Int, $before: String, $sort: StudySort!,
      $direction: SortDirection!, $filter: StudyFilter!) {
  studies(first: $first, after: $after, last: $last, before: $before, sort: $sort,
          direction: $direction, filter: {AND: [{titleContains: "backward probe"}, $filter]}) {
    totalCount
    edges { cursor node { id title year design } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture(scope="module")
async def probes(store: Store) -> AsyncIterator[list[str]]:
    """37 studies only these tests see; years and titles repeat, so ties fall to the id."""
    ids = [f"backward-probe-{n:02d}" for n in range(PROBES)]
    await store.write_one(
        "UNWIND range(0, size($ids) - 1) AS n "
        "CREATE (:Study {id: $ids[n], title: 'Backward probe ' + toString(n % 8), "
        "year: 1990 + n % 6, status: 'COMPLETED', "
        "design: CASE WHEN n % 4 = 0 THEN 'RCT' ELSE 'QED' END})",
        {"ids": ids},
    )
    yield ids
    await store.write_one("MATCH (s:Study) WHERE s.id STARTS WITH 'backward-probe' DETACH DELETE s")


async def _pages(gql: GraphQL, *, backward: bool, size: int, **variables: Any) -> list[Any]:
    pages, cursor = [], None
    while True:
        if backward:
            page = (await gql(PAGE, last=size, before=cursor, **variables))["studies"]
        else:
            page = (await gql(PAGE, first=size, after=cursor, **variables))["studies"]
        pages.append(page)
        info = page["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return list(reversed(pages)) if backward else pages
        cursor = info["startCursor"] if backward else info["endCursor"]


def _rows(pages: list[Any]) -> list[dict[str, Any]]:
    return [edge["node"] for page in pages for edge in page["edges"]]


FILTERS = {
    "none": {},
    "RCTs": {"designIn": ["RCT"]},
    "OR and NOT": {"OR": [{"yearFrom": 1994}, {"NOT": {"designIn": ["QED"]}}]},
}


@pytest.mark.parametrize("filter_name", FILTERS)
@pytest.mark.parametrize(
    ("sort", "direction"), [("YEAR", "ASC"), ("YEAR", "DESC"), ("TITLE", "ASC"), ("TITLE", "DESC")]
)
async def test_backward_pages_cover_every_row_once_as_forward_pages_do(
    gql: GraphQL, probes: list[str], sort: str, direction: str, filter_name: str
) -> None:
    variables = {"sort": sort, "direction": direction, "filter": FILTERS[filter_name]}
    forward = await _pages(gql, backward=False, size=5, **variables)
    backward = await _pages(gql, backward=True, size=3, **variables)
    rows = _rows(forward)
    expected = sorted(rows, key=lambda s: (s[sort.lower()], s["id"]), reverse=direction == "DESC")
    assert rows == expected
    assert _rows(backward) == rows, "backward paging gives the same rows in the same order"
    assert len({row["id"] for row in rows}) == len(rows) == backward[0]["totalCount"]
    assert len(rows) == {"none": 37, "RCTs": 10, "OR and NOT": 19}[filter_name]
    assert [len(p["edges"]) for p in backward][1:] == [3] * (len(backward) - 1)
    assert [p["pageInfo"]["hasPreviousPage"] for p in backward] == [False] + [True] * (
        len(backward) - 1
    )
    assert [p["pageInfo"]["hasNextPage"] for p in backward] == [True] * (len(backward) - 1) + [
        False
    ]


async def test_the_page_before_a_cursor_is_the_page_forward_paging_gave(
    gql: GraphQL, probes: list[str]
) -> None:
    variables = {"sort": "YEAR", "direction": "ASC", "filter": {}}
    forward = await _pages(gql, backward=False, size=4, **variables)
    third = forward[2]
    before_fourth = (
        await gql(PAGE, last=4, before=forward[3]["pageInfo"]["startCursor"], **variables)
    )["studies"]
    assert before_fourth["edges"] == third["edges"]
    between = (
        await gql(
            PAGE,
            first=100,
            after=forward[1]["pageInfo"]["endCursor"],
            before=forward[4]["pageInfo"]["startCursor"],
            **variables,
        )
    )["studies"]
    assert between["edges"] == third["edges"] + forward[3]["edges"]
    assert between["pageInfo"]["hasNextPage"] is False, "no more rows between the cursors"


async def test_last_without_before_is_the_end_of_the_list(gql: GraphQL, probes: list[str]) -> None:
    variables = {"sort": "TITLE", "direction": "DESC", "filter": {}}
    forward = _rows(await _pages(gql, backward=False, size=10, **variables))
    last = (await gql(PAGE, last=6, **variables))["studies"]
    assert [e["node"] for e in last["edges"]] == forward[-6:]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"first": 2, "last": 2}, "give first or last, not both"),
        ({"last": 0}, "last must be between 1 and 100"),
        ({"last": 2, "before": "garbage"}, "before is not a cursor this API issued"),
    ],
)
async def test_bad_backward_arguments_are_refused(
    gql: GraphQL, arguments: dict[str, Any], message: str
) -> None:
    body = await gql.raw(PAGE, sort="YEAR", direction="ASC", filter={}, **arguments)
    [error] = body["errors"]
    assert error["message"] == message
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert gql.statements == 0


COMPILED_ASIDE = {
    "backward page": """{ interventions(last: 2, sort: NAME, direction: DESC) {
        totalCount edges { cursor node { id name } } pageInfo { hasPreviousPage hasNextPage } } }""",
    "backward page by variables": """query($n: Int, $c: String) {
        agencies(last: $n, before: $c) { edges { node { id } } } }""",
    "nested connection without arguments": """{ intervention(id: "mash") {
        participantsConnection { totalCount edges { node { role agency { id } } } } } }""",
    "nested connection in a list": """{ interventions(first: 3) { edges { node { id
        studiesConnection(first: 1, sort: TITLE) { edges { cursor node { title } } } } } } }""",
}


@pytest.mark.parametrize("name", COMPILED_ASIDE)
async def test_the_compiled_path_leaves_the_new_arguments_to_the_general_executor(
    app: FastAPI, gql: GraphQL, name: str
) -> None:
    """The compiled path steps aside, and the general executor's answer is the one served."""
    variables = {"n": 2, "c": None} if "variables" in name else None
    general, compiled = await _both(app, COMPILED_ASIDE[name], variables)
    assert compiled is None
    assert general["errors"] == []
    served = await gql(COMPILED_ASIDE[name], **(variables or {}))
    assert served == general["data"]
    assert gql.statements == 1
