"""recommend(context): a ranked, explained list of interventions for a council.

Each entry carries its reasons as paths through the graph (this finding, from this
study, in this country, on this outcome; delivered by these councils like yours) and
its cautions. The rules live in service/rules/local_fit.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from service.plans import evidence_facts, evidence_index
from service.plans.errors import BadQueryInput
from service.rules import local_fit, ranking
from service.rules.judgement import rating_caveats
from service.rules.rating_scale import scale, summarise
from service.store import Store


async def recommend(store: Store, *, context: local_fit.Context) -> dict[str, Any]:
    if not context.outcome_ids:
        raise BadQueryInput("name at least one outcome", argument="context")
    # The whole graph's facts, from the snapshot kept per graph version (evidence_index.py).
    facts = await evidence_index.current(store)
    found = await asyncio.to_thread(_rank, facts, context)
    evidence_index.settle(facts)
    return found


def _rank(facts: evidence_facts.EvidenceFacts, context: local_fit.Context) -> dict[str, Any]:
    by_id = {o["id"]: o for o in facts.outcomes}
    unknown = [o for o in context.outcome_ids if o not in by_id]
    if unknown:
        raise BadQueryInput(f"unknown outcome {unknown[0]!r}", argument="context")
    wanted = {n for o in context.outcome_ids for n in by_id[o]["below"]}
    related = {
        n
        for o in context.outcome_ids
        if by_id[o]["parent"] in by_id
        for n in by_id[by_id[o]["parent"]]["below"]
    } - wanted

    # Ratings scoped to these outcomes speak to the question: the ones asked for, the
    # narrower ones, and the broader ones above them.
    covered = frozenset(wanted | {a for o in context.outcome_ids for a in _above(o, by_id)})

    def name_of(outcome_id: str) -> str:
        return str(by_id[outcome_id]["name"]) if outcome_id in by_id else outcome_id

    ranked, excluded = [], []
    # Only those with findings on or targets among these outcomes can be candidates.
    for intervention in facts.reaching(wanted | related):
        direct = evidence_facts.findings_on(intervention, wanted)
        nearby = evidence_facts.findings_on(intervention, related)
        targets = wanted & set(intervention["targets"])
        if not (direct or nearby or targets):
            continue
        summary = {"intervention_id": intervention["id"], "name": intervention["name"]}
        reasons_out = local_fit.exclusions(intervention, context)
        if reasons_out:
            excluded.append({**summary, "reasons": reasons_out})
            continue
        ranked.append(_candidate(facts, intervention, context, direct, nearby, name_of, covered))
    # Listed in a stable order (by id) before sorting, so that equal entries come out the
    # same way every time; they share a rank, so the id never decides a place.
    ranked.sort(key=lambda e: e["intervention_id"])
    ranked.sort(key=ranking.order_key)
    previous: tuple[Any, ...] | None = None
    for position, entry in enumerate(ranked, start=1):
        key = ranking.order_key(entry)
        entry["rank"] = ranked[position - 2]["rank"] if key == previous else position
        previous = key
    for entry in ranked:
        del entry["evidence_tiebreak"]
    return {"recommendations": ranked, "excluded": excluded}


def _candidate(
    facts: evidence_facts.EvidenceFacts,
    intervention: dict[str, Any],
    context: local_fit.Context,
    direct: list[dict[str, Any]],
    nearby: list[dict[str, Any]],
    name_of: Any,
    covered: frozenset[str],
) -> dict[str, Any]:
    used = direct or nearby
    judgement = facts.judge(used, intervention) if used else None
    related_only = not direct and bool(nearby)
    similar = [
        d
        for d in intervention["deliveries"]
        if context.area_type and d["areaType"] == context.area_type and d["status"] != "ENDED"
    ]
    reasons = [_finding_path(f, name_of) for f in _shown(judgement, used)]
    if similar:
        reasons.append(
            {
                "text": f"Delivered by {len(similar)} {context.area_type.lower() if context.area_type else ''} "
                f"council(s) like yours: {', '.join(d['name'] for d in similar)}.",
                "steps": [{"kind": "AGENCY", "id": d["id"], "name": d["name"]} for d in similar],
            }
        )
    for rating in summarise(
        {**r, "rated_on": r["ratedOn"]} for r in intervention["ratings"]
    ).current:
        scaled = scale(rating["scheme"], rating["value"])
        noted = "".join(f" Caveat ({c['kind']}): {c['text']}" for c in rating["caveats"])
        reasons.append(
            {
                "text": f"Rated {rating['value']!r} by {rating['scheme']}"
                + (f" ({rating['topic']})" if rating["topic"] else "")
                + (f": {scaled.label}." if scaled.label else ".")
                + noted,
                "steps": [
                    {
                        "kind": "RATING",
                        "id": rating["id"],
                        "name": f"{rating['scheme']} {rating['value']}",
                    }
                ],
            }
        )
    tested, used_in = local_fit.areas(intervention)
    tested_in_uk = _uk_tested(facts, intervention)
    parts = [
        ranking.strength(judgement, related_only=related_only),
        ranking.direction(judgement),
        ranking.harm(judgement),
        ranking.ratings(intervention["ratings"], covered_outcomes=covered),
        ranking.uk(judgement, uk_tested=tested_in_uk),
        ranking.fit(
            ranking.fit_items(intervention, context, tested_areas=tested, used_areas=used_in)
        ),
    ]
    return {
        "intervention_id": intervention["id"],
        "name": intervention["name"],
        "cost_rating": intervention["costRating"],
        "min_age": intervention["minAge"],
        "max_age": intervention["maxAge"],
        "score": {
            "total": sum(p.points for p in parts),
            "parts": [
                {"name": p.name, "points": p.points, "reasons": list(p.reasons)} for p in parts
            ],
        },
        "has_harmful_trial": bool(judgement and judgement["consistency"]["harmful_trials"]),
        "evidence_tiebreak": ranking.tiebreak(judgement),
        "rating_caveats": rating_caveats(intervention["ratings"]),
        "evidence_level": judgement["common_scale"] if judgement else 1,
        "judgement": judgement,
        "related_only": related_only,
        "favourable_findings": sum(1 for f in used if f["direction"] == "FAVOURABLE"),
        "similar_area_deliveries": [d["name"] for d in similar],
        "reasons": reasons,
        "cautions": local_fit.cautions(
            intervention,
            context,
            judgement=judgement,
            related_only=related_only,
            outcome_name=name_of,
            tested_in_uk=tested_in_uk,
        ),
    }


def _uk_tested(facts: evidence_facts.EvidenceFacts, intervention: dict[str, Any]) -> bool:
    """local_fit.uk_tested, which reads every finding: remembered per snapshot entry."""
    memo = facts.memo(intervention["id"])
    if "uk_tested" not in memo:
        memo["uk_tested"] = local_fit.uk_tested(intervention)
        facts.remembered()
    tested: bool = memo["uk_tested"]
    return tested


def _shown(judgement: dict[str, Any] | None, used: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deciding findings; when nothing decided (no causal design), every finding used."""
    if judgement and judgement["deciding_findings"]:
        deciding = {f["id"] for f in judgement["deciding_findings"]}
        return [f for f in used if f["id"] in deciding]
    return [f for f in used if f["direction"]]


def _finding_path(finding: dict[str, Any], name_of: Any) -> dict[str, Any]:
    study = finding["study"]
    outcomes = finding["outcomes"]
    direction = (finding["direction"] or "no direction reported").replace("_", " ").lower()
    text = (
        f"{direction.capitalize()} finding '{finding['measure']}' from {study['title']!r} "
        f"({study['design']}, {study['year']}) in {study['country'] or 'an unrecorded country'} "
        f"on {', '.join(name_of(o) for o in outcomes)}."
    )
    steps = [
        {"kind": "FINDING", "id": finding["id"], "name": finding["measure"]},
        {"kind": "STUDY", "id": study["id"], "name": study["title"]},
        {"kind": "COUNTRY", "id": None, "name": study["country"]},
    ] + [{"kind": "OUTCOME", "id": o, "name": name_of(o)} for o in outcomes]
    return {"text": text, "steps": steps}


def _above(outcome_id: str, by_id: dict[str, Any]) -> set[str]:
    """The broader outcomes an outcome is part of, up the taxonomy."""
    found: set[str] = set()
    parent = by_id[outcome_id]["parent"]
    while parent in by_id and parent not in found:
        found.add(parent)
        parent = by_id[parent]["parent"]
    return found
