"""The service on its own embedded store: data survives a restart and is not loaded twice."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.graph_file import read_graph_files
from service.graph_load import EXAMPLE_FILES
from tests.conftest import embedded_settings

pytestmark = pytest.mark.slow

COUNTS = """{
  interventions { totalCount }
  agencies { totalCount }
  studies { totalCount }
  outcomes { totalCount }
}"""


async def _run_once(data_dir: Path, *, write: bool = False) -> tuple[dict[str, object], int]:
    """Start the service on ``data_dir``, read the counts (then write one outcome), stop."""
    app = create_app(embedded_settings(data_dir, load_example_data=True))
    async with app.router.lifespan_context(app):
        pid = app.state.runtime.embedded.pid
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = (await client.post("/graphql", json={"query": COUNTS})).json()
            assert (await client.get("/readyz")).status_code == 200
        if write:
            await app.state.runtime.store.write_one(
                "CREATE (:Outcome {id: 'survivor', name: 'Written before the restart', domain: 'OTHER'})"
            )
    return body["data"], pid


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as stopped.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


async def test_restart_keeps_data_without_duplicating_the_example_data(tmp_path: Path) -> None:
    graph = read_graph_files(list(EXAMPLE_FILES))  # the example data and the catalogue
    first, first_pid = await _run_once(tmp_path, write=True)
    assert not _is_running(first_pid), "the embedded store stops with the service"
    expected = sum(1 for n in graph.nodes if n.label == "Intervention")
    assert first["interventions"] == {"totalCount": expected}

    second, second_pid = await _run_once(tmp_path)
    outcomes = first["outcomes"]["totalCount"]  # type: ignore[index]
    assert second == {**first, "outcomes": {"totalCount": outcomes + 1}}
    assert second_pid != first_pid
    assert not _is_running(second_pid)
    assert (tmp_path / "store" / "databases" / "evidence").is_dir()
