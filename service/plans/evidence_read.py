"""The whole graph's evidence facts, read in flat statements and assembled in Python.

evidence_facts.intervention_facts builds each intervention's facts in the store, one
nested map per finding with its study's map inside: on the benchmark graph (2,000
interventions, 70,000 findings, 20,000 studies) that took minutes of store time for the
first snapshot, and the 70,000 study maps, one per finding, most of its memory. Here
the same facts come from three kinds of statement, each over a batch of interventions
or studies (so none outlasts the store's query timeout): an outline of each
intervention (everything but its findings), its findings as flat rows, and the studies
those findings report once each. The assembly gives every finding of one study the
same study map, and interns the strings that repeat (enums, countries, ids).

The result equals evidence_facts.fetch(with_areas=True) for the same interventions
(tests/test_evidence_read.py compares them).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Final

from service.plans.evidence_facts import intervention_outline
from service.store import Store
from service.store_faults import StoreTimeout

# Interventions per statement, and studies per statement: about a second of store
# time each on the benchmark graph.
INTERVENTION_BATCH: Final = 250
STUDY_BATCH: Final = 2500

OUTLINES: Final = f"""
MATCH (i:Intervention) WHERE i.id IN $ids
RETURN {intervention_outline()} AS outline
"""

FINDINGS: Final = """
MATCH (i:Intervention) WHERE i.id IN $ids
MATCH (i)<-[:OF]-(f:Finding)<-[:REPORTS]-(s:Study)
RETURN i.id AS intervention, s.id AS study, s.year AS year, f.id AS id,
  f.measure AS measure, f.direction AS direction, f.significant AS significant,
  f.pValue AS pValue, f.followUpMonths AS followUpMonths, f.summary AS summary,
  COLLECT { MATCH (f)-[:ON_OUTCOME]->(o:Outcome) RETURN o.id AS id ORDER BY id } AS outcomes
"""

STUDIES: Final = """
MATCH (s:Study) WHERE s.id IN $ids
RETURN s.id AS id, s.title AS title, s.year AS year, s.design AS design,
  s.designRating AS designRating, s.status AS status, s.country AS country,
  s.independent AS independent, s.sampleSize AS sampleSize,
  s.attritionPercent AS attritionPercent,
  s.differentialAttritionPercent AS differentialAttritionPercent,
  s.comparison AS comparison, s.followUpMonths AS followUpMonths,
  head(COLLECT { MATCH (s)-[:REPORTS_ON]->(tr:Trial)
                 RETURN {id: tr.id, name: tr.name, country: tr.country,
                         sampleSize: tr.sampleSize} AS trial }) AS trial,
  COLLECT { MATCH (s)<-[:CONDUCTED]-(a:Agency) WHERE a.areaType IS NOT NULL
            RETURN a.areaType AS areaType ORDER BY areaType } AS areaTypes
"""

_FINDING_KEYS: Final = (
    "id",
    "measure",
    "direction",
    "significant",
    "pValue",
    "followUpMonths",
    "summary",
    "outcomes",
)
# An intervention's facts that a variant's facts, nested in its parent's, also hold.
_CORE_KEYS: Final = (
    "id",
    "name",
    "kind",
    "costRating",
    "minAge",
    "maxAge",
    "levelOfNeed",
    "ukTested",
    "countryOfOrigin",
    "caveats",
    "findings",
    "ratings",
    "targets",
    "studies",
)


async def whole_graph(store: Store, intervention_ids: list[str]) -> list[dict[str, Any]]:
    """The facts of these interventions (all of the graph's: a variant's facts are
    read with it), each as evidence_facts.intervention_facts(areas=True) gives them."""
    outlines: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    # One statement at a time: two at once took longer on the embedded store. The
    # assembly, a second or two of Python, runs off the event loop.
    for start in range(0, len(intervention_ids), INTERVENTION_BATCH):
        batch = intervention_ids[start : start + INTERVENTION_BATCH]
        outlines += [row["outline"] for row in await _read(store, OUTLINES, batch)]
        findings += await _read(store, FINDINGS, batch)
    study_ids = sorted({row["study"] for row in findings})
    study_rows: list[dict[str, Any]] = []
    for start in range(0, len(study_ids), STUDY_BATCH):
        study_rows += await _read(store, STUDIES, study_ids[start : start + STUDY_BATCH])
    return await asyncio.to_thread(_assemble, outlines, findings, study_rows)


async def _read(store: Store, statement: str, ids: list[str]) -> list[dict[str, Any]]:
    """The statement's rows for these ids; on a store too slow for them in one
    statement, half at a time (a single id's timeout is the store's to report)."""
    try:
        rows: list[dict[str, Any]] = await store.read(statement, {"ids": ids})
    except StoreTimeout:
        if len(ids) == 1:
            raise
        middle = len(ids) // 2
        first = await _read(store, statement, ids[:middle])
        return first + await _read(store, statement, ids[middle:])
    return rows


def _assemble(
    outlines: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    study_rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    studies = {row["id"]: _interned(row) for row in study_rows}
    by_intervention: dict[str, list[dict[str, Any]]] = {}
    for row in findings:
        by_intervention.setdefault(row["intervention"], []).append(row)
    facts: dict[str, dict[str, Any]] = {}
    for outline in outlines:
        found = _interned(outline)
        rows = by_intervention.get(found["id"], [])
        # As the nested statement orders them: newest study first, then by ids.
        rows.sort(key=lambda r: (r["study"], r["id"]))
        rows.sort(key=lambda r: (r["year"] is not None, -(r["year"] or 0)))
        found["findings"] = [
            {
                **{key: _intern_all(row[key]) for key in _FINDING_KEYS},
                "study": studies[row["study"]],
            }
            for row in rows
        ]
        facts[found["id"]] = found
    for found in facts.values():
        variant_ids = found.pop("variantIds")
        found["variants"] = [
            {key: facts[v][key] for key in _CORE_KEYS} for v in variant_ids if v in facts
        ]
    return list(facts.values())


def _interned(value: Any) -> Any:
    """``value`` with its strings interned, nested maps and lists included: thousands of
    findings and studies repeat the same enum values, countries and ids."""
    if type(value) is dict:
        return {sys.intern(k): _interned(v) for k, v in value.items()}
    return _intern_all(value)


def _intern_all(value: Any) -> Any:
    if type(value) is str:
        return sys.intern(value)
    if type(value) is list:
        return [_interned(item) for item in value]
    if type(value) is dict:
        return _interned(value)
    return value
