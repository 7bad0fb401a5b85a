"""The compiled path gives exactly the general executor's answer, or steps aside.

Each document runs through both: the general executor (graphql-core walking every
field) and, once the document is cached, the compiled path (plans' maps shaped
straight into the response). Data and errors must be equal, fuzzed documents included.
"""

from __future__ import annotations

import os
from typing import Any

import hypothesis_graphql
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings

from schema.build import SDL_PATH
from schema.compiled import ROOT_PLANS, compiled_operation, run
from schema.context import Context
from schema.limits import Limits
from service.store import Store, StoreTimeout

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))

DOCUMENTS = {
    "lookup with edges, enums and dates": """{ intervention(id: "mash") { id name kind aliases
        createdAt deliveryModel costRating ukAvailable
        participants { role since until recordedAt agency { id name sector areaType } }
        studies { title year design designRating independent
          findings { measure direction effectSize effectSizeType pValue outcomes { name partOf { id } } } }
        variantOf { id } variants { name } } }""",
    "aliases, typename and fragments": """query Named($id: ID!) {
        first: intervention(id: $id) { __typename ...Names ... on GraphNode { updatedAt }
          members: participants { __typename who: agency { ...Names } } }
        again: agency(id: "agency-eif") { __typename name ... on Agency { sector } } }
        fragment Names on GraphNode { id ... on Intervention { label: name } ... on Agency { name } }""",
    "list with filter, sort and page info": """query ($kinds: [InterventionKind!], $after: String) {
        interventions(first: 3, filter: {kindIn: $kinds}, sort: NAME, direction: DESC, after: $after) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          edges { cursor node { id name kind participants { agency { name } } } } } }""",
    "lists by ids": """{ studies(filter: {ids: ["nowhere"]}) { totalCount edges { node { id } } }
        outcomes(first: 50) { edges { node { id name domain narrower { id } partOf { name } } } }
        agencies(filter: {sectorIn: [POLICE, HEALTH]}) { edges { node { name funding { amount currency awardedOn funder { id } intervention { id } study { id } } } } } }""",
    "unknown id and a bad page size": """{ nothing: intervention(id: "no-such-id") { id }
        finding(id: "no-such-finding") { measure } studies(first: 1000) { totalCount } }""",
    "a cursor that is not one": '{ agencies(after: "not-a-cursor") { totalCount } }',
    "filters combined with AND, OR and NOT": """{ interventions(filter: {
          OR: [{nameContains: "MASH"}, {kindIn: [PROGRAMME], NOT: {nameContains: "years"}}],
          AND: [{NOT: {ids: ["signs-of-safety"]}}] }) { totalCount edges { node { id } } }
        outcomes(filter: {AND: []}) { totalCount } }""",
}
VARIABLES: dict[str, dict[str, Any]] = {
    "aliases, typename and fragments": {"id": "mash"},
    "list with filter, sort and page info": {"kinds": ["SYSTEM_ARRANGEMENT", "PRACTICE_MODEL"]},
}


def _context(app: FastAPI) -> Context:
    return Context(store=app.state.runtime.store, settings=app.state.settings)


async def _both(
    app: FastAPI, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(general executor's answer, compiled path's answer or None where it steps aside)."""
    schema = app.state.graphql_schema
    context = _context(app)
    general = await schema.execute(query, variable_values=variables, context_value=context)
    entry = schema.documents.peek(Limits.of(app.state.settings), query)
    compiled = compiled_operation(schema._schema, entry, None) if entry else None
    fast = (
        await run(schema._schema, entry, compiled, variables=variables, context=context)
        if entry and compiled
        else None
    )

    def plain(result: Any) -> dict[str, Any]:
        return {"data": result.data, "errors": [e.formatted for e in result.errors or []]}

    return plain(general), plain(fast) if fast is not None else None


@pytest.mark.parametrize("name", DOCUMENTS)
async def test_the_compiled_path_answers_as_the_general_executor(app: FastAPI, name: str) -> None:
    general, compiled = await _both(app, DOCUMENTS[name], VARIABLES.get(name))
    assert compiled is not None, "this document compiles"
    assert compiled == general
    if name.startswith("list"):
        assert general["data"] and not general["errors"]


async def test_a_second_page_by_cursor_matches(app: FastAPI) -> None:
    query = DOCUMENTS["list with filter, sort and page info"]
    first, _ = await _both(app, query, {"kinds": None})
    after = first["data"]["interventions"]["pageInfo"]["endCursor"]
    general, compiled = await _both(app, query, {"kinds": None, "after": after})
    assert compiled == general
    assert general["data"]["interventions"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    "query",
    [
        '{ rating(id: "rating-title-iv-e-pcit-2019") { commonScale } }',  # resolved in Python
        '{ intervention(id: "mash") { id @include(if: true) } }',  # directives
        '{ network(interventionId: "mash") { nodes { key properties } } }',  # a JSON scalar
        '{ __typename intervention(id: "mash") { id } }',
    ],
)
async def test_what_the_plans_do_not_shape_is_left_to_the_general_executor(
    app: FastAPI, query: str
) -> None:
    general, compiled = await _both(app, query)
    assert compiled is None
    assert not general["errors"]


async def test_variables_that_do_not_coerce_go_to_the_general_executor(app: FastAPI) -> None:
    query = "query ($k: [InterventionKind!]) { interventions(filter: {kindIn: $k}) { totalCount } }"
    general, compiled = await _both(app, query, {"k": ["NOT_A_KIND"]})
    assert compiled is None
    assert "NOT_A_KIND" in general["errors"][0]["message"]


async def test_a_value_the_schema_forbids_goes_to_the_general_executor(app: FastAPI) -> None:
    """A node without its required name: only graphql-core reports it, with its path."""
    store = app.state.runtime.store
    await store.write_one("MERGE (n:Agency {id: 'agency-nameless', sector: 'POLICE'})")
    try:
        general, compiled = await _both(app, '{ agency(id: "agency-nameless") { id name } }')
    finally:
        await store.write_one("MATCH (n:Agency {id: 'agency-nameless'}) DETACH DELETE n")
    assert compiled is None
    assert general["data"] == {"agency": None}
    assert general["errors"][0]["path"] == ["agency", "name"]


_LOOKUPS = """{ a: intervention(id: "mash") { name participants { agency { name } } }
    b: agency(id: "agency-police") { name } missing: study(id: "no-such-study") { title }
    c: intervention(id: "signs-of-safety") { name studies { title } }
    list: outcomes(first: 2) { edges { node { name } } } }"""


async def test_lookups_by_id_share_one_statement_and_lists_keep_their_own(
    app: FastAPI, store: Store
) -> None:
    """Once compiled, the lookups run as one statement, the list as another, same answer."""
    general, _ = await _both(app, _LOOKUPS)
    before = store.statements_run
    _, compiled = await _both(app, _LOOKUPS)
    assert store.statements_run - before - 5 == 2, "5 for the general executor, 2 compiled"
    assert compiled == general
    assert general["data"]["missing"] is None
    assert general["data"]["c"]["name"] and general["data"]["a"]["participants"]


class _TimingOut:
    """A store whose reads all time out (the only fault this test injects)."""

    def unconverted(self) -> _TimingOut:
        return self

    async def read(self, query: str, params: object = None) -> list[dict[str, Any]]:
        raise StoreTimeout("the store did not answer")


async def test_a_failed_shared_statement_is_an_error_on_each_of_its_fields(app: FastAPI) -> None:
    """Each lookup reports the failure at its own path; the failed list, being non-null,
    takes the whole ``data`` with it, as in the general executor."""
    schema = app.state.graphql_schema
    await _both(app, _LOOKUPS)
    entry = schema.documents.peek(Limits.of(app.state.settings), _LOOKUPS)
    compiled = compiled_operation(schema._schema, entry, None)
    assert compiled is not None and len(compiled.lookups) == 4
    context = Context(store=_TimingOut(), settings=app.state.settings)  # type: ignore[arg-type]
    result = await run(schema._schema, entry, compiled, variables=None, context=context)
    assert result is not None
    assert result.data is None
    paths = [error.path for error in result.errors or []]
    assert sorted(paths) == [["a"], ["b"], ["c"], ["list"], ["missing"]]
    assert {(error.extensions or {}).get("code") for error in result.errors or []} == {
        "STORE_TIMEOUT"
    }


_FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_SDL = SDL_PATH.read_text(encoding="utf-8")
compared = {"compiled": 0, "general only": 0}


@_FUZZ
@given(query=hypothesis_graphql.from_schema(_SDL, fields=sorted(ROOT_PLANS), allow_x00=False))
async def test_fuzzed_documents_answer_alike(app: FastAPI, query: str) -> None:
    general, compiled = await _both(app, query)
    if compiled is None:
        compared["general only"] += 1
        return
    compared["compiled"] += 1
    assert compiled == general, query


def test_fuzzing_compared_documents(capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\ncompiled vs general: {compared}")  # noqa: T201
    assert compared["compiled"] >= min(EXAMPLES, 50) // 2
