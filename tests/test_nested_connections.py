"""Nested connections: every nested list pages forwards and backwards, sorted and filtered,
with the page read in the one statement of the root field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from service.plans.nested_pages import NESTED
from service.plans.shapes import EDGE_SHAPES, LINKS, Link, NodeLink
from service.store import Store
from tests.conftest import GraphQL

HUB = "nested-probe-hub"
STUDIES = 23
AGENCIES = 17


@pytest.fixture(scope="module")
async def hub(store: Store) -> AsyncIterator[str]:
    """An intervention with 23 studies (years repeat, so ties fall to the id), 17
    delivering agencies (sectors repeat), and funding from each agency on dates that
    repeat; one agency also funds a study whose id equals an intervention's."""
    await store.write_one(
        "CREATE (i:Intervention {id: $hub, name: 'Nested probe hub', kind: 'PROGRAMME'}) "
        "WITH i UNWIND range(0, $studies - 1) AS n "
        "CREATE (s:Study {id: 'nested-probe-study-' + right('00' + toString(n), 2), "
        "title: 'Nested probe study ' + toString(n % 7), year: 2000 + n % 5, "
        "design: CASE WHEN n % 3 = 0 THEN 'RCT' ELSE 'QED' END, status: 'COMPLETED'})"
        "-[:EVALUATES]->(i)",
        {"hub": HUB, "studies": STUDIES},
    )
    await store.write_one(
        "MATCH (i:Intervention {id: $hub}) UNWIND range(0, $agencies - 1) AS n "
        "CREATE (a:Agency {id: 'nested-probe-agency-' + right('00' + toString(n), 2), "
        "name: 'Nested probe agency ' + toString(n % 6), "
        "sector: CASE WHEN n % 2 = 0 THEN 'POLICE' ELSE 'HEALTH' END}) "
        "CREATE (a)-[:DELIVERS {status: 'ACTIVE'}]->(i) "
        "CREATE (a)-[:FUNDS {amount: n % 4 * 1000, currency: 'GBP', "
        "awardedOn: date({year: 2020 + n % 3, month: 1, day: 1})}]->(i)",
        {"hub": HUB, "agencies": AGENCIES},
    )
    await store.write_one(
        "MATCH (a:Agency {id: 'nested-probe-agency-00'}) "
        "CREATE (twin:Study {id: $hub, title: 'Nested probe twin', year: 2001, design: 'RCT', "
        "status: 'COMPLETED'}) "
        "CREATE (a)-[:FUNDS {amount: 1000, currency: 'GBP', awardedOn: date('2020-01-01')}]->(twin) "
        "WITH a MATCH (s:Study {id: 'nested-probe-study-00'}) "
        "CREATE (a)-[:FUNDS {amount: 0, currency: 'GBP', awardedOn: date('2021-01-01')}]->(s)",
        {"hub": HUB},
    )
    await store.write_one(
        "MATCH (s:Study) WHERE s.id STARTS WITH 'nested-probe-study-' "
        "UNWIND range(0, 2) AS n "
        "CREATE (s)-[:REPORTS]->(:Finding {id: s.id + '-finding-' + toString(n), "
        "measure: 'Nested probe measure ' + toString(n)})"
    )
    yield HUB
    await store.write_one("MATCH (n) WHERE n.id STARTS WITH 'nested-probe' DETACH DELETE n")


STUDIES_PAGE = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $sort: StudySort!, $direction: SortDirection!, $filter: StudyFilter) {
  intervention(id: $id) {
    studies { id title year design }
    studiesConnection(first: $first, after: $after, last: $last, before: $before,
                      sort: $sort, direction: $direction, filter: $filter) {
      totalCount
      edges { cursor node { id title year } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def _forward(
    gql: GraphQL, query: str, path: list[str], size: int, **variables: Any
) -> list[dict[str, Any]]:
    pages, after = [], None
    while True:
        data = await gql(query, first=size, after=after, **variables)
        page = _at(data, path)
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


async def _backward(
    gql: GraphQL, query: str, path: list[str], size: int, **variables: Any
) -> list[dict[str, Any]]:
    pages, before = [], None
    while True:
        data = await gql(query, last=size, before=before, **variables)
        page = _at(data, path)
        pages.append(page)
        if not page["pageInfo"]["hasPreviousPage"]:
            return pages
        before = page["pageInfo"]["startCursor"]


def _at(data: dict[str, Any], path: list[str]) -> Any:
    for key in path:
        data = data[key]
    return data


def _ids(pages: list[dict[str, Any]], *, backward: bool = False) -> list[str]:
    ordered = reversed(pages) if backward else pages
    return [edge["node"]["id"] for page in ordered for edge in page["edges"]]


def _studies_sorted(studies: list[dict[str, Any]], key: str, descending: bool) -> list[str]:
    ordered = sorted(studies, key=lambda s: (s[key], s["id"]), reverse=descending)
    return [s["id"] for s in ordered]


@pytest.mark.parametrize(
    ("sort", "direction"), [("YEAR", "DESC"), ("YEAR", "ASC"), ("TITLE", "ASC"), ("TITLE", "DESC")]
)
async def test_studies_page_forwards_and_backwards_alike(
    gql: GraphQL, hub: str, sort: str, direction: str
) -> None:
    """Every study once, in the sort's order (ties by id), whichever way one pages."""
    variables = {"id": hub, "sort": sort, "direction": direction}
    path = ["intervention", "studiesConnection"]
    forward = await _forward(gql, STUDIES_PAGE, path, 5, **variables)
    backward = await _backward(gql, STUDIES_PAGE, path, 4, **variables)
    everything = (await gql(STUDIES_PAGE, first=1, **variables))["intervention"]["studies"]
    expected = _studies_sorted(everything, sort.lower(), direction == "DESC")
    assert len(expected) == STUDIES
    assert _ids(forward) == expected
    assert _ids(backward, backward=True) == expected
    assert [len(p["edges"]) for p in forward] == [5, 5, 5, 5, 3]
    assert [len(p["edges"]) for p in backward] == [4, 4, 4, 4, 4, 3]
    assert {p["totalCount"] for p in forward + backward} == {STUDIES}
    assert [p["pageInfo"]["hasPreviousPage"] for p in forward] == [False, True, True, True, True]
    assert [p["pageInfo"]["hasNextPage"] for p in backward] == [False, True, True, True, True, True]

    assert gql.statements == 1, "the nested page is read in the root field's one statement"


async def test_a_filter_narrows_the_nested_list_and_its_count(gql: GraphQL, hub: str) -> None:
    """AND/OR/NOT filters apply to the nested list as to the root list."""
    variables = {"id": hub, "sort": "YEAR", "direction": "ASC"}
    path = ["intervention", "studiesConnection"]
    rct = {"designIn": ["RCT"]}
    pages = await _forward(gql, STUDIES_PAGE, path, 3, filter=rct, **variables)
    everything = (await gql(STUDIES_PAGE, first=1, **variables))["intervention"]["studies"]
    rcts = [s for s in everything if s["design"] == "RCT"]
    assert _ids(pages) == _studies_sorted(rcts, "year", False)
    assert {p["totalCount"] for p in pages} == {len(rcts)} == {8}
    combined = {"OR": [{"yearFrom": 2004}, {"NOT": {"designIn": ["QED"]}}]}
    pages = await _backward(gql, STUDIES_PAGE, path, 3, filter=combined, **variables)
    wanted = [s for s in everything if s["year"] >= 2004 or s["design"] != "QED"]
    assert _ids(pages, backward=True) == _studies_sorted(wanted, "year", False)


DELIVERIES_PAGE = """
query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
      $sort: AgencySort!, $direction: SortDirection!, $filter: AgencyFilter) {
  intervention(id: $id) {
    deliveries { agency { id name sector } }
    deliveriesConnection(first: $first, after: $after, last: $last, before: $before,
                         sort: $sort, direction: $direction, filter: $filter) {
      totalCount
      edges { cursor node { status agency { id name sector } intervention { id } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


@pytest.mark.parametrize(("sort", "direction"), [("NAME", "ASC"), ("SECTOR", "DESC")])
async def test_edge_lists_page_by_the_far_node(
    gql: GraphQL, hub: str, sort: str, direction: str
) -> None:
    """An intervention's deliveries, sorted and filtered by the delivering agency."""
    variables = {"id": hub, "sort": sort, "direction": direction}
    path = ["intervention", "deliveriesConnection"]
    everything = [
        d["agency"]
        for d in (await gql(DELIVERIES_PAGE, first=1, **variables))["intervention"]["deliveries"]
    ]
    expected = _studies_sorted(everything, sort.lower(), direction == "DESC")
    forward = await _forward(gql, DELIVERIES_PAGE, path, 4, **variables)
    backward = await _backward(gql, DELIVERIES_PAGE, path, 6, **variables)
    assert [e["node"]["agency"]["id"] for p in forward for e in p["edges"]] == expected
    got_back = [e["node"]["agency"]["id"] for p in reversed(backward) for e in p["edges"]]
    assert got_back == expected
    assert len(expected) == AGENCIES
    edge = forward[0]["edges"][0]["node"]
    assert edge["status"] == "ACTIVE" and edge["intervention"] == {"id": hub}
    police = await _forward(
        gql, DELIVERIES_PAGE, path, 4, filter={"sectorIn": ["POLICE"]}, **variables
    )
    police_ids = [e["node"]["agency"]["id"] for p in police for e in p["edges"]]
    assert police_ids == [i for i in expected if int(i[-2:]) % 2 == 0]
    assert police[0]["totalCount"] == 9


FUNDING_PAGE = """
query($first: Int, $after: String, $last: Int, $before: String,
      $sort: FundingSort!, $direction: SortDirection!) {
  agency(id: "nested-probe-agency-00") {
    fundingConnection(first: $first, after: $after, last: $last, before: $before,
                      sort: $sort, direction: $direction) {
      edges { cursor node { amount awardedOn intervention { id } study { id } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


@pytest.mark.parametrize(("sort", "direction"), [("AWARDED_ON", "DESC"), ("AMOUNT", "ASC")])
async def test_funding_to_interventions_and_studies_pages_as_one_list(
    gql: GraphQL, hub: str, sort: str, direction: str
) -> None:
    """An agency funds an intervention and a study that share an id: both appear, once."""
    variables = {"sort": sort, "direction": direction}
    path = ["agency", "fundingConnection"]
    forward = await _forward(gql, FUNDING_PAGE, path, 1, **variables)
    backward = await _backward(gql, FUNDING_PAGE, path, 2, **variables)

    def grants(pages: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (
                e["node"]["awardedOn"],
                e["node"]["amount"],
                e["node"]["intervention"],
                e["node"]["study"],
            )
            for p in pages
            for e in p["edges"]
        ]

    everything = grants(forward)
    assert grants(list(reversed(backward))) == everything
    assert sorted(everything, key=repr) == sorted(
        [
            ("2020-01-01", 0.0, {"id": hub}, None),
            ("2020-01-01", 1000.0, None, {"id": hub}),
            ("2021-01-01", 0.0, None, {"id": "nested-probe-study-00"}),
        ],
        key=repr,
    )
    position = 0 if sort == "AWARDED_ON" else 1
    keys = [grant[position] for grant in everything]
    assert keys == sorted(keys, reverse=direction == "DESC")


async def test_aliases_page_the_same_list_with_their_own_arguments(gql: GraphQL, hub: str) -> None:
    """Two aliases of one nested connection each get their own page, in one statement,
    and a connection nested in a connection pages too."""
    data = await gql(
        """query($id: ID!) { intervention(id: $id) {
          newest: studiesConnection(first: 2) { edges { node { id year } } }
          oldest: studiesConnection(last: 2, sort: YEAR, direction: DESC) {
            edges { node { id year findingsConnection(first: 1, direction: DESC) {
              totalCount edges { node { measure } } } } } }
          byTitle: studiesConnection(first: 1, sort: TITLE, filter: {designIn: [RCT]}) {
            edges { node { title } } }
        } }""",
        id=hub,
    )
    assert gql.statements == 1
    intervention = data["intervention"]
    assert [e["node"]["year"] for e in intervention["newest"]["edges"]] == [2004, 2004]
    oldest = intervention["oldest"]["edges"]
    assert [e["node"]["year"] for e in oldest] == [2000, 2000]
    assert [e["node"]["findingsConnection"]["totalCount"] for e in oldest] == [3, 3]
    assert [e["node"]["findingsConnection"]["edges"] for e in oldest] == [
        [{"node": {"measure": "Nested probe measure 2"}}]
    ] * 2
    # Studies default to DESC: the last RCT title (n % 3 = 0, titled by n % 7) comes first.
    assert intervention["byTitle"]["edges"] == [{"node": {"title": "Nested probe study 6"}}]


@pytest.mark.parametrize(
    ("arguments", "argument"),
    [
        ("first: 2, last: 2", "last"),
        ("first: 0", "first"),
        ("last: 101", "last"),
        ('after: "bm90LWEtY3Vyc29y"', "after"),
        ('before: "not a cursor"', "before"),
    ],
)
async def test_bad_arguments_are_refused_naming_the_argument(
    gql: GraphQL, hub: str, arguments: str, argument: str
) -> None:
    body = await gql.raw(
        f'{{ intervention(id: "{hub}") {{ studiesConnection({arguments}) {{ totalCount }} }} }}'
    )
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["argument"] == argument


async def test_a_cursor_of_another_sort_is_refused(gql: GraphQL, hub: str) -> None:
    query = """query($id: ID!, $after: String, $sort: StudySort!) { intervention(id: $id) {
        studiesConnection(first: 2, after: $after, sort: $sort) { pageInfo { endCursor } } } }"""
    page = (await gql(query, id=hub, sort="YEAR"))["intervention"]["studiesConnection"]
    body = await gql.raw(query, id=hub, sort="TITLE", after=page["pageInfo"]["endCursor"])
    [error] = body["errors"]
    assert error["extensions"]["argument"] == "after"
    assert "start again" in error["message"]


async def test_every_nested_connection_answers_like_its_list(gql: GraphQL, store: Store) -> None:
    """Each of the 34 nested connections on the example data, for the node with the most
    rows in that list: the rows of the whole list (compared as sets, the connection
    having its own order) and their count."""
    non_empty = set()
    for label, fields in NESTED.items():
        for python_name, nested in fields.items():
            link = LINKS[label][nested.link]
            inner = "id" if isinstance(link, NodeLink) else _edge_ends(link.shape)
            name, field, lookup = _camel(nested.link), _camel(python_name), _lookup(label)
            query = f"""query($id: ID!) {{ {lookup}(id: $id) {{
                {name} {{ {inner} }}
                {field}(first: 100) {{ totalCount edges {{ node {{ {inner} }} }} }} }} }}"""
            node_id = await _fullest(store, label, link)
            if node_id is None:
                continue
            node = (await gql(query, id=node_id))[lookup]
            paged = [e["node"] for e in node[field]["edges"]]
            assert sorted(map(repr, paged)) == sorted(map(repr, node[name])), (label, field)
            assert node[field]["totalCount"] == len(node[name])
            if paged:
                non_empty.add(f"{label}.{field}")
    assert len(non_empty) >= 25, sorted(non_empty)


def _lookup(label: str) -> str:
    return label[0].lower() + label[1:]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _edge_ends(shape: str) -> str:
    return " ".join(f"{field} {{ id }}" for field, _, _ in EDGE_SHAPES[shape].ends)


async def _fullest(store: Store, label: str, link: Link) -> str | None:
    """The example node of ``label`` with the most rows in the list ``link`` (None when the
    example data holds no node of the label)."""
    if isinstance(link, NodeLink):
        rel, direction, far = link.rel, link.direction, f":{link.target}"
    else:
        rel, direction, far = EDGE_SHAPES[link.shape].rel, link.direction, ""
    pattern = f"(n)-[:{rel}]->({far})" if direction == "out" else f"(n)<-[:{rel}]-({far})"
    rows = await store.read(
        f"MATCH (n:{label}) WHERE NOT n.id STARTS WITH 'nested-probe' "
        f"RETURN n.id AS id ORDER BY COUNT {{ {pattern} }} DESC, n.id LIMIT 1"
    )
    return str(rows[0]["id"]) if rows else None


def test_nested_page_sizes_are_priced_by_the_cost_limit() -> None:
    """A nested connection costs its first (or last) per parent row, not the fan-out
    assumed for a whole list; left out, DEFAULT_PAGE_SIZE."""
    from graphql import OperationDefinitionNode, parse

    from schema.build import build_schema
    from schema.limits import Limits, cost_model
    from service.settings import Settings

    schema = build_schema()._schema
    limits = Limits.of(Settings())

    def cost(query: str, **variables: Any) -> int:
        document = parse(query)
        [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        return cost_model(schema, document, operation, limits).cost(variables)

    nested = """query($n: Int, $m: Int) { interventions(first: $n) { edges { node {
        studiesConnection(first: $m) { edges { node { title } } } } } } }"""
    backward = nested.replace("first: $m", "last: $m")
    assert cost(nested, n=10, m=50) == cost(backward, n=10, m=50)
    # One more nested row per parent adds what is counted per row (edges, node, title)
    # for each of the 10 parents.
    assert cost(nested, n=10, m=51) - cost(nested, n=10, m=50) == 10 * 3
    assert cost(nested, n=10) == cost(nested, n=10, m=limits.default_page_size)
    whole_list = """{ interventions(first: 10) { edges { node { studies { title } } } } }"""
    assert cost(whole_list) < cost(nested, n=10, m=100)


async def test_a_costly_nested_page_is_refused_and_a_cheap_one_runs(gql: GraphQL, hub: str) -> None:
    query = """query($n: Int) { interventions(first: 100) { edges { node {
        studiesConnection(first: $n) { edges { node { findingsConnection(first: $n) {
          edges { node { measure } } } } } } } } } }"""
    body = await gql.raw(query, n=100)
    [error] = body["errors"]
    assert error["extensions"]["limit"] == "MAX_QUERY_COST"
    assert gql.statements == 0
    assert "interventions" in await gql(query, n=2)


async def test_the_readme_example_runs(gql: GraphQL) -> None:
    """The README's nested-connection example answers without errors, in one statement."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("**Nested lists page too.**", 1)[1]
    query = section.split("```graphql", 1)[1].split("```", 1)[0]
    data = await gql(query)
    assert gql.statements == 1
    mash = data["intervention"]
    assert mash["name"] and mash["deliveriesConnection"]["edges"] is not None
    assert (
        mash["studiesConnection"]["totalCount"] == len(mash["studiesConnection"]["edges"])
        or (mash["studiesConnection"]["pageInfo"]["hasNextPage"])
    )
