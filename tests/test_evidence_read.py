"""The whole graph's evidence facts read in flat statements equal those of the one
nested statement (evidence_facts.fetch), intervention by intervention."""

from __future__ import annotations

from typing import Any

from service.plans import evidence_facts, evidence_read
from service.store import Store


async def facts_read_both_ways(store: Store) -> tuple[list[Any], list[Any]]:
    """(the nested statement's facts, the flat statements' facts), by id."""
    nested = (await evidence_facts.fetch(store, with_areas=True)).interventions
    flat = await evidence_read.whole_graph(store, [i["id"] for i in nested])
    return sorted(nested, key=lambda i: i["id"]), sorted(flat, key=lambda i: i["id"])


async def test_the_flat_read_gives_the_nested_statements_facts(store: Store) -> None:
    nested, flat = await facts_read_both_ways(store)
    assert flat == nested
    assert any(i["findings"] for i in flat) and any(i["variants"] for i in flat)
    assert any(i["ratings"] for i in flat) and any(i["studies"] for i in flat)


async def test_findings_of_one_study_share_its_map(store: Store) -> None:
    _, flat = await facts_read_both_ways(store)
    studies: dict[str, Any] = {}
    for intervention in flat:
        for finding in intervention["findings"]:
            assert studies.setdefault(finding["study"]["id"], finding["study"]) is finding["study"]


async def test_batches_smaller_than_the_graph_read_the_same(store: Store, monkeypatch: Any) -> None:
    nested, _ = await facts_read_both_ways(store)
    monkeypatch.setattr(evidence_read, "INTERVENTION_BATCH", 3)
    monkeypatch.setattr(evidence_read, "STUDY_BATCH", 2)
    _, flat = await facts_read_both_ways(store)
    assert flat == nested
