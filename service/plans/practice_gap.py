"""The practice gap: how widely each intervention is used or funded, against its evidence.

Evidence strength is the best of the intervention's current clearinghouse ratings and
the service's own judgement on each outcome it has findings for, both on the common
scale. A programme family (Incredible Years) is credited with the evidence of its
variants (Incredible Years Preschool BASIC), and says so.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from service import collector
from service.plans import evidence_facts, evidence_index
from service.rules import practice
from service.rules.judgement import rating_caveats
from service.rules.rating_scale import CommonLevel, label_of, scale, summarise
from service.store import Store

# What a headline "well evidenced" must not hide, from any outcome's judgement.
_HEADLINE_CAVEATS = frozenset(
    {"HARMFUL_TRIAL", "NULL_TRIAL", "MIXED_EVIDENCE", "UK_TRIALS", "UK_TRIAL_NOT_FAVOURABLE"}
)


async def practice_gap(
    store: Store,
    *,
    intervention_ids: list[str] | None = None,
    intervention_kinds: list[str] | None = None,
) -> dict[str, Any]:
    if intervention_ids is not None:
        facts: evidence_facts.EvidenceFacts = await evidence_facts.fetch(
            store, intervention_ids=intervention_ids, intervention_kinds=intervention_kinds
        )
        return _assemble(facts, facts.interventions)
    # The whole graph: from the snapshot (evidence_index.py), rows remembered per version.
    snapshot = await evidence_index.current(store)
    kinds = None if intervention_kinds is None else set(intervention_kinds)
    chosen = [i for i in snapshot.interventions if kinds is None or i["kind"] in kinds]
    found = await asyncio.to_thread(collector.paused_call, _assemble, snapshot, chosen)
    evidence_index.settle(snapshot)
    return found


def _assemble(
    facts: evidence_facts.EvidenceFacts, interventions: list[dict[str, Any]]
) -> dict[str, Any]:
    rows = [_remembered_row(i, facts) for i in interventions]
    by_usage = sorted(
        rows, key=lambda r: (-_usage_rank(r), r["evidence"]["common_scale"], r["name"])
    )
    weakly = [r for r in by_usage if r["category"] == practice.WIDELY_USED_WEAKLY_EVIDENCED]
    rarely = sorted(
        (r for r in rows if r["category"] == practice.WELL_EVIDENCED_RARELY_USED),
        key=lambda r: (-r["evidence"]["common_scale"], r["delivering_agencies"], r["name"]),
    )
    return {
        "widely_used_weakly_evidenced": weakly,
        "well_evidenced_rarely_used": rarely,
        "ranking": by_usage,
        "thresholds": {
            "widely_used_min_agencies": practice.WIDELY_USED_MIN_AGENCIES,
            "widely_funded_min_amount": practice.WIDELY_FUNDED_MIN_AMOUNT,
            "rarely_used_max_agencies": practice.RARELY_USED_MAX_AGENCIES,
            "well_evidenced_min": int(practice.WELL_EVIDENCED_MIN),
            "weakly_evidenced_max": int(practice.WEAKLY_EVIDENCED_MAX),
        },
    }


def _usage_rank(row: dict[str, Any]) -> float:
    # Agencies first, then money: a tie on agencies is broken by the larger grant.
    return float(row["delivering_agencies"] * 1e12 + row["largest_funding_total"])


def _remembered_row(
    intervention: dict[str, Any], facts: evidence_facts.EvidenceFacts
) -> dict[str, Any]:
    memo = facts.memo(intervention["id"])
    if evidence_index.PRACTICE_GAP_ROW not in memo:
        memo[evidence_index.PRACTICE_GAP_ROW] = _row(intervention, facts)
        facts.remembered()
    row: dict[str, Any] = memo[evidence_index.PRACTICE_GAP_ROW]
    return row


def _row(intervention: dict[str, Any], facts: evidence_facts.EvidenceFacts) -> dict[str, Any]:
    active = [d for d in intervention["deliveries"] if d["status"] != "ENDED"]
    totals: dict[str, float] = defaultdict(float)
    for grant in intervention["funding"]:
        if grant["amount"] is not None:
            totals[grant["currency"] or "UNKNOWN"] += grant["amount"]
    usage = practice.Usage(
        delivering_agencies=len(active),
        funders=len({g["id"] for g in intervention["funding"]}),
        largest_funding_total=max(totals.values(), default=0.0),
    )
    evidence = best_evidence(intervention, facts)
    return {
        "intervention_id": intervention["id"],
        "name": intervention["name"],
        "kind": intervention["kind"],
        "delivering_agencies": usage.delivering_agencies,
        "delivering_agency_names": [d["name"] for d in active],
        "funders": usage.funders,
        "funding": [{"currency": c, "amount": a} for c, a in sorted(totals.items())],
        "largest_funding_total": usage.largest_funding_total,
        "widely_used": usage.widely_used,
        "rarely_used": usage.rarely_used,
        "evidence": evidence,
        "category": practice.category(usage, CommonLevel(evidence["common_scale"])),
    }


def best_evidence(
    intervention: dict[str, Any], facts: evidence_facts.EvidenceFacts
) -> dict[str, Any]:
    """The strongest evidence for the intervention or one of its variants, with its basis."""
    candidates = _candidates(intervention, facts, via=None)
    for variant in intervention.get("variants", []):
        candidates += _candidates(
            variant,
            facts,
            via={"id": variant["id"], "name": variant["name"], "kind": variant["kind"]},
        )
    if not candidates:
        level = CommonLevel.NOT_SHOWN
        return {
            "common_scale": int(level),
            "common_scale_label": label_of(level),
            "basis": "NONE",
            "source": "no findings and no clearinghouse rating recorded",
            "via_variant": None,
            "judgement": None,
            "outcome": None,
            "rating": None,
            "caveats": [],
        }
    best = max(
        candidates,
        key=lambda c: (c["common_scale"], c["via_variant"] is None, c["basis"] == "RATING"),
    )
    return {**best, "caveats": _all_caveats(intervention, candidates)}


def _all_caveats(
    intervention: dict[str, Any], candidates: list[dict[str, Any]]
) -> list[dict[str, str]]:
    """Every caveat behind the headline: a best rating never hides a null UK trial, a
    harmful finding, an asterisk or a dispute found anywhere in its evidence."""
    found = rating_caveats(intervention["ratings"])
    found += [
        caveat
        for candidate in candidates
        if candidate["judgement"]
        for caveat in candidate["judgement"]["caveats"]
        if caveat["code"] in _HEADLINE_CAVEATS
    ]
    unique: dict[tuple[str, str], dict[str, str]] = {}
    for caveat in found:
        unique.setdefault((caveat["code"], caveat["text"]), caveat)
    return list(unique.values())


def _candidates(
    intervention: dict[str, Any],
    facts: evidence_facts.EvidenceFacts,
    *,
    via: dict[str, str] | None,
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for rating in summarise(
        {**r, "rated_on": r["ratedOn"]} for r in intervention["ratings"]
    ).current:
        level = scale(rating["scheme"], rating["value"]).level
        if level is None:
            continue
        found.append(
            {
                "common_scale": int(level),
                "common_scale_label": label_of(level),
                "basis": "RATING",
                "source": f"{rating['scheme']} rating {rating['value']!r} ({rating['rated_on']})",
                "via_variant": via,
                "judgement": None,
                "outcome": None,
                "rating": {
                    "id": rating["id"],
                    "scheme": rating["scheme"],
                    "value": rating["value"],
                    "topic": rating["topic"],
                    "rated_on": rating["rated_on"],
                },
            }
        )
    reported_on = {o for f in intervention["findings"] for o in f["outcomes"]}
    for outcome in facts.outcomes_over(reported_on):
        findings = evidence_facts.findings_on(intervention, outcome["below"])
        if not findings:
            continue
        judgement = facts.judge(findings, intervention)
        found.append(
            {
                "common_scale": judgement["common_scale"],
                "common_scale_label": judgement["common_scale_label"],
                "basis": "FINDINGS",
                "source": f"the service's judgement: EIF {judgement['eif_value']}, "
                f"Title IV-E {judgement['title_iv_e']} on {outcome['name']}",
                "via_variant": via,
                "judgement": judgement,
                "outcome": {"id": outcome["id"], "name": outcome["name"]},
                "rating": None,
            }
        )
    return found
