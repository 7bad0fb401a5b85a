"""Plain factory functions that write test data through the store (idempotent MERGEs).

Keyword arguments follow what the write API's mutations take, so these can be switched
to the API without changing the tests that call them. Give every id the test's own
prefix so data from different tests never meets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, LiteralString

from service.store import Store

SOURCE = "tests/evidence_factories.py"
RECORDED_BY = "tests"


async def _node(store: Store, label: LiteralString, node_id: str, props: dict[str, Any]) -> None:
    statement: LiteralString = (
        "MERGE (n:" + label + " {id: $id}) "
        "SET n += $props, n.source = $source, n.recordedBy = $recordedBy, "
        "n.createdAt = coalesce(n.createdAt, datetime()), n.updatedAt = datetime()"
    )
    await store.write_one(
        statement, {"id": node_id, "props": props, "source": SOURCE, "recordedBy": RECORDED_BY}
    )


async def _link(
    store: Store,
    from_label: LiteralString,
    from_id: str,
    rel: LiteralString,
    to_label: LiteralString,
    to_id: str,
    props: dict[str, Any] | None = None,
) -> None:
    statement: LiteralString = (
        "MATCH (a:" + from_label + " {id: $from}) MATCH (b:" + to_label + " {id: $to}) "
        "MERGE (a)-[r:" + rel + "]->(b) "
        "SET r += $props, r.source = $source, r.recordedBy = $recordedBy"
    )
    await store.write_one(
        statement,
        {
            "from": from_id,
            "to": to_id,
            "props": props or {},
            "source": SOURCE,
            "recordedBy": RECORDED_BY,
        },
    )


async def create_intervention(
    store: Store,
    *,
    id: str,
    name: str,
    kind: str = "PROGRAMME",
    cost_rating: int | None = None,
    uk_tested: bool | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    level_of_need: str | None = None,
    variant_of: str | None = None,
) -> None:
    props = {
        "name": name,
        "kind": kind,
        "costRating": cost_rating,
        "ukTested": uk_tested,
        "minAge": min_age,
        "maxAge": max_age,
        "levelOfNeed": level_of_need,
    }
    await _node(store, "Intervention", id, _present(props))
    if variant_of:
        await _link(store, "Intervention", id, "VARIANT_OF", "Intervention", variant_of)


async def create_agency(
    store: Store,
    *,
    id: str,
    name: str,
    sector: str = "LOCAL_GOVERNMENT",
    area_type: str | None = None,
) -> None:
    await _node(
        store, "Agency", id, _present({"name": name, "sector": sector, "areaType": area_type})
    )


async def create_outcome(
    store: Store, *, id: str, name: str, domain: str, part_of: str | None = None
) -> None:
    await _node(store, "Outcome", id, {"name": name, "domain": domain})
    if part_of:
        await _link(store, "Outcome", id, "PART_OF", "Outcome", part_of)


async def create_study(
    store: Store,
    *,
    id: str,
    title: str,
    year: int,
    design: str,
    status: str = "COMPLETED",
    design_rating: str | None = None,
    country: str | None = None,
    independent: bool | None = None,
    evaluates: Iterable[str] = (),
    conducted_by: Iterable[str] = (),
) -> None:
    props = {
        "title": title,
        "year": year,
        "design": design,
        "status": status,
        "designRating": design_rating,
        "country": country,
        "independent": independent,
    }
    await _node(store, "Study", id, _present(props))
    for intervention in evaluates:
        await _link(store, "Study", id, "EVALUATES", "Intervention", intervention)
    for agency in conducted_by:
        await _link(store, "Agency", agency, "CONDUCTED", "Study", id, {"role": "evaluator"})


async def create_finding(
    store: Store,
    *,
    id: str,
    study: str,
    intervention: str,
    outcomes: Iterable[str],
    measure: str,
    direction: str | None = None,
    significant: bool | None = None,
    follow_up_months: int | None = None,
) -> None:
    props = {
        "measure": measure,
        "direction": direction,
        "significant": significant,
        "followUpMonths": follow_up_months,
    }
    await _node(store, "Finding", id, _present(props))
    await _link(store, "Study", study, "REPORTS", "Finding", id)
    await _link(store, "Finding", id, "OF", "Intervention", intervention)
    for outcome in outcomes:
        await _link(store, "Finding", id, "ON_OUTCOME", "Outcome", outcome)


async def create_rating(
    store: Store,
    *,
    id: str,
    scheme: str,
    value: str,
    rated_on: str,
    intervention: str,
    topic: str | None = None,
) -> None:
    props = {"scheme": scheme, "value": value, "topic": topic}
    await _node(store, "Rating", id, _present(props))
    await store.write_one(
        "MATCH (g:Rating {id: $id}) SET g.ratedOn = date($on)", {"id": id, "on": rated_on}
    )
    await _link(store, "Rating", id, "RATES", "Intervention", intervention)


async def add_delivery(
    store: Store, *, agency: str, intervention: str, status: str | None = None
) -> None:
    await _link(
        store,
        "Agency",
        agency,
        "DELIVERS",
        "Intervention",
        intervention,
        _present({"status": status}),
    )


async def add_funding(
    store: Store, *, funder: str, intervention: str, amount: float, currency: str = "GBP"
) -> None:
    await _link(
        store,
        "Agency",
        funder,
        "FUNDS",
        "Intervention",
        intervention,
        {"amount": amount, "currency": currency},
    )


async def add_participation(store: Store, *, agency: str, intervention: str, role: str) -> None:
    await _link(
        store, "Agency", agency, "PARTICIPATES_IN", "Intervention", intervention, {"role": role}
    )


async def add_target(store: Store, *, intervention: str, outcome: str) -> None:
    await _link(store, "Intervention", intervention, "TARGETS", "Outcome", outcome)


def _present(props: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in props.items() if value is not None}
