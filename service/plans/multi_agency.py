"""Multi-agency arrangements: one arrangement's agencies, roles, outcomes and evidence,
and across the graph, which agencies take part in arrangements together."""

from __future__ import annotations

from typing import Any, Final

from service.plans import evidence_facts
from service.plans.gap_map import cell
from service.rules.rating_scale import summarise
from service.store import Store


async def arrangement(store: Store, *, intervention_id: str) -> dict[str, Any] | None:
    facts = await evidence_facts.fetch(store, intervention_ids=[intervention_id])
    if not facts.interventions:
        return None
    [intervention] = facts.interventions
    touched = set(intervention["targets"]) | {
        o for f in intervention["findings"] for o in f["outcomes"]
    }
    outcomes = [
        {
            "outcome": {"id": o["id"], "name": o["name"], "domain": o["domain"]},
            "targeted": o["id"] in intervention["targets"],
            "evidence": cell(intervention, o),
        }
        for o in facts.outcomes
        if o["id"] in touched
    ]
    ratings = summarise({**r, "rated_on": r["ratedOn"]} for r in intervention["ratings"])
    return {
        "intervention": {
            "id": intervention["id"],
            "name": intervention["name"],
            "kind": intervention["kind"],
        },
        "participants": [
            {"agency": {"id": p["id"], "name": p["name"], "sector": p["sector"]}, "role": p["role"]}
            for p in intervention["participants"]
        ],
        "sectors": sorted({p["sector"] for p in intervention["participants"]}),
        "delivered_by": [
            {"id": d["id"], "name": d["name"], "sector": d["sector"], "area_type": d["areaType"]}
            for d in intervention["deliveries"]
        ],
        "outcomes": outcomes,
        "schemes_disagree": ratings.schemes_disagree,
    }


# Pairs of agencies in the same arrangement; each pair once (a.id < b.id).
CO_PARTICIPATION: Final = """
MATCH (a:Agency)-[:PARTICIPATES_IN]->(i:Intervention)<-[:PARTICIPATES_IN]-(b:Agency)
WHERE a.id < b.id
  AND ($interventionKinds IS NULL OR i.kind IN $interventionKinds)
WITH a, b, i ORDER BY i.name, i.id
WITH a, b, collect({id: i.id, name: i.name, kind: i.kind}) AS shared
WHERE size(shared) >= $minWeight
RETURN {id: a.id, name: a.name, sector: a.sector} AS source,
       {id: b.id, name: b.name, sector: b.sector} AS target,
       size(shared) AS weight, shared
ORDER BY weight DESC, source.name, target.name, source.id, target.id
"""


async def co_participation(
    store: Store, *, min_weight: int = 1, intervention_kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """Agency pairs with the number of arrangements they share (the edge weight)."""
    rows = await store.read(
        CO_PARTICIPATION, {"minWeight": min_weight, "interventionKinds": intervention_kinds}
    )
    return [
        {
            "source": r["source"],
            "target": r["target"],
            "weight": r["weight"],
            "arrangements": r["shared"],
        }
        for r in rows
    ]
