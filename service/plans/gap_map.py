"""The evidence gap map: interventions by outcomes, each cell judged from its findings.

A cell counts the findings on its outcome and on every narrower outcome (a finding on
"re-report of physical abuse" is evidence on "child maltreatment", not the other way
round). Ongoing studies have no findings yet, so they are attributed to the outcomes
the intervention targets.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from service.plans import evidence_facts
from service.store import Store

EVIDENCE: Final = "EVIDENCE"
ONLY_ONGOING: Final = "ONLY_ONGOING"
ABSOLUTE_GAP: Final = "ABSOLUTE_GAP"


async def gap_map(
    store: Store,
    *,
    intervention_ids: list[str] | None = None,
    intervention_kinds: list[str] | None = None,
    outcome_domains: list[str] | None = None,
    outcome_ids: list[str] | None = None,
) -> dict[str, Any]:
    facts = await evidence_facts.fetch(
        store,
        intervention_ids=intervention_ids,
        intervention_kinds=intervention_kinds,
        outcome_domains=outcome_domains,
        outcome_ids=outcome_ids,
    )
    outcomes = [_outcome(o) for o in facts.outcomes]
    domains: dict[str, list[dict[str, Any]]] = {}
    for outcome in outcomes:
        domains.setdefault(outcome["domain"], []).append(outcome)
    return {
        "interventions": [
            {"id": i["id"], "name": i["name"], "kind": i["kind"]} for i in facts.interventions
        ],
        "outcomes": outcomes,
        "domains": [{"domain": d, "outcomes": os} for d, os in domains.items()],
        "cells": [
            cell(intervention, outcome)
            for intervention in facts.interventions
            for outcome in facts.outcomes
        ],
    }


def _outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": outcome["id"],
        "name": outcome["name"],
        "domain": outcome["domain"],
        "part_of_id": outcome["parent"],
    }


def cell(intervention: dict[str, Any], outcome: dict[str, Any]) -> dict[str, Any]:
    """One cell of the map: counts, the strongest evidence, and its status."""
    below = set(outcome["below"])
    findings = evidence_facts.findings_on(intervention, below)
    completed = [f for f in findings if f["study"]["status"] != "ONGOING"]
    studies = {f["study"]["id"]: f["study"] for f in completed}
    ongoing = [
        s
        for s in intervention["studies"]
        if s["status"] == "ONGOING" and below & set(intervention["targets"])
    ]
    for study in ongoing:
        studies.setdefault(study["id"], study)
    if completed:
        status = EVIDENCE
    elif ongoing:
        status = ONLY_ONGOING
    else:
        status = ABSOLUTE_GAP
    designs = Counter(s["design"] for s in studies.values())
    directions = Counter(f["direction"] or "NOT_REPORTED" for f in completed)
    return {
        "intervention_id": intervention["id"],
        "outcome_id": outcome["id"],
        "status": status,
        "study_count": len(studies),
        "ongoing_study_count": len(ongoing),
        "finding_count": len(completed),
        "studies_by_design": [
            {"design": design, "count": count} for design, count in sorted(designs.items())
        ],
        "findings_by_direction": [
            {"direction": direction, "count": count}
            for direction, count in sorted(directions.items())
        ],
        "strongest": evidence_facts.judge_findings(completed, intervention) if completed else None,
    }
