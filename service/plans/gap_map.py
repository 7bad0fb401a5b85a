"""The evidence gap map: interventions by outcomes, each cell judged from its findings.

A cell counts the findings on its outcome and on every narrower outcome (a finding on
"re-report of physical abuse" is evidence on "child maltreatment", not the other way
round). Ongoing studies have no findings yet, so they are attributed to the outcomes
the intervention targets.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import Counter
from collections.abc import Callable
from typing import Any, Final

from service import collector
from service.plans import evidence_facts, evidence_index
from service.plans.evidence_facts import EvidenceFacts
from service.plans.evidence_facts import judge_findings as judge
from service.store import Store

EVIDENCE: Final = "EVIDENCE"
ONLY_ONGOING: Final = "ONLY_ONGOING"
ABSOLUTE_GAP: Final = "ABSOLUTE_GAP"
# How many differently shaped copies of an intervention's cells a snapshot keeps: the
# explorer and a frontend or two each select the cells their own way.
SHAPED_KEPT: Final = 4


async def gap_map(
    store: Store,
    *,
    intervention_ids: list[str] | None = None,
    intervention_kinds: list[str] | None = None,
    outcome_domains: list[str] | None = None,
    outcome_ids: list[str] | None = None,
    absolute_gaps: bool = True,
    shape_cell: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """The map; without ``absolute_gaps`` only the cells with evidence or ongoing studies.

    Rows named by id are read with their own statement; otherwise the whole graph's
    snapshot (evidence_index.py) serves, filtered here, and the cells are worked out in
    a worker thread (the first map of a version judges tens of thousands of cells).

    ``shape_cell`` turns each cell into what the response holds (the compiled path's
    shaper, schema/compiled_views.py); the snapshot remembers the shaped cells that are
    more than a gap, per shaper, so a map of an unchanged graph is not shaped again.
    """
    if intervention_ids is not None:
        facts: EvidenceFacts = await evidence_facts.fetch(
            store,
            intervention_ids=intervention_ids,
            intervention_kinds=intervention_kinds,
            outcome_domains=outcome_domains,
            outcome_ids=outcome_ids,
        )
        return _assemble(
            facts,
            facts.interventions,
            facts.outcomes,
            absolute_gaps=absolute_gaps,
            shape_cell=shape_cell,
        )
    snapshot = await evidence_index.current(store)
    kinds = None if intervention_kinds is None else set(intervention_kinds)
    rows = [i for i in snapshot.interventions if kinds is None or i["kind"] in kinds]
    columns = snapshot.outcomes
    if outcome_domains is not None or outcome_ids is not None:
        columns = [
            o
            for o in snapshot.outcomes
            if (outcome_domains is None or o["domain"] in outcome_domains)
            and (outcome_ids is None or o["id"] in outcome_ids)
        ]
    # Tens of thousands of cells shaped, all kept: the collector's walks would take as
    # long again (service/collector.py).
    found = await asyncio.to_thread(
        collector.paused_call,
        _assemble,
        snapshot,
        rows,
        columns,
        absolute_gaps=absolute_gaps,
        shape_cell=shape_cell,
    )
    evidence_index.settle(snapshot)
    return found


def _assemble(
    facts: EvidenceFacts,
    interventions: list[dict[str, Any]],
    outcomes: list[dict[str, Any]],
    *,
    absolute_gaps: bool,
    shape_cell: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    shown = [_outcome(o) for o in outcomes]
    domains: dict[str, list[dict[str, Any]]] = {}
    for outcome in shown:
        domains.setdefault(outcome["domain"], []).append(outcome)
    return {
        "interventions": [
            {"id": i["id"], "name": i["name"], "kind": i["kind"]} for i in interventions
        ],
        "outcomes": shown,
        "domains": [{"domain": d, "outcomes": os} for d, os in domains.items()],
        "cells": [
            c
            for intervention in interventions
            for c in _row(facts, intervention, outcomes, absolute_gaps=absolute_gaps)
        ]
        if shape_cell is None
        else [
            c
            for intervention in interventions
            for c in _shaped_row(
                facts, intervention, outcomes, absolute_gaps=absolute_gaps, shape=shape_cell
            )
        ],
    }


def _row(
    facts: EvidenceFacts,
    intervention: dict[str, Any],
    outcomes: list[dict[str, Any]],
    *,
    absolute_gaps: bool,
) -> list[dict[str, Any]]:
    """The intervention's cells in the order of ``outcomes``."""
    judged = _judged_cells(facts, intervention)
    if not absolute_gaps:
        # The judged cells are in column order already; every column needs no lookups.
        wanted = None if outcomes is facts.outcomes else {o["id"] for o in outcomes}
        return [
            c
            for outcome_id, c in judged.items()
            if c["status"] != ABSOLUTE_GAP and (wanted is None or outcome_id in wanted)
        ]
    return [judged.get(o["id"]) or _gap(intervention["id"], o["id"]) for o in outcomes]


def _shaped_row(
    facts: EvidenceFacts,
    intervention: dict[str, Any],
    outcomes: list[dict[str, Any]],
    *,
    absolute_gaps: bool,
    shape: Callable[[dict[str, Any]], Any],
) -> list[Any]:
    """_row's cells through ``shape``; the judged ones shaped once per snapshot entry,
    and the row of a sparse map of every column kept as a list: its repeat, the map a
    frontend asks for again and again, then costs no work per cell."""
    judged = _judged_cells(facts, intervention)
    memo = facts.memo(intervention["id"])
    # Weakly keyed: a shaper belongs to a cached document, and goes when it does.
    by_shaper = memo.setdefault("shaped_cells", weakref.WeakKeyDictionary())
    # By outcome id, and under None the sparse row of every column.
    shaped: dict[str | None, Any] | None = by_shaper.get(shape)
    if shaped is None:
        if len(by_shaper) >= SHAPED_KEPT:
            # Every document selecting the cells differently would otherwise keep a copy
            # of the whole map for as long as the document cache keeps the document.
            by_shaper.clear()
        shaped = by_shaper[shape] = {}
    if not absolute_gaps and outcomes is facts.outcomes:
        whole = shaped.get(None)
        if whole is None:
            # Shaped here without going through the cells by outcome: a call and two
            # look-ups per cell were as much again as shaping it.
            whole = shaped[None] = [
                shape(c) for c in judged.values() if c["status"] != ABSOLUTE_GAP
            ]
            facts.remembered()
        return whole
    known = len(shaped)
    if not absolute_gaps:
        wanted = {o["id"] for o in outcomes}
        found = [
            _shaped_cell(shaped, outcome_id, c, shape)
            for outcome_id, c in judged.items()
            if c["status"] != ABSOLUTE_GAP and outcome_id in wanted
        ]
    else:
        found = [
            _shaped_cell(shaped, o["id"], judged[o["id"]], shape)
            if o["id"] in judged
            else shape(_gap(intervention["id"], o["id"]))
            for o in outcomes
        ]
    if len(shaped) > known:
        facts.remembered()
    return found


def _shaped_cell(
    shaped: dict[str | None, Any],
    outcome_id: str,
    judged_cell: dict[str, Any],
    shape: Callable[[dict[str, Any]], Any],
) -> Any:
    found = shaped.get(outcome_id)
    if found is None:
        found = shaped[outcome_id] = shape(judged_cell)
    return found


def judge_cells(facts: EvidenceFacts, interventions: list[dict[str, Any]]) -> None:
    """Judge (and have ``facts`` remember) every cell of these rows that can hold more
    than a gap: what a whole map of them costs the first time (evidence_warmup.py)."""
    with collector.paused():
        for intervention in interventions:
            _judged_cells(facts, intervention)


def _judged_cells(facts: EvidenceFacts, intervention: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The cells that can hold more than a gap, by outcome: only the columns at or above
    what the intervention reported on or targets. Remembered by a snapshot's facts."""
    memo = facts.memo(intervention["id"])
    if evidence_index.GAP_MAP_CELLS not in memo:
        with facts.working_on(intervention["id"]):
            if evidence_index.GAP_MAP_CELLS not in memo:
                relevant = {o for f in intervention["findings"] for o in f["outcomes"]}
                relevant |= set(intervention["targets"])
                memo[evidence_index.GAP_MAP_CELLS] = _counts_shared(
                    {
                        o["id"]: cell(intervention, o, facts=facts)
                        for o in facts.outcomes_over(relevant)
                    }
                )
                facts.remembered()
    judged: dict[str, dict[str, Any]] = memo[evidence_index.GAP_MAP_CELLS]
    return judged


def _counts_shared(cells: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The cells with one copy of each equal count ({"design": "RCT", "count": 2}): the
    cells of one row repeat a handful of them, and a whole map holds 90,000 cells."""
    pool: dict[tuple[str, Any, Any], dict[str, Any]] = {}
    for found in cells.values():
        for counts, kind in (
            ("studies_by_design", "design"),
            ("findings_by_direction", "direction"),
        ):
            found[counts] = [pool.setdefault((kind, c[kind], c["count"]), c) for c in found[counts]]
    return cells


def _gap(intervention_id: str, outcome_id: str) -> dict[str, Any]:
    return {
        "intervention_id": intervention_id,
        "outcome_id": outcome_id,
        "status": ABSOLUTE_GAP,
        "study_count": 0,
        "ongoing_study_count": 0,
        "finding_count": 0,
        "studies_by_design": [],
        "findings_by_direction": [],
        "strongest": None,
    }


def _outcome(outcome: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": outcome["id"],
        "name": outcome["name"],
        "domain": outcome["domain"],
        "part_of_id": outcome["parent"],
    }


def cell(
    intervention: dict[str, Any],
    outcome: dict[str, Any],
    *,
    facts: EvidenceFacts | None = None,
) -> dict[str, Any]:
    """One cell of the map: counts, the strongest evidence, and its status (judged
    through ``facts``, which may remember the judgement)."""
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
        "strongest": (
            facts.judge(completed, intervention) if facts else judge(completed, intervention)
        )
        if completed
        else None,
    }
