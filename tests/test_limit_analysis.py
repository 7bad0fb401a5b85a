"""The limits hold however a document is written: defaults, fragments, who is asking.

These requests go to the executable schema directly, with a context of their own
settings on the session's store.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from schema.build import build_schema
from schema.context import Context
from schema.limits import Limits, cost_model, validation_rules
from service.auth.principal import Principal
from service.settings import Settings
from service.store import Store

SCHEMA = build_schema()
READER = Principal(
    client_id="reader", agency_id="agency-eif", scopes=frozenset({"evidence:read"}), method="jwt"
)
COSTLY = """query ($n: Int = 100) { interventions(first: $n) { edges { node {
    participants { agency { participations { intervention {
      studies { findings { outcomes { name } } }
    } } } }
} } } }"""


async def _errors(
    store: Store,
    query: str,
    *,
    principal: Principal | None = None,
    variables: dict[str, Any] | None = None,
    **settings: Any,
) -> list[Any]:
    context = Context(store=store.for_request(), settings=Settings(**settings), principal=principal)
    result = await SCHEMA.execute(query, variable_values=variables, context_value=context)
    return list(result.errors or [])


def _limits(errors: list[Any]) -> list[str]:
    return [e.extensions["limit"] for e in errors if (e.extensions or {}).get("limit")]


async def test_a_page_size_variable_left_out_costs_its_default(store: Store) -> None:
    """Execution would use the default of 100, so the cost must too."""
    assert _limits(await _errors(store, COSTLY)) == ["MAX_QUERY_COST"]


async def test_a_page_size_variable_given_costs_what_it_is(store: Store) -> None:
    """Given as 100 it is refused; given as null the page is DEFAULT_PAGE_SIZE."""
    assert _limits(await _errors(store, COSTLY, variables={"n": 100})) == ["MAX_QUERY_COST"]
    assert "MAX_QUERY_COST" not in _limits(await _errors(store, COSTLY, variables={"n": 1}))


async def test_aliases_count_once_for_every_spread_of_their_fragment(store: Store) -> None:
    fragment = "fragment F on Intervention { " + " ".join(f"a{n}: id" for n in range(8)) + " }"
    query = (
        '{ intervention(id: "mash") { ...F variants { ...F } variantOf { ...F } '
        "studies { interventions { ...F } } } } " + fragment
    )
    assert _limits(await _errors(store, query)) == ["MAX_ALIASES"]


async def test_directives_count_once_for_every_spread_of_their_fragment(store: Store) -> None:
    fragment = "fragment F on Intervention { id " + "@include(if: true) " * 6 + "}"
    query = (
        '{ intervention(id: "mash") { ...F variants { ...F } variantOf { ...F } '
        "studies { interventions { ...F } } } } " + fragment
    )
    assert _limits(await _errors(store, query)) == ["MAX_DIRECTIVES"]


async def test_one_spread_of_a_fragment_within_the_limits_is_accepted(store: Store) -> None:
    fragment = "fragment F on Intervention { " + " ".join(f"a{n}: id" for n in range(8)) + " }"
    errors = await _errors(store, '{ intervention(id: "nowhere") { ...F } } ' + fragment)
    assert _limits(errors) == []


@pytest.mark.parametrize("principal", [None, READER])
async def test_with_introspection_off_nobody_gets_suggestions(
    store: Store, principal: Principal | None
) -> None:
    [field] = await _errors(
        store, '{ intervention(id: "mash") { nam } }', principal=principal, introspection=False
    )
    assert field.message == "Cannot query field 'nam' on type 'Intervention'."
    [value] = await _errors(
        store,
        "query ($d: [StudyDesign!]) { studies(filter: {designIn: $d}) { totalCount } }",
        principal=principal,
        variables={"d": ["RCTX"]},
        introspection=False,
    )
    assert "RCTX" in value.message and "Did you mean" not in value.message


async def test_with_introspection_on_authenticated_callers_get_suggestions(store: Store) -> None:
    [error] = await _errors(store, '{ intervention(id: "mash") { nam } }', principal=READER)
    assert "Did you mean 'name'?" in error.message


def test_the_limit_rules_are_built_once_per_set_of_limits() -> None:
    """New rule classes per request would defeat any cache keyed on the rules."""
    limits = Limits.of(Settings())
    assert validation_rules(limits) is validation_rules(Limits.of(Settings()))
    assert validation_rules(limits) != validation_rules(Limits.of(Settings(max_aliases=3)))


def test_the_cost_of_a_cached_operation_is_priced_per_request() -> None:
    document = parse(COSTLY)
    [operation] = document.definitions
    model = cost_model(SCHEMA._schema, document, operation, Limits.of(Settings()))  # type: ignore[arg-type]
    assert model.cost({}) == model.cost({"n": 100}) > model.cost({"n": 1})
    assert model.cost({"n": None}) == model.cost({"n": 20})


def _cost(query: str) -> int:
    document = parse(query)
    [operation] = document.definitions
    model = cost_model(SCHEMA._schema, document, operation, Limits.of(Settings()))  # type: ignore[arg-type]
    return model.cost({})


def test_the_whole_graph_views_cost_the_graph_they_read() -> None:
    """A gap map, practice gap or recommendation is priced for reading the whole graph,
    and its long lists by the rows they hold, not by the few of an ordinary list."""
    assert _cost("{ evidenceGapMap { cells { status } } }") == 1 + 25_000 + 1 + 1_000
    assert _cost("{ practiceGap { ranking { name } } }") == 1 + 25_000 + 1 + 1_000
    recommend = '{ recommend(context: {outcomeIds: ["x"]}) { recommendations { name } } }'
    assert _cost(recommend) == 1 + 25_000 + 1 + 200
    assert _cost("{ interventions(first: 1) { edges { node { name } } } }") < 10


def _gap_maps(count: int) -> str:
    return (
        "{ "
        + " ".join(f"m{n}: evidenceGapMap {{ cells {{ status }} }}" for n in range(count))
        + " }"
    )


async def test_many_whole_graph_views_in_one_request_are_refused(store: Store) -> None:
    assert _cost(_gap_maps(7)) < Settings().max_query_cost < _cost(_gap_maps(8))
    assert _limits(await _errors(store, _gap_maps(8))) == ["MAX_QUERY_COST"]
