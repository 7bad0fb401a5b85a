"""Search across names, aliases and descriptions; AND/OR/NOT filters; alias-aware nameContains.

On the embedded store search is substring matching (no full-text indexes); the Neo4j
statement, which reads the full-text index, is checked with Neo4j's own linter.
"""

from __future__ import annotations

from typing import Any

import pytest

from service.plans.search import CREATE_FULL_TEXT_INDEX, lucene_query, search_statement
from tests.conftest import GraphQL
from tests.cypher_lint import lint

SEARCH = """query ($text: String!, $labels: [NodeLabel!], $first: Int, $after: String) {
  search(text: $text, labels: $labels, first: $first, after: $after) {
    method totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { key label id name matchedOn score } }
  }
}"""


async def _search(gql: GraphQL, text: str, **arguments: Any) -> dict[str, Any]:
    data = await gql(SEARCH, text=text, **arguments)
    result: dict[str, Any] = data["search"]
    return result


async def test_an_alias_finds_the_intervention_it_names(gql: GraphQL) -> None:
    result = await _search(gql, "MASH", labels=["Intervention"])
    assert result["method"] == "SUBSTRING"
    first = result["edges"][0]["node"]
    assert (first["key"], first["matchedOn"]) == ("Intervention:mash", "ALIAS")
    assert gql.statements == 1


async def test_name_matches_rank_above_alias_above_description(gql: GraphQL) -> None:
    result = await _search(gql, "safeguarding", first=50)
    hits = [edge["node"] for edge in result["edges"]]
    order = {"NAME": 0, "ALIAS": 1, "DESCRIPTION": 2}
    ranks = [order[hit["matchedOn"]] for hit in hits]
    assert ranks == sorted(ranks)
    assert "NAME" in {hit["matchedOn"] for hit in hits}
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)
    assert hits[0]["key"] == "Intervention:mash"
    assert result["totalCount"] == len(hits)


async def test_description_matches_are_found(gql: GraphQL, store: Any) -> None:
    [row] = await store.read(
        "MATCH (i:Intervention) WHERE i.description IS NOT NULL "
        "RETURN i.id AS id, i.description AS description ORDER BY i.id LIMIT 1"
    )
    word = max(row["description"].split(), key=len).strip(".,;:()").lower()
    result = await _search(gql, word, labels=["Intervention"], first=100)
    assert f"Intervention:{row['id']}" in {edge["node"]["key"] for edge in result["edges"]}


async def test_pages_of_a_search_cover_every_hit_once(gql: GraphQL) -> None:
    whole = await _search(gql, "a", first=100)
    keys: list[str] = []
    after = None
    while True:
        page = await _search(gql, "a", first=7, after=after)
        keys += [edge["node"]["key"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert keys == [edge["node"]["key"] for edge in whole["edges"]]
    assert len(keys) == whole["totalCount"] > 7


async def test_a_cursor_of_another_search_is_refused(gql: GraphQL) -> None:
    page = await _search(gql, "a", first=2)
    body = await gql.raw(SEARCH, text="b", first=2, after=page["pageInfo"]["endCursor"])
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


@pytest.mark.parametrize("text", ["", "   ", "x" * 201])
async def test_empty_or_long_text_is_bad_input(gql: GraphQL, text: str) -> None:
    body = await gql.raw(SEARCH, text=text)
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "text"}


async def test_labels_narrow_the_search(gql: GraphQL) -> None:
    result = await _search(gql, "a", labels=["Study"], first=100)
    assert {edge["node"]["label"] for edge in result["edges"]} == {"Study"}


def test_the_full_text_statements_are_valid_neo4j_5() -> None:
    statements = [
        CREATE_FULL_TEXT_INDEX,
        search_statement("FULL_TEXT_INDEX", ("Intervention", "Agency", "Study", "Outcome")),
        search_statement("FULL_TEXT_INDEX", ("Study",)),
    ]
    assert lint(statements) == []


def test_lucene_query_escapes_operators() -> None:
    assert lucene_query("signs of") == "(signs OR signs*) AND (of OR of*)"
    assert lucene_query('a:b "c') == r"(a\:b OR a\:b*) AND (\"c OR \"c*)"


INTERVENTION_IDS = """query ($filter: InterventionFilter) {
  interventions(filter: $filter, first: 100) { totalCount edges { node { id kind } } }
}"""


async def _ids(gql: GraphQL, filter: dict[str, Any]) -> set[str]:
    data = await gql(INTERVENTION_IDS, filter=filter)
    return {edge["node"]["id"] for edge in data["interventions"]["edges"]}


async def test_name_contains_matches_aliases(gql: GraphQL) -> None:
    assert "mash" in await _ids(gql, {"nameContains": "mash"})
    assert "mash" in await _ids(gql, {"nameContains": "MASH"})


async def test_or_not_and_combine_filters(gql: GraphQL) -> None:
    everything = await _ids(gql, {})
    systems = await _ids(gql, {"kindIn": ["SYSTEM_ARRANGEMENT"]})
    programmes = await _ids(gql, {"kindIn": ["PROGRAMME"]})
    assert systems and programmes
    either = await _ids(
        gql, {"OR": [{"kindIn": ["SYSTEM_ARRANGEMENT"]}, {"kindIn": ["PROGRAMME"]}]}
    )
    assert either == systems | programmes
    assert await _ids(gql, {"NOT": {"kindIn": ["SYSTEM_ARRANGEMENT"]}}) == everything - systems
    both = await _ids(
        gql, {"AND": [{"kindIn": ["SYSTEM_ARRANGEMENT", "PROGRAMME"]}, {"nameContains": "mash"}]}
    )
    assert both == {"mash"}
    # The same condition at two levels gets two parameters, not one overwritten.
    nested = await _ids(gql, {"nameContains": "a", "NOT": {"nameContains": "mash"}, "OR": []})
    assert nested == set()
    assert "mash" not in await _ids(gql, {"nameContains": "a", "NOT": {"nameContains": "mash"}})
    assert gql.statements == 1


async def test_filters_nested_too_deep_are_bad_input(gql: GraphQL) -> None:
    deep: dict[str, Any] = {"kindIn": ["PROGRAMME"]}
    for _ in range(6):
        deep = {"NOT": deep}
    body = await gql.raw(INTERVENTION_IDS, filter=deep)
    assert body["errors"][0]["extensions"]["argument"] == "filter"
