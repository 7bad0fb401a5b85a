"""The one judgement every view shows: level, direction and consistency, caveats, trials.

The per-outcome judgement, the gap map, the practice gap, recommendations and the
intervention's page all call ``judge_evidence`` with the plain findings the evidence
statement returns (service/plans/evidence_facts.py), and, where they show ratings, the
intervention's ratings and caveats. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.countries import is_uk
from service.rules.evidence import (
    FindingFacts,
    by_trial,
    is_harmful,
    is_primary,
    is_rigorous,
    judge,
    trial_direction,
)
from service.rules.rating_scale import RatingsSummary, scale, summarise

# A clearinghouse rating and the service's own level further apart than this on the
# common scale are flagged: one step is within what the mapping itself can blur.
_DISAGREEMENT_STEPS = 1


def facts_of(finding: Mapping[str, Any]) -> FindingFacts:
    study = finding["study"]
    trial = study.get("trial") or {}
    return FindingFacts(
        finding_id=finding["id"],
        study_id=study["id"],
        design=study["design"],
        design_rating=study["designRating"],
        status=study["status"],
        direction=finding["direction"],
        significant=finding["significant"],
        p_value=finding["pValue"],
        independent=study.get("independent"),
        follow_up_months=finding["followUpMonths"],
        country=study.get("country") or trial.get("country"),
        trial_id=trial.get("id"),
        sample_size=study.get("sampleSize") or trial.get("sampleSize"),
        attrition_percent=study.get("attritionPercent"),
        differential_attrition_percent=study.get("differentialAttritionPercent"),
        comparison=study.get("comparison"),
        study_follow_up_months=study.get("followUpMonths"),
    )


def judge_evidence(
    findings: Sequence[Mapping[str, Any]],
    *,
    ratings: Sequence[Mapping[str, Any]] = (),
    caveats: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The judgement on these findings as a plain map, with its trials and caveats.

    ``ratings`` are the intervention's clearinghouse ratings (each with its own
    ``caveats``) and ``caveats`` the ones recorded on the intervention itself; both only
    add caveats, the level comes from the findings alone.
    """
    facts = [facts_of(f) for f in findings]
    judgement = judge(facts)
    by_id = {f["id"]: f for f in findings}
    trials = _trials(facts, by_id)
    deciding_ids = set(judgement.deciding)
    deciding_trials = [t for t in trials if deciding_ids & set(t["finding_ids"])]
    consistency = _consistency(trials)
    return {
        "eif_level": judgement.eif_level,
        "eif_value": judgement.eif_value,
        "mixed": judgement.mixed,
        "title_iv_e": judgement.title_iv_e,
        "common_scale": int(judgement.common_level),
        "common_scale_label": judgement.common_label,
        "direction": judgement.direction,
        "consistency": consistency,
        "reasons": list(judgement.reasons),
        "deciding_findings": [finding_map(by_id[i]) for i in judgement.deciding],
        "deciding_trials": deciding_trials,
        "trial_count": len(trials),
        "caveats": _caveats(int(judgement.common_level), judgement.mixed, trials, ratings, caveats),
    }


def _trials(facts: list[FindingFacts], by_id: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The completed primary trials, strongest design first, then by id."""
    found = []
    for trial_id, members in by_trial(f for f in facts if is_primary(f)).items():
        first = by_id[members[0].finding_id]["study"]
        trial = first.get("trial") or {}
        appraisals = [m.appraisal for m in members]
        best = min(appraisals, key=lambda a: ["HIGH", "MODERATE", "LOW"].index(a.rating))
        follow_ups = [m.follow_up for m in members if m.follow_up is not None]
        found.append(
            {
                "id": trial_id,
                "name": trial.get("name") or first["title"],
                "design": members[0].design,
                "country": members[0].country,
                "uk": is_uk(members[0].country),
                "independent": any(m.independent for m in members),
                "rigorous": any(is_rigorous(m) for m in members),
                "design_rating": best.rating,
                "appraisal_basis": best.basis,
                "missing_attributes": list(best.missing),
                "direction": trial_direction(members),
                "harmful": any(is_harmful(m) for m in members),
                "longest_follow_up_months": max(follow_ups, default=None),
                "publication_ids": sorted({m.study_id for m in members if m.study_id}),
                "finding_ids": [m.finding_id for m in members],
            }
        )
    order = {"HIGH": 0, "MODERATE": 1, "LOW": 2}
    return sorted(found, key=lambda t: (order[t["design_rating"]], t["id"]))


def _consistency(trials: list[dict[str, Any]]) -> dict[str, Any]:
    directional = [t for t in trials if t["direction"] != "NONE"]
    counts = {
        d: sum(1 for t in directional if t["direction"] == d)
        for d in ("FAVOURABLE", "NO_EFFECT", "UNFAVOURABLE", "MIXED")
    }
    if not directional:
        label = "NO_TRIALS"
    elif len(directional) == 1:
        label = "SINGLE_TRIAL"
    elif max(counts.values()) == len(directional):
        label = "CONSISTENT"
    else:
        label = "INCONSISTENT"
    uk = [t for t in directional if t["uk"]]
    return {
        "label": label,
        "trials": len(directional),
        "rigorous_trials": sum(1 for t in directional if t["rigorous"]),
        "favourable_trials": counts["FAVOURABLE"],
        "null_trials": counts["NO_EFFECT"] + counts["MIXED"],
        "harmful_trials": counts["UNFAVOURABLE"],
        "independent_trials": sum(1 for t in directional if t["independent"]),
        "uk_trials": len(uk),
        "uk_favourable_trials": sum(1 for t in uk if t["direction"] == "FAVOURABLE"),
        "share_favourable": round(counts["FAVOURABLE"] / len(directional), 3)
        if directional
        else None,
    }


def _caveat(code: str, text: str) -> dict[str, str]:
    return {"code": code, "text": text}


def _caveats(
    level: int,
    mixed: bool,
    trials: list[dict[str, Any]],
    ratings: Sequence[Mapping[str, Any]],
    recorded: Sequence[Mapping[str, Any]],
) -> list[dict[str, str]]:
    found = []
    for trial in trials:
        if trial["harmful"]:
            found.append(
                _caveat(
                    "HARMFUL_TRIAL",
                    f"{trial['name']} ({trial['country'] or 'country not recorded'}) found harm.",
                )
            )
    nulls = [t for t in trials if t["direction"] in {"NO_EFFECT", "MIXED"}]
    for trial in nulls:
        found.append(
            _caveat(
                "NULL_TRIAL",
                f"{trial['name']} ({trial['country'] or 'country not recorded'}) found no clear effect.",
            )
        )
    if mixed:
        found.append(
            _caveat(
                "MIXED_EVIDENCE",
                "Favourable and null or harmful findings at the deciding tier (EIF '*').",
            )
        )
    uk = [t for t in trials if t["uk"]]
    for trial in uk:
        if trial["direction"] in {"NO_EFFECT", "MIXED", "UNFAVOURABLE"}:
            found.append(
                _caveat(
                    "UK_TRIAL_NOT_FAVOURABLE",
                    f"The UK trial {trial['name']} found "
                    + ("harm." if trial["direction"] == "UNFAVOURABLE" else "no clear benefit."),
                )
            )
    if uk:
        kinds = ", ".join(f"{t['name']}: {t['direction'].replace('_', ' ').lower()}" for t in uk)
        found.append(_caveat("UK_TRIALS", f"Tested in the UK in {len(uk)} trial(s) ({kinds})."))
    elif trials:
        found.append(_caveat("NOT_UK_TESTED", "No trial on this outcome was run in the UK."))
    rigorous = [t for t in trials if t["rigorous"]]
    if rigorous and not any(t["independent"] for t in rigorous):
        found.append(
            _caveat(
                "NO_INDEPENDENT_TRIAL",
                "No rigorous trial is recorded as independent of the developer.",
            )
        )
    appraised = [
        t for t in trials if t["appraisal_basis"] == "APPRAISED" and t["design"] in {"RCT", "QED"}
    ]
    if appraised:
        gaps = sorted({m for t in appraised for m in t["missing_attributes"]})
        found.append(
            _caveat(
                "APPRAISED_FROM_ATTRIBUTES",
                f"{len(appraised)} trial(s) appraised from recorded attributes, no reviewer's "
                "design rating" + (f"; not recorded: {', '.join(gaps)}." if gaps else "."),
            )
        )
    found += rating_caveats(ratings, own_level=level)
    found += [_caveat(f"RECORDED_{c['kind']}", c["text"]) for c in recorded]
    return found


def rating_caveats(
    ratings: Sequence[Mapping[str, Any]], *, own_level: int | None = None
) -> list[dict[str, str]]:
    """Caveats a reader must see beside the current ratings: recorded caveats (disputed,
    covers a variant...), EIF's mixed-evidence '*', schemes that disagree, and the
    service's own level far from the clearinghouses'."""
    summary = summarise({**r, "rated_on": r["ratedOn"]} for r in ratings)
    found = current_rating_caveats(summary)
    if own_level is not None and summary.best_by_scheme:
        best = max(summary.best_by_scheme.values())
        if abs(best - own_level) > _DISAGREEMENT_STEPS:
            found.append(
                _caveat(
                    "RATINGS_DIFFER_FROM_FINDINGS",
                    f"The best current rating is level {best} on the common scale; the "
                    f"recorded findings on this outcome support level {own_level}.",
                )
            )
    return found


def current_rating_caveats(summary: RatingsSummary) -> list[dict[str, str]]:
    """The caveats of the current ratings (each with its recorded ``caveats``), the
    mixed-evidence '*', and whether the schemes disagree."""
    found = []
    for rating in summary.current:
        name = f"{rating['scheme']} {rating['value']}"
        if scale(rating["scheme"], rating["value"]).mixed:
            found.append(
                _caveat("RATING_MIXED", f"{name}: the clearinghouse flags mixed evidence.")
            )
        for caveat in rating.get("caveats") or []:
            found.append(_caveat(f"RATING_{caveat['kind']}", f"{name}: {caveat['text']}"))
    if summary.schemes_disagree:
        levels = ", ".join(f"{s} {lvl}" for s, lvl in sorted(summary.best_by_scheme.items()))
        found.append(
            _caveat("SCHEMES_DISAGREE", f"Clearinghouses disagree (common scale: {levels}).")
        )
    return found


def finding_map(finding: Mapping[str, Any]) -> dict[str, Any]:
    study = finding["study"]
    return {
        "id": finding["id"],
        "measure": finding["measure"],
        "direction": finding["direction"],
        "significant": finding["significant"],
        "follow_up_months": finding["followUpMonths"],
        "summary": finding["summary"],
        "outcome_ids": finding["outcomes"],
        "study": {
            "id": study["id"],
            "title": study["title"],
            "year": study["year"],
            "design": study["design"],
            "design_rating": study["designRating"],
            "status": study["status"],
            "country": study["country"],
            "independent": study["independent"],
        },
    }
