"""Root fields for what works and the gap. Each runs one Cypher statement; the evidence
rules are applied in Python over its rows (service/rules/)."""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.enums import InterventionKind
from schema.errors import expected_errors
from schema.evidence_types import EvidenceGapMap, GapMapCell, GapMapFilter, PracticeGap
from schema.fit_types import (
    Arrangement,
    CoParticipation,
    InterventionEvidence,
    InterventionRatings,
    LocalContext,
    Recommendations,
)
from schema.selection import selection_of
from service.plans import (
    evidence_facts,
    gap_map,
    intervention_evidence,
    multi_agency,
    practice_gap,
    ratings_overview,
)
from service.plans import recommend as recommend_plan
from service.rules.local_fit import Context as FitContext

ContextInfo = Info[Context, None]


def _values(items: list[Any] | None) -> list[Any] | None:
    return None if items is None else [getattr(item, "value", item) for item in items]


# The whole-graph views' answers as plain maps, for their resolvers and for the
# compiled path (schema/compiled_views.py), which shapes them without graphql-core.


async def gap_map_value(
    context: Context, *, filter: GapMapFilter | None, shape_cell: Any = None
) -> dict[str, Any]:
    """evidenceGapMap's map; with ``shape_cell``, its cells come shaped (gap_map.gap_map)."""
    chosen = filter or GapMapFilter()
    return await gap_map.gap_map(
        context.store,
        intervention_ids=_values(chosen.intervention_ids),
        intervention_kinds=_values(chosen.intervention_kinds),
        outcome_domains=_values(chosen.outcome_domains),
        outcome_ids=_values(chosen.outcome_ids),
        absolute_gaps=chosen.absolute_gaps,
        shape_cell=shape_cell,
    )


async def practice_gap_value(
    context: Context,
    *,
    intervention_ids: list[strawberry.ID] | None = None,
    intervention_kinds: list[InterventionKind] | None = None,
) -> dict[str, Any]:
    return await practice_gap.practice_gap(
        context.store,
        intervention_ids=_values(intervention_ids),
        intervention_kinds=_values(intervention_kinds),
    )


async def recommend_value(context: Context, *, local: LocalContext) -> dict[str, Any]:
    fit = FitContext(
        outcome_ids=tuple(local.outcome_ids),
        min_age=local.min_age,
        max_age=local.max_age,
        level_of_need=_value(local.level_of_need),
        area_type=_value(local.area_type),
        max_cost_rating=local.max_cost_rating,
        agency_sectors=tuple(_values(local.agency_sectors) or ()),
        uk_tested_only=local.uk_tested_only,
    )
    return await recommend_plan.recommend(context.store, context=fit)


@strawberry.type
class EvidenceQuery:
    """Evidence judgements, the gap map, the practice gap, local fit, arrangements."""

    @strawberry.field(
        description="Interventions by outcomes: per cell, studies by design, findings by "
        "direction, the strongest evidence and whether it is a gap."
    )
    async def evidence_gap_map(
        self, info: ContextInfo, filter: GapMapFilter | None = None
    ) -> EvidenceGapMap:
        with expected_errors():
            result = await gap_map_value(info.context, filter=filter)
        return cast(EvidenceGapMap, result)

    @strawberry.field(
        description="The judgement for one intervention on one outcome (and narrower "
        "outcomes), with the findings that decided it. Null for an unknown id."
    )
    async def evidence_judgement(
        self, info: ContextInfo, intervention_id: strawberry.ID, outcome_id: strawberry.ID
    ) -> GapMapCell | None:
        with expected_errors():
            facts = await evidence_facts.fetch(
                info.context.store, intervention_ids=[intervention_id], outcome_ids=[outcome_id]
            )
        if not facts.interventions or not facts.outcomes:
            return None
        return cast(GapMapCell, gap_map.cell(facts.interventions[0], facts.outcomes[0]))

    @strawberry.field(
        description="An intervention's page: headline evidence with its caveats, rating "
        "caveats, and the judgement on each outcome it reported on or targets. Null for an "
        "unknown id."
    )
    async def intervention_evidence(
        self, info: ContextInfo, intervention_id: strawberry.ID
    ) -> InterventionEvidence | None:
        with expected_errors():
            result = await intervention_evidence.intervention_evidence(
                info.context.store, intervention_id=intervention_id
            )
        return cast(InterventionEvidence | None, result)

    @strawberry.field(
        description="Interventions by how widely used or funded, against their evidence: "
        "widely used but weakly evidenced, and well evidenced but rarely used."
    )
    async def practice_gap(
        self,
        info: ContextInfo,
        intervention_ids: list[strawberry.ID] | None = None,
        intervention_kinds: list[InterventionKind] | None = None,
    ) -> PracticeGap:
        with expected_errors():
            result = await practice_gap_value(
                info.context,
                intervention_ids=intervention_ids,
                intervention_kinds=intervention_kinds,
            )
        return cast(PracticeGap, result)

    @strawberry.field(
        description="A ranked list for a council, each with reasons as paths through the "
        "graph and cautions."
    )
    async def recommend(self, info: ContextInfo, context: LocalContext) -> Recommendations:
        with expected_errors():
            result = await recommend_value(info.context, local=context)
        return cast(Recommendations, result)

    @strawberry.field(
        description="A multi-agency arrangement: its agencies and roles, the outcomes it "
        "targets or was evaluated on, and the evidence. Null for an unknown id."
    )
    async def arrangement(
        self, info: ContextInfo, intervention_id: strawberry.ID
    ) -> Arrangement | None:
        with expected_errors():
            result = await multi_agency.arrangement(
                info.context.store, intervention_id=intervention_id
            )
        return cast(Arrangement | None, result)

    @strawberry.field(
        description="Agency pairs that take part in arrangements together, weighted by how "
        "many they share."
    )
    async def co_participation(
        self,
        info: ContextInfo,
        min_weight: int = 1,
        intervention_kinds: list[InterventionKind] | None = None,
    ) -> list[CoParticipation]:
        with expected_errors():
            result = await multi_agency.co_participation(
                info.context.store,
                min_weight=min_weight,
                intervention_kinds=_values(intervention_kinds),
            )
        return cast(list[CoParticipation], result)

    @strawberry.field(
        description="Every clearinghouse rating of an intervention: current per scheme and "
        "topic, history, and whether schemes disagree. Null for an unknown id."
    )
    async def intervention_ratings(
        self, info: ContextInfo, intervention_id: strawberry.ID
    ) -> InterventionRatings | None:
        with expected_errors():
            result = await ratings_overview.ratings_overview(
                info.context.store, intervention_id=intervention_id, selection=selection_of(info)
            )
        return cast(InterventionRatings | None, result)


def _value(item: Any) -> Any:
    return getattr(item, "value", item)
