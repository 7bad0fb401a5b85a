"""How widely an intervention is used or funded, set against the strength of its evidence.

The thresholds are the service's own, stated here so a reader can argue with them:
"widely used" means delivered by at least five agencies or given at least one million
(in any one currency) in recorded grants; "rarely used" means at most one delivering
agency and no recorded funding. "Well evidenced" is SUPPORTED or better on the common
scale (rigorous evidence of a sustained or replicated effect); "weakly evidenced" is
PRELIMINARY or below (no causal evidence yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from service.rules.rating_scale import CommonLevel

WIDELY_USED_MIN_AGENCIES: Final = 5
WIDELY_FUNDED_MIN_AMOUNT: Final = 1_000_000
RARELY_USED_MAX_AGENCIES: Final = 1
WELL_EVIDENCED_MIN: Final = CommonLevel.SUPPORTED
WEAKLY_EVIDENCED_MAX: Final = CommonLevel.PRELIMINARY

WIDELY_USED_WEAKLY_EVIDENCED: Final = "WIDELY_USED_WEAKLY_EVIDENCED"
WELL_EVIDENCED_RARELY_USED: Final = "WELL_EVIDENCED_RARELY_USED"
WIDELY_USED_WELL_EVIDENCED: Final = "WIDELY_USED_WELL_EVIDENCED"
IN_BETWEEN: Final = "IN_BETWEEN"


@dataclass(frozen=True)
class Usage:
    delivering_agencies: int
    funders: int
    largest_funding_total: float  # the biggest per-currency total of recorded amounts

    @property
    def widely_used(self) -> bool:
        return (
            self.delivering_agencies >= WIDELY_USED_MIN_AGENCIES
            or self.largest_funding_total >= WIDELY_FUNDED_MIN_AMOUNT
        )

    @property
    def rarely_used(self) -> bool:
        return self.delivering_agencies <= RARELY_USED_MAX_AGENCIES and self.funders == 0


def category(usage: Usage, evidence: CommonLevel) -> str:
    if usage.widely_used and evidence <= WEAKLY_EVIDENCED_MAX:
        return WIDELY_USED_WEAKLY_EVIDENCED
    if usage.rarely_used and evidence >= WELL_EVIDENCED_MIN:
        return WELL_EVIDENCED_RARELY_USED
    if usage.widely_used and evidence >= WELL_EVIDENCED_MIN:
        return WIDELY_USED_WELL_EVIDENCED
    return IN_BETWEEN
