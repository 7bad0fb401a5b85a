"""Clearinghouse ratings as published, mapped onto one common ordinal scale.

Each scheme words its levels differently; the common scale lines them up by what a
level requires of the evidence (see docs/evidence-rules.md for the table and the
reasoning). A value the mapping does not know maps to ``None`` rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final


class CommonLevel(IntEnum):
    """The common scale, weakest to strongest."""

    NOT_EFFECTIVE = 0  # a rigorous evaluation found no benefit, or harm
    NOT_SHOWN = 1  # assessed, but below the first threshold (or cannot be rated)
    PRELIMINARY = 2  # favourable, but no causal conclusion yet
    PROMISING = 3  # a favourable effect in at least one rigorous evaluation
    SUPPORTED = 4  # rigorous, and sustained or more than one study
    WELL_SUPPORTED = 5  # several rigorous evaluations, an effect lasting a year or more


LABELS: Final[dict[CommonLevel, str]] = {
    CommonLevel.NOT_EFFECTIVE: "Found not to be effective, or harmful",
    CommonLevel.NOT_SHOWN: "Not shown to work (below the first evidence threshold)",
    CommonLevel.PRELIMINARY: "Preliminary evidence (no causal conclusion yet)",
    CommonLevel.PROMISING: "Promising: a favourable effect in one rigorous evaluation",
    CommonLevel.SUPPORTED: "Supported: rigorous evidence, sustained or replicated in part",
    CommonLevel.WELL_SUPPORTED: "Well supported: several rigorous evaluations, lasting effects",
}

# EIF / Foundations Guidebook evidence standards:
# https://guidebook.eif.org.uk/eif-evidence-standards (levels 2, 3, 4; NL2; NE) and
# https://guidebook.eif.org.uk/guidebook-help/how-to-read-the-guidebook ("+": exceeds
# the basic threshold of its level; "*": mixed evidence). A "+" lifts 3 to SUPPORTED
# because 3+ meets part of level 4 (replication or a lasting effect); 2+ stays
# preliminary because level 2 is by definition not causal.
_EIF: Final = {
    "NE": CommonLevel.NOT_EFFECTIVE,
    "NL2": CommonLevel.NOT_SHOWN,
    "2": CommonLevel.PRELIMINARY,
    "2+": CommonLevel.PRELIMINARY,
    "3": CommonLevel.PROMISING,
    "3+": CommonLevel.SUPPORTED,
    "4": CommonLevel.WELL_SUPPORTED,
    "4+": CommonLevel.WELL_SUPPORTED,
}

# Title IV-E Prevention Services Clearinghouse, Handbook of Standards and Procedures
# v2.0, chapter 6 "Program and Service Ratings":
# https://preventionservices.acf.hhs.gov/review-process/psr
_TITLE_IV_E: Final = {
    "well-supported": CommonLevel.WELL_SUPPORTED,  # two contrasts, one sustained >= 12 months
    "supported": CommonLevel.SUPPORTED,  # one contrast sustained >= 6 months
    "promising": CommonLevel.PROMISING,  # one favourable contrast, moderate or high design
    "does not currently meet criteria": CommonLevel.NOT_SHOWN,
}

# CEBC Scientific Rating Scale (a lower number means more research support), rated per
# topic area: https://www.cebc4cw.org/ratings/scientific-rating-scale/
_CEBC: Final = {
    "1": CommonLevel.WELL_SUPPORTED,  # two RCTs, one sustained >= 1 year
    "2": CommonLevel.SUPPORTED,  # one RCT sustained >= 6 months
    "3": CommonLevel.PROMISING,  # at least one study with a control group
    "4": CommonLevel.NOT_EFFECTIVE,  # evidence fails to demonstrate effect
    "5": CommonLevel.NOT_EFFECTIVE,  # concerning practice
    "NR": CommonLevel.NOT_SHOWN,  # not able to be rated
}

# Blueprints for Healthy Youth Development certification standards:
# https://www.blueprintsprograms.org/blueprints-standards and
# https://www.blueprintsprograms.org/what-is-the-difference-between-a-promising-and-model-program/
_BLUEPRINTS: Final = {
    "model plus": CommonLevel.WELL_SUPPORTED,  # model, plus an independent replication
    "model": CommonLevel.WELL_SUPPORTED,  # two high-quality trials, sustained >= 12 months
    "promising": CommonLevel.PROMISING,  # one high-quality RCT or two QEDs
}

# What Works for Children's Social Care Evidence Store (now archived by Foundations) rates
# each intervention, per outcome, on two scales: overall effectiveness ("the consistency
# of effect across different research studies": a majority of the studies and of their
# participants) and strength of evidence ("how confident we can be about a finding, based
# on how the research was designed and carried out"):
# https://whatworks-csc.org.uk/evidence/evidence-store/our-ratings-explained/
# The Store's own code names the values it published (github.com/wearefuturegov/
# wwc-evidence, config/locales/en.yml): effect "Negative effect", "Mixed or no effect",
# "Tends to positive", "Consistently positive"; strength "Very low", "Low", "Moderate",
# "High Strength". Its summaries word them as "an overall positive effect ... based on
# high strength evidence", "no evidence of effect". A rating is recorded as published,
# "<effect>; <strength>", e.g. "Tends to positive; Moderate Strength"; a strength may also
# be given as a number on the five-point scale ("strength 3").
_WWCSC_EFFECT: Final = {
    "consistently positive": "consistent",
    "positive": "consistent",
    "positive effect": "consistent",
    "overall positive effect": "consistent",
    "favourable": "consistent",
    "tends to positive": "tends",
    "mixed": "mixed",
    "mixed effects": "mixed",
    "mixed or no effect": "mixed_or_none",
    "no effect": "none",
    "no evidence of effect": "unclear",  # absence of evidence, not evidence of absence
    "unclear": "unclear",
    "negative": "negative",
    "negative effect": "negative",
    "harmful": "negative",
}
_WWCSC_STRENGTH_WORDS: Final = {"very low": 1, "poor": 1, "low": 2, "moderate": 3, "high": 4}


# CrimeSolutions (US National Institute of Justice) program ratings, published as
# "Effective", "Promising" or "No Effects", each with its evidence base ("One study" or
# "More than one study"): https://crimesolutions.ojp.gov/about/how-we-review-and-rate-program
# "Effective" is strong evidence from rigorous designs but asks for no lasting effect, so
# it stands at most for SUPPORTED (replicated) and PROMISING from one study; "Promising"
# is "some evidence", from designs that need not support a causal conclusion.
_CRIMESOLUTIONS: Final = {
    "effective": (CommonLevel.PROMISING, CommonLevel.SUPPORTED),
    "promising": (CommonLevel.PRELIMINARY, CommonLevel.PRELIMINARY),
    "no effects": (CommonLevel.NOT_EFFECTIVE, CommonLevel.NOT_EFFECTIVE),
}

# HomVEE (Home Visiting Evidence of Effectiveness) publishes whether a model "meets HHS
# criteria for an evidence-based early childhood home visiting service delivery model":
# https://homvee.acf.hhs.gov/about-us/hhs-criteria -- favourable, significant impacts from
# a high- or moderate-quality study in two outcome domains, or from two studies with
# non-overlapping samples in one; a single-sample model also needs impacts sustained a year.
# That is rigorous evidence, replicated or sustained in part: SUPPORTED.
_HOMVEE_MEETS: Final = CommonLevel.SUPPORTED
_HOMVEE_DOES_NOT_MEET: Final = CommonLevel.NOT_SHOWN


@dataclass(frozen=True)
class ScaledRating:
    level: CommonLevel | None
    mixed: bool

    @property
    def label(self) -> str | None:
        return None if self.level is None else LABELS[self.level]


def scale(scheme: str | None, value: str | None) -> ScaledRating:
    """The common level of a rating as published, and whether it flags mixed evidence."""
    if scheme is None or value is None:
        return ScaledRating(None, False)
    text = " ".join(value.strip().split())
    if scheme == "EIF":
        return _eif(text)
    if scheme == "TITLE_IV_E":
        return ScaledRating(_TITLE_IV_E.get(text.lower()), False)
    if scheme == "CEBC":
        # Published as "1 - Well-Supported by Research Evidence" or just "1".
        token = re.split(r"[\s\u2013\u2014-]", text, maxsplit=1)[0].upper()
        return ScaledRating(_CEBC.get(token), False)
    if scheme == "BLUEPRINTS":
        return ScaledRating(_BLUEPRINTS.get(text.lower()), False)
    if scheme == "WWCSC":
        return _wwcsc(text)
    if scheme == "CRIMESOLUTIONS":
        return _crimesolutions(text)
    if scheme == "HOMVEE":
        lowered = text.lower()
        if re.search(r"\bdoes not meet\b", lowered):
            return ScaledRating(_HOMVEE_DOES_NOT_MEET, False)
        if re.search(r"\bmeets\b", lowered):
            return ScaledRating(_HOMVEE_MEETS, False)
    return ScaledRating(None, False)


def _crimesolutions(text: str) -> ScaledRating:
    """Published as "Effective - More than one study", "Promising", "No Effects"..."""
    parts = re.split(r"\s+[-\u2013\u2014:]\s+", text, maxsplit=1)
    levels = _CRIMESOLUTIONS.get(parts[0].strip().lower())
    if levels is None:
        return ScaledRating(None, False)
    several = len(parts) > 1 and "more than one" in parts[1].lower()
    return ScaledRating(levels[1] if several else levels[0], False)


def _eif(text: str) -> ScaledRating:
    mixed = text.endswith("*")
    level = _EIF.get(text.rstrip("*").strip().upper())
    return ScaledRating(level, mixed)


def _wwcsc(text: str) -> ScaledRating:
    """Effectiveness, then strength of evidence, e.g. "Tends to positive; Moderate Strength"."""
    effect_text, _, strength_text = text.lower().partition(";")
    effect = _WWCSC_EFFECT.get(" ".join(effect_text.split()))
    strength = _wwcsc_strength(strength_text)
    if effect is None or strength is None:
        return ScaledRating(None, False)
    if effect == "negative":
        # A published verdict of harm is shown as harm whatever the strength behind it.
        return ScaledRating(CommonLevel.NOT_EFFECTIVE, False)
    if effect == "none":
        # A null result counts against the practice only when the evidence is at least
        # moderate (EIF's NE needs a rigorously conducted study).
        level = CommonLevel.NOT_EFFECTIVE if strength >= 3 else CommonLevel.NOT_SHOWN
        return ScaledRating(level, False)
    if effect in {"unclear", "mixed_or_none"}:
        # The published label does not tell a null result from a mixed one.
        return ScaledRating(CommonLevel.NOT_SHOWN, False)
    if effect == "mixed":
        return ScaledRating(CommonLevel.PRELIMINARY, True)
    if effect == "tends":
        # A majority favourable, not all: promising at best, with strong evidence.
        level = CommonLevel.PROMISING if strength >= 4 else CommonLevel.PRELIMINARY
        return ScaledRating(level, False)
    # Consistently positive across several studies: replicated, though no lasting effect
    # is asked for, so SUPPORTED at most.
    by_strength = {3: CommonLevel.PROMISING, 4: CommonLevel.SUPPORTED, 5: CommonLevel.SUPPORTED}
    return ScaledRating(by_strength.get(strength, CommonLevel.PRELIMINARY), False)


def _wwcsc_strength(text: str) -> int | None:
    """0 when no strength is given, 1-5 for a word or number, None when unreadable."""
    words = " ".join(text.replace("evidence", " ").split())
    if not words:
        return 0
    if number := re.fullmatch(r"(?:strength\s*)?([1-5])", words):
        return int(number[1])
    words = re.sub(r"\s*strength\s*", " ", words).strip()
    return _WWCSC_STRENGTH_WORDS.get(words)


def label_of(level: int | None) -> str | None:
    return None if level is None else LABELS[CommonLevel(level)]


@dataclass(frozen=True)
class RatingsSummary:
    current: list[dict[str, Any]]
    history: list[dict[str, Any]]
    schemes_disagree: bool
    best_by_scheme: dict[str, int]


def summarise(ratings: Iterable[Mapping[str, Any]]) -> RatingsSummary:
    """Split ratings into the current one per scheme and topic, and the history.

    Ratings carry ``scheme``, ``value``, ``topic`` and ``rated_on``. Schemes disagree
    when their best current levels lie more than one step apart on the common scale:
    one step is within what the mapping itself can blur (a scheme's "Promising" and
    another's "3+" say nearly the same thing), two steps are not.
    """
    newest_first = sorted(ratings, key=lambda r: (r["rated_on"], r.get("id") or ""), reverse=True)
    current: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    schemes_seen: set[str] = set()
    for rating in newest_first:
        topic = (rating.get("topic") or "").strip().lower()
        # A rating with no topic speaks for the whole programme, so any newer rating
        # from the same scheme supersedes it; a topic's rating is superseded only by a
        # newer one on the same topic (CEBC rates per topic area).
        superseded = (rating["scheme"], topic) in seen or (
            not topic and rating["scheme"] in schemes_seen
        )
        (history if superseded else current).append(dict(rating))
        seen.add((rating["scheme"], topic))
        schemes_seen.add(rating["scheme"])
    best: dict[str, int] = {}
    for rating in current:
        level = scale(rating["scheme"], rating["value"]).level
        if level is not None:
            best[rating["scheme"]] = max(best.get(rating["scheme"], -1), int(level))
    levels = list(best.values())
    disagree = len(levels) > 1 and max(levels) - min(levels) > 1
    return RatingsSummary(current, history, disagree, best)
