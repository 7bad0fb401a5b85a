"""An intervention's page: its headline evidence, its ratings' caveats, and the judgement
on every outcome it reported on or targets, all from the one judgement function."""

from __future__ import annotations

from typing import Any

from service.plans import evidence_facts, gap_map, practice_gap
from service.rules.judgement import rating_caveats
from service.store import Store


async def intervention_evidence(store: Store, *, intervention_id: str) -> dict[str, Any] | None:
    facts = await evidence_facts.fetch(store, intervention_ids=[intervention_id])
    if not facts.interventions:
        return None
    intervention = facts.interventions[0]
    reported = {o for f in intervention["findings"] for o in f["outcomes"]}
    relevant = reported | set(intervention["targets"])
    # Only the outcomes at or above what it reported on or targets: the rest are gaps.
    outcomes = facts.outcomes_over(relevant)
    cells = [gap_map.cell(intervention, outcome) for outcome in outcomes]
    return {
        "intervention": {
            "id": intervention["id"],
            "name": intervention["name"],
            "kind": intervention["kind"],
        },
        "headline": practice_gap.best_evidence(intervention, facts),
        "rating_caveats": rating_caveats(intervention["ratings"]),
        "recorded_caveats": [
            {"code": f"RECORDED_{c['kind']}", "text": c["text"]} for c in intervention["caveats"]
        ],
        "outcomes": [
            {
                "outcome": {"id": o["id"], "name": o["name"], "domain": o["domain"]},
                "targeted": o["id"] in intervention["targets"],
                "evidence": c,
            }
            for o, c in zip(outcomes, cells, strict=True)
        ],
    }
