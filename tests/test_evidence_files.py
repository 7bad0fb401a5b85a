"""The whole-graph evidence snapshot is warmed after start-up and kept in a file per graph
version: a process that loads the file answers every whole-graph view exactly as one
that read the store and judged afresh, before and after later writes, also from the
file of an older version, and a file written from another graph is never used."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.app import create_app
from service.plans import (
    evidence_files,
    evidence_index,
    evidence_warmup,
    gap_map,
    practice_gap,
    recommend,
)
from service.rules.local_fit import Context
from service.store import Store
from tests import evidence_factories as make
from tests.conftest import GraphQL, settings_for
from tests.gap_views_data import GapViewsApp, P, gap_views_app

pytestmark = pytest.mark.slow

CONTEXT = Context(outcome_ids=(f"{P}behaviour",), area_type="RURAL", max_cost_rating=3)
WHOLE_MAP = """{ evidenceGapMap(filter: {absoluteGaps: false}) {
  cells { interventionId outcomeId status studyCount findingCount
          strongest { eifValue commonScale caveats { code } decidingFindings { id } } } } }"""


@dataclass
class Graph:
    served: GapViewsApp
    data_dir: Path

    def store(self, snapshots: Path | None) -> Store:
        """A new connection, so a snapshot of its own; kept in ``snapshots``' files."""
        store = self.served.connect()
        store.evidence_snapshots = snapshots
        return store


@pytest.fixture(scope="module")
async def graph(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Graph]:
    data_dir = tmp_path_factory.mktemp("snapshot-files")
    async with gap_views_app(data_dir) as served:
        yield Graph(served, data_dir)


async def _views(store: Store) -> str:
    """Every whole-graph view of ``store`` as text: equal texts, equal answers."""
    found: dict[str, Any] = {
        "map": await gap_map.gap_map(store, absolute_gaps=False),
        "full_map": await gap_map.gap_map(store),
        "practice": await practice_gap.practice_gap(store),
        "recommend": await recommend.recommend(store, context=CONTEXT),
    }
    return json.dumps(found, default=repr)  # dates as datetime.date(...): type and value


async def _new_finding(
    graph: Graph, suffix: str, *, outcome: str = "maltreatment", direction: str = "UNFAVOURABLE"
) -> None:
    await make.create_finding(
        graph.served.api,
        id=f"{P}f-{suffix}",
        study=f"{P}rct-1",
        intervention=f"{P}programme",
        outcomes=[f"{P}{outcome}"],
        measure=f"Measure {suffix}",
        direction=direction,
        significant=True,
    )


async def test_a_process_that_loads_the_file_answers_as_one_that_read_the_store(
    graph: Graph, tmp_path: Path
) -> None:
    warmed = graph.store(tmp_path)
    snapshot = await evidence_warmup.warm_up(warmed)
    written = evidence_files.path_of(tmp_path, warmed.database, snapshot.version)
    assert written.exists()

    loading = graph.store(tmp_path)
    before = loading.statements_run
    loaded = await evidence_index.current(loading)
    assert loading.statements_run - before == 1, "the version, then the file"
    assert loaded.version == snapshot.version
    assert await _views(loading) == await _views(graph.store(None))

    await _new_finding(graph, "after-load")
    assert await _views(loading) == await _views(graph.store(None))


async def test_a_file_of_an_older_version_is_brought_up_to_date_from_the_change_log(
    graph: Graph, tmp_path: Path
) -> None:
    older = await evidence_warmup.warm_up(graph.store(tmp_path))
    await _new_finding(graph, "since-the-file")

    catching_up = graph.store(tmp_path)
    before = catching_up.statements_run
    snapshot = await evidence_index.current(catching_up)
    assert snapshot.version > older.version
    assert catching_up.statements_run - before == 2, "the version, then the changes since"
    assert await _views(catching_up) == await _views(graph.store(None))


async def test_a_file_from_another_graph_at_the_same_version_is_not_used(
    graph: Graph, tmp_path: Path
) -> None:
    store = graph.store(None)
    version = (await evidence_index.current(store)).version
    reference = await _views(store)
    evidence_files.save(
        tmp_path,
        store.database,
        version,
        last_change="a change this graph never had",
        outcomes=[],
        entries={},
    )
    assert evidence_files.path_of(tmp_path, store.database, version).exists()

    elsewhere = graph.store(tmp_path)
    before = elsewhere.statements_run
    assert await _views(elsewhere) == reference
    assert elsewhere.statements_run - before > 5, "read from the store, not the file"


async def test_a_file_that_cannot_be_read_is_ignored(graph: Graph, tmp_path: Path) -> None:
    store = graph.store(None)
    version = (await evidence_index.current(store)).version
    evidence_files.path_of(tmp_path, store.database, version).write_bytes(b"not marshal")
    assert await _views(graph.store(tmp_path)) == await _views(store)


async def test_warm_ups_on_one_data_dir_take_turns_and_the_later_one_loads_the_file(
    graph: Graph, tmp_path: Path
) -> None:
    await _new_finding(graph, "turns")
    first, second = graph.store(tmp_path), graph.store(tmp_path)
    await asyncio.gather(evidence_warmup.warm_up(first), evidence_warmup.warm_up(second))
    statements = sorted([first.statements_run, second.statements_run])
    # The file's reader: the version, the file, and the practice gap's check for changes.
    assert statements[0] == 2
    # The other read the store: the whole graph's facts in a few statements, then the same.
    assert statements[1] >= 5
    assert len(list(tmp_path.glob("*.marshal"))) == 1
    assert await _views(first) == await _views(second) == await _views(graph.store(None))


async def test_a_newer_version_replaces_the_older_file(graph: Graph, tmp_path: Path) -> None:
    store = graph.store(tmp_path)
    older = (await evidence_warmup.warm_up(store)).version
    await _new_finding(graph, "newer")
    newer = (await evidence_warmup.warm_up(store)).version
    assert newer > older
    files = list(tmp_path.glob("*.marshal"))
    assert files == [evidence_files.path_of(tmp_path, store.database, newer)]


async def test_the_service_warms_the_views_after_start_up(graph: Graph) -> None:
    settings = settings_for(
        graph.served.embedded,
        load_example_data=False,
        evidence_warmup=True,
        evidence_snapshot_files=True,
        data_dir=graph.data_dir,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/readyz")).status_code == 200
            runtime = app.state.runtime
            assert runtime.evidence_warmup is not None
            await asyncio.wait_for(asyncio.shield(runtime.evidence_warmup), timeout=60)
            gql = GraphQL(client, runtime.store)
            served = await gql(WHOLE_MAP)
            assert gql.statements == 1, "served from the warmed snapshot"
    assert list((graph.data_dir / evidence_files.FOLDER).glob("*.marshal"))
    afresh = await gap_map.gap_map(graph.store(None), absolute_gaps=False)
    assert [(c["interventionId"], c["status"]) for c in served["evidenceGapMap"]["cells"]] == [
        (c["intervention_id"], c["status"]) for c in afresh["cells"]
    ]


# The benchmark's sparse map: cells on the compiled path, their counts shared per row.
COMPILED_MAP = """{ evidenceGapMap(filter: {absoluteGaps: false}) {
  cells { interventionId outcomeId status studyCount findingCount
          findingsByDirection { direction count } studiesByDesign { design count } } } }"""


def _service_settings(graph: Graph, data_dir: Path) -> Any:
    return settings_for(
        graph.served.embedded,
        load_example_data=False,
        evidence_warmup=True,
        evidence_snapshot_files=True,
        data_dir=data_dir,
    )


def _loaded(store: Store) -> evidence_index.Snapshot | None:
    return evidence_index._state_of(store).snapshot


async def test_a_present_file_is_loaded_before_the_service_listens(
    graph: Graph, tmp_path: Path
) -> None:
    written = await evidence_warmup.warm_up(graph.store(tmp_path / evidence_files.FOLDER))
    app = create_app(_service_settings(graph, tmp_path))
    async with app.router.lifespan_context(app):
        # Nothing awaited since start-up: the warm-up (a second later) has not begun.
        loaded = _loaded(app.state.runtime.store)
        assert loaded is not None and loaded.version == written.version
        assert loaded.last_change == written.last_change
        practice_row = loaded.memo(loaded.interventions[0]["id"])
        assert evidence_index.PRACTICE_GAP_ROW in practice_row, "kept in the file"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            assert (await client.get("/readyz")).status_code == 200
            served = await GraphQL(client, app.state.runtime.store)(COMPILED_MAP)
            assert _loaded(app.state.runtime.store) is loaded, "no other snapshot built"
    afresh = await gap_map.gap_map(graph.store(None), absolute_gaps=False)
    assert _keys(served) == [(c["intervention_id"], c["outcome_id"]) for c in afresh["cells"]]


async def test_without_a_file_start_up_builds_nothing(graph: Graph, tmp_path: Path) -> None:
    app = create_app(_service_settings(graph, tmp_path))
    async with app.router.lifespan_context(app):
        assert _loaded(app.state.runtime.store) is None, "left to the warm-up"


async def test_a_file_from_another_graph_or_other_rules_is_not_loaded_at_start_up(
    graph: Graph, tmp_path: Path
) -> None:
    store = graph.store(None)
    version = (await evidence_index.current(store)).version
    folder = tmp_path / evidence_files.FOLDER
    evidence_files.save(
        folder, store.database, version, last_change="another graph's", outcomes=[], entries={}
    )
    app = create_app(_service_settings(graph, tmp_path))
    async with app.router.lifespan_context(app):
        assert _loaded(app.state.runtime.store) is None

    # A file this graph's warm-up wrote, but under the name rules of other code give it.
    for found in folder.glob("*.marshal"):
        found.unlink()
    await evidence_warmup.warm_up(graph.store(folder))
    [written] = folder.glob("*.marshal")
    written.rename(written.with_name(written.name.replace(evidence_files.rules_hash(), "0" * 16)))
    app = create_app(_service_settings(graph, tmp_path))
    async with app.router.lifespan_context(app):
        assert _loaded(app.state.runtime.store) is None


async def test_shaped_cells_are_not_served_for_a_newer_graph_version(graph: Graph) -> None:
    app = create_app(settings_for(graph.served.embedded, load_example_data=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            gql = GraphQL(client, app.state.runtime.store)
            first = await gql(COMPILED_MAP)
            assert await gql(COMPILED_MAP) == first, "the same, from the rows kept shaped"
            # A finding on a new outcome of the programme: its row gains a cell.
            await _new_finding(graph, "shaped", outcome="behaviour", direction="FAVOURABLE")
            after = await gql(COMPILED_MAP)
    assert after != first
    afresh = await gap_map.gap_map(graph.store(None), absolute_gaps=False)
    assert _keys(after) == [(c["intervention_id"], c["outcome_id"]) for c in afresh["cells"]]
    assert [(c["findingCount"], c["studyCount"]) for c in after["evidenceGapMap"]["cells"]] == [
        (c["finding_count"], c["study_count"]) for c in afresh["cells"]
    ]


def _keys(served: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["interventionId"], c["outcomeId"]) for c in served["evidenceGapMap"]["cells"]]
