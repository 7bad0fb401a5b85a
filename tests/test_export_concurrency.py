"""A GraphML, GEXF or CSV export does not stall other requests: the graph and the document
(the CSV archive's batches) are built in worker threads, so the event loop keeps
answering while they are.

Shown without timing anything: the test records the thread that runs every step of the
building, and holds the first step of writing the document in its worker thread until a
small GraphQL request sent meanwhile has answered. Built on the event loop, the hold could
not be released (the test would wait forever), so the wrapper lets it pass there and the
recorded threads and order fail the test instead. How long exports stall the loop on a
large graph is measured by the benchmark (`bench/exports.py`).
"""

from __future__ import annotations

import asyncio
import io
import threading
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import networkx as nx
import pytest

from service.exports import graph_files, neo4j_import

SMALL_QUERY = '{ intervention(id: "mash") { name } }'
# Long enough for any worker to reach the hold on a busy machine; only a broken test waits
# this long (the test releases the hold as soon as the small request has answered).
_HOLD_LIMIT_SECONDS = 60


class BuildingRecorder:
    """Wraps the export's building steps: notes the thread each one runs on, and holds the
    first line of the document until ``release`` is set (never on the loop's own thread,
    where holding would deadlock)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.loop_thread = threading.get_ident()
        self.threads: dict[str, set[int]] = {"nodes": set(), "edges": set(), "document": set()}
        self.events: list[str] = []
        self.holding = asyncio.Event()
        self.release = threading.Event()

    def step(self, kind: str, function: Callable[..., None]) -> Callable[..., None]:
        def recorded(*args: Any, **kwargs: Any) -> None:
            self.threads[kind].add(threading.get_ident())
            function(*args, **kwargs)

        return recorded

    def chunks(
        self, original: Callable[[Iterator[str]], Iterator[bytes]]
    ) -> Callable[[Iterator[str]], Iterator[bytes]]:
        return lambda lines: original(self._document(lines))

    def _document(self, lines: Iterator[str]) -> Iterator[str]:
        """The document's lines; networkx writes each while this asks for it."""
        first = True
        while True:
            self.threads["document"].add(threading.get_ident())
            line = next(lines, None)
            if line is None:
                break
            if first:
                first = False
                self.events.append("document started")
                self.loop.call_soon_threadsafe(self.holding.set)
                if threading.get_ident() != self.loop_thread:
                    self.release.wait(_HOLD_LIMIT_SECONDS)
            yield line
        self.events.append("document built")


@pytest.mark.parametrize("export_format", ["graphml", "gexf"])
async def test_a_small_query_answers_while_an_export_is_built(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, export_format: str
) -> None:
    expected = (await client.post("/graphql", json={"query": SMALL_QUERY})).json()
    assert expected["data"]["intervention"]["name"], expected
    recorder = BuildingRecorder(asyncio.get_running_loop())
    monkeypatch.setattr(graph_files, "_add_nodes", recorder.step("nodes", graph_files._add_nodes))
    monkeypatch.setattr(graph_files, "_add_edges", recorder.step("edges", graph_files._add_edges))
    monkeypatch.setattr(graph_files, "_chunks", recorder.chunks(graph_files._chunks))

    export = asyncio.create_task(client.get(f"/v1/exports/{export_format}"))
    try:
        holding = asyncio.create_task(recorder.holding.wait())
        await asyncio.wait([holding, export], return_when=asyncio.FIRST_COMPLETED)
        holding.cancel()
        assert recorder.events == ["document started"], "the export reached its document"
        answer = (await client.post("/graphql", json={"query": SMALL_QUERY})).json()
        recorder.events.append("small query answered")
        assert answer == expected
    finally:
        recorder.release.set()
        exported = await export

    assert exported.status_code == 200
    read = nx.read_graphml if export_format == "graphml" else nx.read_gexf
    assert "Intervention:mash" in read(io.BytesIO(exported.content)), "the export is whole"
    # The small query answered while the document was held half-written in its thread.
    assert recorder.events == ["document started", "small query answered", "document built"]
    for kind, threads in recorder.threads.items():
        assert threads, f"no {kind} were built"
        assert recorder.loop_thread not in threads, f"{kind} built on the event loop"


async def test_the_neo4j_import_zip_is_written_off_the_event_loop(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch of the CSV archive is formatted and compressed in a worker thread."""
    loop_thread = threading.get_ident()
    threads: dict[str, set[int]] = {}
    write = neo4j_import._Entries.write

    def recorded(entries: Any, name: str, header: list[str], rows: Any) -> None:
        threads.setdefault(name, set()).add(threading.get_ident())
        write(entries, name, header, rows)

    monkeypatch.setattr(neo4j_import._Entries, "write", recorded)
    exported = await client.get("/v1/exports/csv")
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        names = set(archive.namelist())
        assert "mash" in archive.read("nodes_Intervention.csv").decode(), "the archive is whole"
    assert "nodes_Intervention.csv" in threads and any(
        n.startswith("relationships_") for n in threads
    )
    assert set(threads) <= names
    for name, used in threads.items():
        assert loop_thread not in used, f"{name} written on the event loop"
