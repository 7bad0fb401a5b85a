"""One statement that fetches what the evidence rules need, and helpers to read its rows.

The gap map, practice gap, local fit and multi-agency views all judge evidence from
the same facts: outcomes with the outcomes beneath them, and for each intervention its
findings (with their studies), studies, targets, ratings, deliveries, funding,
participants and variants. Each of those root fields runs this one statement with its
own filters; the judgement itself is applied in Python (service/rules/).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Final

from service.rules.judgement import judge_evidence
from service.store import Store


def _findings(var: str, n: int, *, areas: bool) -> str:
    f, s, o, a, tr = f"f{n}", f"s{n}", f"o{n}", f"a{n}", f"tr{n}"
    return (
        f"COLLECT {{ MATCH ({var})<-[:OF]-({f}:Finding)<-[:REPORTS]-({s}:Study) "
        f"WITH {f}, {s} ORDER BY {s}.year DESC, {s}.id, {f}.id "
        f"RETURN {{id: {f}.id, measure: {f}.measure, direction: {f}.direction, "
        f"significant: {f}.significant, pValue: {f}.pValue, followUpMonths: {f}.followUpMonths, "
        f"summary: {f}.summary, "
        f"outcomes: COLLECT {{ MATCH ({f})-[:ON_OUTCOME]->({o}:Outcome) RETURN {o}.id AS id ORDER BY id }}, "
        f"study: {{id: {s}.id, title: {s}.title, year: {s}.year, design: {s}.design, "
        f"designRating: {s}.designRating, status: {s}.status, country: {s}.country, "
        f"independent: {s}.independent, sampleSize: {s}.sampleSize, "
        f"attritionPercent: {s}.attritionPercent, "
        f"differentialAttritionPercent: {s}.differentialAttritionPercent, "
        f"comparison: {s}.comparison, followUpMonths: {s}.followUpMonths, "
        f"trial: head(COLLECT {{ MATCH ({s})-[:REPORTS_ON]->({tr}:Trial) "
        f"RETURN {{id: {tr}.id, name: {tr}.name, country: {tr}.country, "
        f"sampleSize: {tr}.sampleSize}} AS trial }})"
        + (
            f", areaTypes: COLLECT {{ MATCH ({s})<-[:CONDUCTED]-({a}:Agency) "
            f"WHERE {a}.areaType IS NOT NULL RETURN {a}.areaType AS areaType ORDER BY areaType }}"
            if areas
            else ""
        )
        + "}} AS item }"
    )


def _caveats(var: str, c: str) -> str:
    return (
        f"COLLECT {{ MATCH ({var})<-[:QUALIFIES]-({c}:Caveat) WITH {c} ORDER BY {c}.kind, {c}.id "
        f"RETURN {{id: {c}.id, kind: {c}.kind, text: {c}.text}} AS item }}"
    )


def _ratings(var: str, n: int) -> str:
    g, o = f"g{n}", f"go{n}"
    return (
        f"COLLECT {{ MATCH ({var})<-[:RATES]-({g}:Rating) WITH {g} ORDER BY {g}.ratedOn DESC, {g}.id "
        f"RETURN {{id: {g}.id, scheme: {g}.scheme, value: {g}.`value`, topic: {g}.topic, "
        f"ratedOn: {g}.ratedOn, ratedOnPrecision: {g}.ratedOnPrecision, url: {g}.url, "
        f"caveats: {_caveats(g, f'gc{n}')}, "
        f"outcomes: COLLECT {{ MATCH ({g})-[:SCOPED_TO]->({o}:Outcome) RETURN {o}.id AS id ORDER BY id }}}} AS item }}"
    )


def _agencies(var: str, rel: str, n: int, extra: str) -> str:
    a, r = f"ag{n}", f"r{n}"
    return (
        f"COLLECT {{ MATCH ({var})<-[{r}:{rel}]-({a}:Agency) WITH {r}, {a} ORDER BY {a}.name, {a}.id "
        f"RETURN {{id: {a}.id, name: {a}.name, sector: {a}.sector, areaType: {a}.areaType, {extra}}} AS item }}"
    )


def _core(var: str, n: int, *, areas: bool, findings: bool = True) -> str:
    t, s = f"t{n}", f"st{n}"
    return (
        f"id: {var}.id, name: {var}.name, kind: {var}.kind, costRating: {var}.costRating, "
        f"minAge: {var}.minAge, maxAge: {var}.maxAge, levelOfNeed: {var}.levelOfNeed, "
        f"ukTested: {var}.ukTested, countryOfOrigin: {var}.countryOfOrigin, "
        f"caveats: {_caveats(var, f'ic{n}')}, "
        + (f"findings: {_findings(var, n, areas=areas)}, " if findings else "")
        + f"ratings: {_ratings(var, n)}, "
        f"targets: COLLECT {{ MATCH ({var})-[:TARGETS]->({t}:Outcome) RETURN {t}.id AS id ORDER BY id }}, "
        f"studies: COLLECT {{ MATCH ({var})<-[:EVALUATES]-({s}:Study) WITH {s} ORDER BY {s}.year DESC, {s}.id "
        f"RETURN {{id: {s}.id, title: {s}.title, year: {s}.year, design: {s}.design, "
        f"status: {s}.status, country: {s}.country}} AS item }}"
    )


def _agency_links() -> str:
    """The agencies that deliver, fund and take part in ``i``, as its facts list them."""
    return (
        ", deliveries: "
        + _agencies("i", "DELIVERS", 1, "status: r1.status")
        + ", funding: "
        + _agencies("i", "FUNDS", 2, "amount: r2.amount, currency: r2.currency")
        + ", participants: "
        + _agencies("i", "PARTICIPATES_IN", 3, "role: r3.role")
    )


def intervention_facts(*, areas: bool) -> str:
    """The map of one intervention ``i`` that the evidence rules read."""
    return (
        "{"
        + _core("i", 1, areas=areas)
        + _agency_links()
        + ", variants: COLLECT { MATCH (i)<-[:VARIANT_OF]-(v:Intervention) WITH v ORDER BY v.name, v.id "
        + "RETURN {"
        + _core("v", 2, areas=areas)
        + "} AS item }"
        + "}"
    )


def intervention_outline() -> str:
    """intervention_facts of ``i`` without its findings, and its variants by id alone:
    the whole graph's read (evidence_read.py) adds those from statements of their own."""
    return (
        "{"
        + _core("i", 1, areas=True, findings=False)
        + _agency_links()
        + ", variantIds: COLLECT { MATCH (i)<-[:VARIANT_OF]-(v:Intervention) "
        + "WITH v ORDER BY v.name, v.id RETURN v.id AS id }"
        + "}"
    )


# The outcome columns with the outcome each is part of and every outcome beneath it.
OUTCOME_FACTS: Final = """{id: o.id, name: o.name, domain: o.domain,
    parent: head(COLLECT { MATCH (o)-[:PART_OF]->(p:Outcome) RETURN p.id AS id }),
    below: COLLECT { MATCH (o)<-[:PART_OF*0..4]-(n:Outcome) RETURN n.id AS id }}"""


def _statement(*, areas: bool) -> str:
    return f"""
CALL () {{
  MATCH (o:Outcome)
  WHERE ($outcomeDomains IS NULL OR o.domain IN $outcomeDomains)
    AND ($outcomeIds IS NULL OR o.id IN $outcomeIds)
  WITH o ORDER BY o.domain, o.name, o.id
  RETURN collect({OUTCOME_FACTS}) AS outcomes
}}
CALL () {{
  MATCH (i:Intervention)
  WHERE ($interventionIds IS NULL OR i.id IN $interventionIds)
    AND ($interventionKinds IS NULL OR i.kind IN $interventionKinds)
  WITH i ORDER BY i.name, i.id
  RETURN collect({intervention_facts(areas=areas)}) AS interventions
}}
RETURN outcomes, interventions
"""


EVIDENCE_FACTS: Final = _statement(areas=False)
# Local fit also reads the area types of the councils that ran each study; the extra
# subquery per finding roughly doubles the statement's cost, so only it asks for them.
EVIDENCE_FACTS_WITH_AREAS: Final = _statement(areas=True)


@dataclass(frozen=True)
class EvidenceFacts:
    outcomes: list[dict[str, Any]]
    interventions: list[dict[str, Any]]

    def outcome(self, outcome_id: str) -> dict[str, Any] | None:
        return next((o for o in self.outcomes if o["id"] == outcome_id), None)

    def outcomes_over(self, outcome_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The outcomes (in column order) at or above any of ``outcome_ids``: the only
        ones on which findings about those outcomes can count."""
        wanted = set(outcome_ids)
        return [o for o in self.outcomes if wanted & set(o["below"])]

    def reaching(self, outcome_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The interventions (in row order) that may have findings on or target one of
        ``outcome_ids``; here every one (the whole-graph snapshot keeps an index)."""
        return self.interventions

    def judge(
        self, findings: Sequence[Mapping[str, Any]], intervention: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The one judgement on these findings of ``intervention`` (judge_findings);
        the whole-graph snapshot (evidence_index.py) memoises it."""
        return judge_findings(findings, intervention)

    def memo(self, intervention_id: str) -> dict[Any, Any]:
        """Where a view may keep what it derives from one intervention's facts; these
        facts are read for one request, so nothing is kept."""
        return {}

    def remembered(self) -> None:
        """A view has added to a memo (the snapshot then settles it, evidence_index)."""

    def working_on(self, intervention_id: str) -> AbstractContextManager[object]:
        """Held while a view works out what it will remember of one intervention, so
        that two threads (a request and the warm-up) do not both do it; these facts
        are one request's, so no one else works on them."""
        return nullcontext()


async def fetch(
    store: Store,
    *,
    intervention_ids: list[str] | None = None,
    intervention_kinds: list[str] | None = None,
    outcome_domains: list[str] | None = None,
    outcome_ids: list[str] | None = None,
    with_areas: bool = False,
) -> EvidenceFacts:
    """Run the one statement; ``None`` filters mean everything."""
    [row] = await store.read(
        EVIDENCE_FACTS_WITH_AREAS if with_areas else EVIDENCE_FACTS,
        {
            "interventionIds": intervention_ids,
            "interventionKinds": intervention_kinds,
            "outcomeDomains": outcome_domains,
            "outcomeIds": outcome_ids,
        },
    )
    return EvidenceFacts(outcomes=row["outcomes"], interventions=row["interventions"])


def findings_on(
    intervention: Mapping[str, Any], outcome_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The intervention's findings on any of ``outcome_ids`` (already expanded downwards)."""
    wanted = set(outcome_ids)
    # No set per finding: this runs for every cell of the gap map and every outcome of
    # the practice gap, over every finding of the intervention.
    return [f for f in intervention["findings"] if not wanted.isdisjoint(f["outcomes"])]


def judge_findings(
    findings: Sequence[Mapping[str, Any]], intervention: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The one judgement (service/rules/judgement.py) as a plain map; given the
    intervention, its ratings and recorded caveats add to the judgement's caveats."""
    if intervention is None:
        return judge_evidence(findings)
    return judge_evidence(
        findings, ratings=intervention["ratings"], caveats=intervention["caveats"]
    )
