"""The whole-graph views (gap map, practice gap, recommendations) serve from a snapshot
kept per graph version: after every kind of logged write they answer exactly what the
views computed afresh from the store answer, and an unchanged graph costs one statement."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from service.plans import gap_map, practice_gap, recommend
from service.rules.local_fit import Context
from service.store import Store
from tests import evidence_factories as make
from tests.conftest import GraphQL
from tests.evidence_factories import WriteApi
from tests.gap_views_data import P, gap_views_app
from tests.test_evidence_read import facts_read_both_ways

pytestmark = pytest.mark.slow

WHOLE_MAP = """{ evidenceGapMap(filter: {absoluteGaps: false}) {
  interventions { id } outcomes { id }
  cells { interventionId outcomeId status studyCount findingCount
          strongest { eifValue commonScale caveats { code } decidingFindings { id } } } } }"""


@dataclass
class Views:
    gql: GraphQL
    store: Store
    api: WriteApi
    # A second connection to the same store: its own snapshot, built afresh per check.
    fresh: Callable[[], Store]


@pytest.fixture(scope="module")
async def views(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Views]:
    async with gap_views_app(tmp_path_factory.mktemp("snapshot")) as served:
        yield Views(GraphQL(served.client, served.store), served.store, served.api, served.connect)


CONTEXT = Context(outcome_ids=(f"{P}behaviour",), area_type="RURAL", max_cost_rating=3)


async def _assert_served_as_computed_afresh(views: Views) -> None:
    served_map = (await views.gql(WHOLE_MAP))["evidenceGapMap"]
    ids = [i["id"] for i in served_map["interventions"]]
    # Rows named by id are read with a statement of their own, not from the snapshot.
    afresh_map = (
        await views.gql(
            WHOLE_MAP.replace(
                "absoluteGaps: false", "absoluteGaps: false, interventionIds: $ids"
            ).replace("{ evidenceGapMap", "query ($ids: [ID!]) { evidenceGapMap", 1),
            ids=ids,
        )
    )["evidenceGapMap"]
    assert served_map == afresh_map
    fresh = views.fresh()
    served_store = views.store
    assert await practice_gap.practice_gap(served_store) == await practice_gap.practice_gap(fresh)
    assert await recommend.recommend(served_store, context=CONTEXT) == await recommend.recommend(
        fresh, context=CONTEXT
    )
    assert await gap_map.gap_map(served_store) == await gap_map.gap_map(fresh)
    # The first snapshot's flat read and the nested statement updates use agree.
    nested, flat = await facts_read_both_ways(fresh)
    assert flat == nested


async def test_the_views_follow_every_kind_of_logged_write(views: Views) -> None:
    api = views.api
    await _assert_served_as_computed_afresh(views)
    # A new finding on an outcome the programme had no evidence on.
    await make.create_finding(
        api,
        id=f"{P}f-new",
        study=f"{P}rct-1",
        intervention=f"{P}programme",
        outcomes=[f"{P}maltreatment"],
        measure="Re-reports",
        direction="UNFAVOURABLE",
        significant=True,
    )
    await _assert_served_as_computed_afresh(views)
    cells = {
        (c["interventionId"], c["outcomeId"]): c
        for c in (await views.gql(WHOLE_MAP))["evidenceGapMap"]["cells"]
    }
    harmed = cells[(f"{P}programme", f"{P}maltreatment")]["strongest"]
    assert "HARMFUL_TRIAL" in {c["code"] for c in harmed["caveats"]}
    # A study's design changes under its findings (no finding or intervention named).
    await make.create_study(
        api,
        id=f"{P}rct-2",
        title="Trial 2",
        year=2012,
        design="QED",
        design_rating="LOW",
        country="United Kingdom",
        independent=True,
        evaluates=[f"{P}programme"],
    )
    await _assert_served_as_computed_afresh(views)
    # A rating, a variant link and a new narrower outcome in the taxonomy.
    await make.create_rating(
        api,
        id=f"{P}eif",
        scheme="EIF",
        value="4",
        rated_on="2023-01-01",
        intervention=f"{P}model",
    )
    await make.create_intervention(
        api, id=f"{P}newcomer", name="Newcomer", variant_of=f"{P}programme"
    )
    await make.create_outcome(
        api, id=f"{P}conduct", name="Conduct", domain="CHILD_BEHAVIOUR", part_of=f"{P}behaviour"
    )
    await make.create_finding(
        api,
        id=f"{P}f-conduct",
        study=f"{P}newcomer-rct",
        intervention=f"{P}newcomer",
        outcomes=[f"{P}conduct"],
        measure="Conduct",
        direction="FAVOURABLE",
    )
    await _assert_served_as_computed_afresh(views)
    # A deleted node: the graph no longer leads from it to what it was part of.
    await api.mutate(
        "delete",
        'mutation { delete(kind: FINDING, id: "gv-f-new") { errors { code field message } } }',
    )
    await _assert_served_as_computed_afresh(views)
    await api.mutate(
        "unlink",
        'mutation { unlink(type: TARGETS, fromId: "gv-newcomer", toId: "gv-behaviour") '
        "{ errors { code field message } } }",
    )
    await _assert_served_as_computed_afresh(views)


async def test_an_unchanged_graph_costs_one_statement(views: Views) -> None:
    await views.gql(WHOLE_MAP)
    for query in (WHOLE_MAP, "{ practiceGap { ranking { name } } }"):
        await views.gql(query)
        assert views.gql.statements == 1
    await make.create_finding(
        views.api,
        id=f"{P}f-late",
        study=f"{P}rct-1",
        intervention=f"{P}programme",
        outcomes=[f"{P}behaviour"],
        measure="Late",
        direction="FAVOURABLE",
    )
    served = (await views.gql(WHOLE_MAP))["evidenceGapMap"]
    assert views.gql.statements == 1, "the changes and the facts they reach come in one"
    behaviour = next(
        c
        for c in served["cells"]
        if (c["interventionId"], c["outcomeId"]) == (f"{P}programme", f"{P}behaviour")
    )
    assert behaviour["findingCount"] == 3
