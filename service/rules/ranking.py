"""The score ``recommend`` orders by, in parts a reader can check and argue with.

Every part is a number of points with the reason it was given (docs/evidence-rules.md,
"Ranking"). The order is:

1. harm first: a programme with a harmful trial on the outcomes asked for never ranks
   above one without (whatever else it scores);
2. then the total score, highest first;
3. then, for equal totals, the evidence itself: more trials, more rigorous trials,
   more favourable trials. Programmes equal on all of these share a rank: a name
   never decides an order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from service.rules.rating_scale import CommonLevel, scale, summarise

# Strength: the level on the common scale dominates (5 points a step); each rigorous
# trial adds, up to three; an independent replication adds more.
POINTS_PER_LEVEL: Final = 5
POINTS_PER_RIGOROUS_TRIAL: Final = 3
MAX_COUNTED_TRIALS: Final = 3
INDEPENDENT_REPLICATION: Final = 3
HIGH_DESIGN: Final = 2
RELATED_ONLY: Final = -10
# Direction and consistency.
CONSISTENT_FAVOURABLE: Final = 12
SINGLE_FAVOURABLE: Final = 8
NULL_ONLY: Final = -10
# Harm: shown as points too, though the order puts harm first regardless.
HARMFUL_TRIAL: Final = -25
# Ratings: the best current clearinghouse level around PRELIMINARY; disagreement costs.
POINTS_PER_RATING_LEVEL: Final = 3
SCHEMES_DISAGREE: Final = -3
RATING_FLAGGED: Final = -2  # disputed, or EIF's mixed-evidence asterisk
# UK testing.
UK_FAVOURABLE_TRIAL: Final = 6
UK_TESTED: Final = 3
# Fit to the context asked about.
AGE_MATCH: Final = 4
AGE_UNKNOWN: Final = -6  # below any known match: an unknown age is never a better fit
NEED_MATCH: Final = 2
AREA_TESTED_OR_USED: Final = 2
AREA_ONLY_ELSEWHERE: Final = -2
COST_WITHIN: Final = 1
COST_UNKNOWN: Final = -1
MISSING_PARTNER: Final = -2


@dataclass(frozen=True)
class Part:
    name: str  # STRENGTH, DIRECTION, HARM, RATINGS, UK, FIT
    points: int
    reasons: tuple[str, ...]


def _part(name: str, items: list[tuple[int, str]]) -> Part:
    return Part(
        name, sum(points for points, _ in items), tuple(f"{p:+d}: {why}" for p, why in items)
    )


def strength(judgement: Mapping[str, Any] | None, *, related_only: bool) -> Part:
    if judgement is None:
        return _part("STRENGTH", [(0, "no study has reported on these outcomes")])
    consistency = judgement["consistency"]
    level = judgement["common_scale"]
    items = [
        (
            level * POINTS_PER_LEVEL,
            f"common-scale level {level} ({judgement['common_scale_label']})",
        )
    ]
    rigorous = min(consistency["rigorous_trials"], MAX_COUNTED_TRIALS)
    if rigorous:
        items.append(
            (
                rigorous * POINTS_PER_RIGOROUS_TRIAL,
                f"{consistency['rigorous_trials']} rigorous trial(s)",
            )
        )
    favourable_rigorous = [
        t for t in judgement["deciding_trials"] if t["rigorous"] and t["direction"] == "FAVOURABLE"
    ]
    if len(favourable_rigorous) >= 2 and any(t["independent"] for t in favourable_rigorous):
        items.append((INDEPENDENT_REPLICATION, "replicated, at least once independently"))
    if any(t["design_rating"] == "HIGH" for t in favourable_rigorous):
        items.append((HIGH_DESIGN, "a favourable trial rated HIGH on design"))
    if related_only:
        items.append((RELATED_ONLY, "evidence on related outcomes only"))
    return _part("STRENGTH", items)


def direction(judgement: Mapping[str, Any] | None) -> Part:
    if judgement is None:
        return _part("DIRECTION", [(0, "no direction recorded")])
    c = judgement["consistency"]
    if c["trials"] == 0:
        return _part("DIRECTION", [(0, "no trial with a direction")])
    if c["favourable_trials"] == c["trials"]:
        if c["trials"] == 1:
            return _part("DIRECTION", [(SINGLE_FAVOURABLE, "one trial, favourable")])
        return _part("DIRECTION", [(CONSISTENT_FAVOURABLE, f"all {c['trials']} trials favourable")])
    if c["favourable_trials"] == 0:
        return _part("DIRECTION", [(NULL_ONLY, "no trial found a benefit")])
    share = c["favourable_trials"] / c["trials"]
    points = round(CONSISTENT_FAVOURABLE * share) + NULL_ONLY // 2
    return _part(
        "DIRECTION",
        [(points, f"{c['favourable_trials']} of {c['trials']} trials favourable (inconsistent)")],
    )


def harm(judgement: Mapping[str, Any] | None) -> Part:
    harmful = [t for t in (judgement or {}).get("deciding_trials", []) if t["harmful"]]
    if not harmful:
        return _part("HARM", [(0, "no harmful trial on these outcomes")])
    return _part("HARM", [(HARMFUL_TRIAL, f"harmful trial: {t['name']}") for t in harmful])


def ratings(
    recorded: list[Mapping[str, Any]], *, covered_outcomes: frozenset[str] | None = None
) -> Part:
    """Points for the current ratings. With ``covered_outcomes`` (the outcomes asked for,
    the narrower ones and the broader ones above them), a rating scoped to outcomes
    (``SCOPED_TO``) counts only when one of them is among those: the WWCSC Evidence Store
    and CEBC rate per outcome or topic, and a verdict on reunification says nothing of
    entry to care. A rating without a scope speaks for the whole programme."""
    elsewhere = [
        r
        for r in recorded
        if covered_outcomes is not None
        and r.get("outcomes")
        and not set(r["outcomes"]) & covered_outcomes
    ]
    recorded = [r for r in recorded if r not in elsewhere]
    not_counted = [
        (0, f"not counted: {r['scheme']} {r['value']!r} is scoped to other outcomes")
        for r in elsewhere
    ]
    summary = summarise({**r, "rated_on": r["ratedOn"]} for r in recorded)
    if not summary.best_by_scheme:
        return _part(
            "RATINGS",
            [(0, "no current clearinghouse rating on the common scale"), *not_counted],
        )
    levels = summary.best_by_scheme
    if summary.schemes_disagree:
        # Disagreeing schemes count at their average, not the most generous one.
        level = sum(levels.values()) / len(levels)
        basis = "average of disagreeing schemes"
    else:
        level = max(levels.values())
        basis = "best current rating"
    items = [
        (
            round((level - CommonLevel.PRELIMINARY) * POINTS_PER_RATING_LEVEL),
            f"{basis}: " + ", ".join(_shown(r) for r in summary.current if _level(r) is not None),
        )
    ]
    if summary.schemes_disagree:
        items.append((SCHEMES_DISAGREE, "clearinghouses disagree"))
    for rating in summary.current:
        flagged = [
            c for c in rating.get("caveats") or [] if c["kind"] in {"DISPUTED", "MIXED_FINDINGS"}
        ]
        if flagged or str(rating["value"]).strip().endswith("*"):
            items.append(
                (
                    RATING_FLAGGED,
                    f"{rating['scheme']} {rating['value']} is flagged (disputed or mixed)",
                )
            )
    return _part("RATINGS", items + not_counted)


def uk(judgement: Mapping[str, Any] | None, *, uk_tested: bool) -> Part:
    if judgement and judgement["consistency"]["uk_favourable_trials"]:
        return _part("UK", [(UK_FAVOURABLE_TRIAL, "a UK trial on these outcomes was favourable")])
    if uk_tested:
        return _part("UK", [(UK_TESTED, "tested in the UK")])
    return _part("UK", [(0, "not tested in the UK")])


def fit(items: list[tuple[int, str]]) -> Part:
    return _part("FIT", items or [(0, "nothing asked about fit")])


def fit_items(
    intervention: Mapping[str, Any], context: Any, *, tested_areas: set[str], used_areas: set[str]
) -> list[tuple[int, str]]:
    """Points for fit to the context; hard mismatches were excluded before scoring."""
    items: list[tuple[int, str]] = []
    if context.min_age is not None or context.max_age is not None:
        if intervention["minAge"] is None and intervention["maxAge"] is None:
            items.append((AGE_UNKNOWN, "no age range recorded"))
        else:
            items.append(
                (
                    AGE_MATCH,
                    f"ages {_age(intervention['minAge'])} to {_age(intervention['maxAge'])} "
                    "overlap the ages asked",
                )
            )
    if context.level_of_need and intervention["levelOfNeed"] == context.level_of_need:
        items.append((NEED_MATCH, f"designed for {context.level_of_need} need"))
    if context.area_type:
        if context.area_type in tested_areas | used_areas:
            items.append(
                (AREA_TESTED_OR_USED, f"tested or used in {context.area_type.lower()} areas")
            )
        elif tested_areas or used_areas:
            items.append(
                (
                    AREA_ONLY_ELSEWHERE,
                    f"only tested or used in other areas than {context.area_type.lower()}",
                )
            )
    if context.max_cost_rating is not None:
        if intervention["costRating"] is None:
            items.append((COST_UNKNOWN, "no cost rating recorded"))
        else:
            items.append(
                (
                    COST_WITHIN,
                    f"cost rating {intervention['costRating']} within {context.max_cost_rating}",
                )
            )
    have = set(context.agency_sectors)
    if have:
        for sector in sorted({p["sector"] for p in intervention["participants"]} - have):
            items.append((MISSING_PARTNER, f"needs a {sector} partner not listed"))
    return items


def _level(rating: Mapping[str, Any]) -> CommonLevel | None:
    return scale(rating["scheme"], rating["value"]).level


def _shown(rating: Mapping[str, Any]) -> str:
    return f"{rating['scheme']} {rating['value']!r} (common level {int(_level(rating) or 0)})"


def _age(value: int | None) -> str:
    return "?" if value is None else str(value)


def order_key(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    """Harm first, then the score, then the evidence; never the name."""
    evidence = entry["evidence_tiebreak"]
    return (entry["has_harmful_trial"], -entry["score"]["total"], *(-n for n in evidence))


def tiebreak(judgement: Mapping[str, Any] | None) -> tuple[int, int, int]:
    if judgement is None:
        return (0, 0, 0)
    c = judgement["consistency"]
    return (c["rigorous_trials"], c["favourable_trials"], c["trials"])
