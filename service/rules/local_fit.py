"""Local fit: which interventions suit a council's wants and circumstances, and why.

Works on the plain facts the evidence statement returns (service/plans/evidence_facts.py).
Hard limits exclude (cost above what the council can afford, ages or level of need that
do not match, not UK-tested when only UK-tested programmes are wanted); anything the
graph does not know is a caution, never a silent pass or a silent exclusion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.countries import is_uk


@dataclass(frozen=True)
class Context:
    outcome_ids: tuple[str, ...]
    min_age: int | None = None
    max_age: int | None = None
    level_of_need: str | None = None
    area_type: str | None = None
    max_cost_rating: int | None = None
    agency_sectors: tuple[str, ...] = field(default=())
    uk_tested_only: bool = False


def caution(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def uk_tested(intervention: Mapping[str, Any]) -> bool:
    """Marked UK-tested, or a completed primary study in the UK reported findings on it."""
    if intervention["ukTested"] is True:
        return True
    return any(
        is_uk(f["study"]["country"] or (f["study"].get("trial") or {}).get("country"))
        and f["study"]["status"] == "COMPLETED"
        and f["study"]["design"] not in {"EVIDENCE_REVIEW", "SYSTEMATIC_REVIEW", "META_ANALYSIS"}
        for f in intervention["findings"]
    )


def exclusions(intervention: Mapping[str, Any], context: Context) -> list[str]:
    """Why the intervention cannot be offered in this context (empty: it can)."""
    reasons = []
    cost = intervention["costRating"]
    if context.max_cost_rating is not None and cost is not None and cost > context.max_cost_rating:
        reasons.append(f"cost rating {cost} is above {context.max_cost_rating}")
    low, high = intervention["minAge"], intervention["maxAge"]
    if low is not None and context.max_age is not None and low > context.max_age:
        reasons.append(f"for children aged {low} and over")
    if high is not None and context.min_age is not None and high < context.min_age:
        reasons.append(f"for children aged up to {high}")
    need = intervention["levelOfNeed"]
    if context.level_of_need and need and need != context.level_of_need:
        reasons.append(f"designed for {need} need, not {context.level_of_need}")
    if context.uk_tested_only and not uk_tested(intervention):
        reasons.append("not tested in the UK")
    return reasons


def cautions(
    intervention: Mapping[str, Any],
    context: Context,
    *,
    judgement: Mapping[str, Any] | None,
    related_only: bool,
    outcome_name: Callable[[str], str],
    tested_in_uk: bool | None = None,
) -> list[dict[str, str]]:
    """``tested_in_uk``: uk_tested(intervention), when the caller has it already."""
    found = []
    if not (uk_tested(intervention) if tested_in_uk is None else tested_in_uk):
        found.append(caution("NOT_UK_TESTED", "No completed UK evaluation is recorded."))
    if judgement is None:
        found.append(
            caution("NO_EVALUATION", "Targets these outcomes, but no study has reported on them.")
        )
    else:
        if judgement["mixed"] or judgement["direction"] == "MIXED":
            found.append(
                caution(
                    "MIXED_EVIDENCE", "Favourable and null or harmful findings on these outcomes."
                )
            )
        if judgement["direction"] in {"NO_EFFECT", "UNFAVOURABLE"}:
            found.append(
                caution("NO_FAVOURABLE_FINDING", "No favourable finding on the outcomes asked for.")
            )
        found.extend(
            caution("EVIDENCE_NOTE", reason)
            for reason in judgement["reasons"]
            if "design rating" in reason
        )
    if related_only:
        found.append(
            caution(
                "RELATED_OUTCOME_ONLY",
                "The evidence is on related outcomes, not on the ones asked for.",
            )
        )
    for finding in intervention["findings"]:
        if finding["direction"] == "UNFAVOURABLE":
            names = ", ".join(outcome_name(o) for o in finding["outcomes"])
            found.append(
                caution(
                    "UNFAVOURABLE_FINDING",
                    f"Unfavourable finding on {names} ({finding['study']['title']}, "
                    f"{finding['study']['year']}).",
                )
            )
    found.extend(_area_cautions(intervention, context))
    if context.max_cost_rating is not None and intervention["costRating"] is None:
        found.append(caution("COST_UNKNOWN", "No cost rating is recorded."))
    if (context.min_age is not None or context.max_age is not None) and (
        intervention["minAge"] is None and intervention["maxAge"] is None
    ):
        found.append(caution("AGE_RANGE_UNKNOWN", "No age range is recorded."))
    have = set(context.agency_sectors)
    if have:
        for sector in sorted({p["sector"] for p in intervention["participants"]} - have):
            found.append(caution("MISSING_PARTNER", f"Needs a {sector} partner you did not list."))
    return found


def areas(intervention: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Area types of the councils that ran its studies, and of those that deliver it."""
    tested = {a for f in intervention["findings"] for a in f["study"]["areaTypes"]}
    used = {d["areaType"] for d in intervention["deliveries"] if d["areaType"]}
    return tested, used


def _area_cautions(intervention: Mapping[str, Any], context: Context) -> list[dict[str, str]]:
    if not context.area_type:
        return []
    tested, used = areas(intervention)
    if tested and context.area_type not in tested:
        kinds = " and ".join(sorted(t.lower() for t in tested))
        return [caution("ONLY_TESTED_ELSEWHERE", f"Only tested in {kinds} areas.")]
    if not tested and used and context.area_type not in used:
        kinds = " and ".join(sorted(t.lower() for t in used))
        return [caution("ONLY_USED_ELSEWHERE", f"Only used in {kinds} areas so far.")]
    return []
