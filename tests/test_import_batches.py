"""An import checks each batch as it writes the one before, in one transaction: a problem
in the last batch still leaves nothing written (not even the idempotency record) and the
report lists every problem in file order; ends already in the graph are looked up batch
by batch inside the transaction; no reading thread outlives the import."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, LiteralString

import pytest

from service.imports import checking, pipeline, writing
from service.imports.json_shape import Outline
from service.imports.read_ahead import THREAD_NAME
from service.imports.readers import JsonImportFile, Record, UnreadableFile
from service.model import LABELS
from service.store import Transaction
from service.writes.outcome import Writer
from tests.conftest import WriteClient

LOOKUP = "UNWIND $ids AS x MATCH"
CHANGES = "MATCH (c:Change) RETURN count(c) AS n"
WRITE_REQUESTS = "MATCH (w:WriteRequest) WHERE w.key ENDS WITH $key RETURN count(w) AS n"
SEQUENCE = "MATCH (s:ChangeSequence {id: 'changes'}) RETURN s.last AS last"


def _programmes(prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        {
            "label": "Intervention",
            "id": f"{prefix}-p{n}",
            "source": "s",
            "properties": {"name": f"Batched programme {n}", "kind": "SERVICE"},
        }
        for n in range(count)
    ]


def _delivers(agency: str, programme: str, **properties: Any) -> dict[str, Any]:
    return {"type": "DELIVERS", "from": agency, "to": programme, "source": "s", **properties}


def _document(prefix: str) -> dict[str, Any]:
    """7 nodes and 8 relationships: three batches of each at BATCH = 3."""
    return {
        "sources": {"s": {"citation": "Batch test (2026)"}},
        "nodes": _programmes(prefix, 7),
        "relationships": [
            _delivers("agency-norfolk", f"{prefix}-p{n}", properties={"status": "ACTIVE"})
            for n in range(7)
        ]
        + [{"type": "TARGETS", "from": f"{prefix}-p0", "to": "outcome-re-referral", "source": "s"}],
    }


async def _import(
    writes: WriteClient, document: dict[str, Any], *, key: str, query: str = ""
) -> Any:
    return await writes.http.post(
        f"/v1/imports{query}",
        json=document,
        headers={
            "authorization": f"Bearer {writes.tokens['writer']}",
            "idempotency-key": f'"{key}"',
        },
    )


async def _footprint(writes: WriteClient, prefix: str, key: str) -> tuple[int, ...]:
    """What an import leaves behind: its nodes, change entries, idempotency record, sequence."""
    [sequence] = await writes.store.read(SEQUENCE)
    return (
        await writes.count("MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n", p=prefix),
        await writes.count(CHANGES),
        await writes.count(WRITE_REQUESTS, key=f"/{key}#1"),
        sequence["last"],
    )


def _read_ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(THREAD_NAME)]


async def test_a_problem_in_the_last_batch_leaves_nothing_written(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 3)
    prefix = key = f"last-{uuid.uuid4().hex[:8]}"
    document = _document(prefix)
    document["relationships"][6]["properties"]["status"] = "RETIRED"
    document["relationships"][7]["to"] = "outcome-nowhere"
    before = await _footprint(writes, prefix, key)

    response = await _import(writes, document, key=key)
    assert response.status_code == 422, response.text
    report = response.json()
    assert (report["status"], report["records"], report["rejectedTotal"]) == ("rejected", 15, 2)
    assert report["rejected"] == [
        {
            "where": "relationships[6]",
            "field": "status",
            "reason": "'RETIRED' is not one of ACTIVE, ENDED, PLANNED",
        },
        {
            "where": "relationships[7]",
            "field": "to",
            "reason": "node 'outcome-nowhere' does not exist",
        },
    ]
    assert (
        report["nodes"] == report["relationships"] == {"created": 0, "updated": 0, "unchanged": 0}
    )
    assert await _footprint(writes, prefix, key) == before, (
        "the batches written before the problem was found were rolled back, the idempotency "
        "record and change-log numbering with them"
    )
    assert not _read_ahead_threads()

    dry = (await _import(writes, document, key=f"{key}-dry", query="?dryRun=true")).json()
    assert (dry["rejected"], dry["rejectedTotal"]) == (report["rejected"], 2)

    # Corrected, the same file imports whole under the same key: the refusal left no answer.
    document["relationships"][6]["properties"]["status"] = "ACTIVE"
    document["relationships"][7]["to"] = "outcome-re-referral"
    imported = await _import(writes, document, key=key)
    assert imported.status_code == 200, imported.text
    assert imported.json()["nodes"]["created"] == 7
    assert imported.json()["relationships"]["created"] == 8


async def test_every_problem_is_listed_in_file_order_whichever_batch_it_is_in(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 3)
    monkeypatch.setattr(writes.app.state.settings, "import_max_rejections", 5)
    prefix = key = f"order-{uuid.uuid4().hex[:8]}"
    document = _document(prefix)
    document["sources"]["late"] = {"citation": "Undated", "retrieved": "last spring"}
    document["nodes"][1]["properties"]["kind"] = "WIZARDRY"
    document["nodes"].append(dict(document["nodes"][4]))  # declared twice, in the last batch
    document["relationships"][2]["from"] = "outcome-re-referral"  # in the graph, wrong label
    document["relationships"][4]["source"] = "nowhere"
    document["relationships"][7]["to"] = f"{prefix}-p9"
    document["relationships"].append(dict(document["relationships"][5]))
    before = await _footprint(writes, prefix, key)

    report = (await _import(writes, document, key=key)).json()
    kind = "'WIZARDRY' is not one of PROGRAMME, PRACTICE_MODEL, SYSTEM_ARRANGEMENT, SERVICE"
    every = [
        ("sources.late", "retrieved", "must be a date (YYYY-MM-DD)"),
        ("nodes[1]", "kind", kind),
        ("nodes[7]", "id", f"Intervention '{prefix}-p4' appears twice in the file"),
        (
            "relationships[2]",
            "from",
            "DELIVERS cannot go from Outcome node 'outcome-re-referral'",
        ),
        ("relationships[4]", "source", "'nowhere' is not defined under 'sources'"),
        ("relationships[7]", "to", f"node '{prefix}-p9' does not exist"),
        (
            "relationships[8]",
            None,
            f"DELIVERS agency-norfolk -> {prefix}-p5 appears twice",
        ),
    ]
    assert report["rejectedTotal"] == len(every)
    assert [(p["where"], p["field"], p["reason"]) for p in report["rejected"]] == every[:5]
    assert await _footprint(writes, prefix, key) == before
    assert not _read_ahead_threads()


async def test_ends_in_the_graph_are_looked_up_per_batch_inside_the_transaction(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 3)
    prefix = key = f"ends-{uuid.uuid4().hex[:8]}"
    document = {
        "sources": {"s": {"citation": "Batch test (2026)"}},
        "nodes": _programmes(prefix, 3),
        "relationships": [
            # batch 1: two agencies of the graph
            _delivers("agency-norfolk", f"{prefix}-p0"),
            _delivers("agency-police", f"{prefix}-p0"),
            _delivers("agency-norfolk", f"{prefix}-p1"),
            # batch 2: one of them again, and an outcome of the graph
            _delivers("agency-police", f"{prefix}-p1"),
            {"type": "TARGETS", "from": f"{prefix}-p0", "to": "outcome-re-referral", "source": "s"},
            {"type": "VARIANT_OF", "from": f"{prefix}-p1", "to": f"{prefix}-p0", "source": "s"},
            # batch 3: ends the file declares, and ids already looked up
            {"type": "VARIANT_OF", "from": f"{prefix}-p2", "to": f"{prefix}-p0", "source": "s"},
            _delivers("agency-norfolk", f"{prefix}-p2"),
        ],
    }
    statements: list[tuple[str, Any]] = []
    original_run = Transaction.run

    async def spy(
        self: Transaction, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        statements.append((query, dict(params or {}).get("ids")))
        return await original_run(self, query, params)

    monkeypatch.setattr(Transaction, "run", spy)
    response = await _import(writes, document, key=key)
    assert response.status_code == 200, response.text
    assert response.json()["relationships"]["created"] == 8

    looked_up = [ids for query, ids in statements if query.startswith(LOOKUP)]
    assert looked_up == [["agency-norfolk", "agency-police"]] * len(LABELS) + [
        ["outcome-re-referral"]
    ] * len(LABELS), "each batch asks only for the ids not known yet, in the transaction"


class _BreaksAfter:
    """A JSON file whose relationships cannot be read past ``count`` (a disk failing)."""

    def __init__(self, path: Path, count: int) -> None:
        self._file = JsonImportFile(path)
        self._count = count

    def outline(self) -> Outline:
        return self._file.outline()

    def nodes(self) -> Iterator[Record]:
        return self._file.nodes()

    def relationships(self) -> Iterator[Record]:
        for number, record in enumerate(self._file.relationships()):
            if number == self._count:
                raise UnreadableFile("the file could not be read past relationships[4]")
            yield record


async def test_a_reading_error_in_the_thread_surfaces_and_leaves_nothing(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 3)
    prefix = f"broken-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "file.json"
    path.write_text(json.dumps(_document(prefix)))
    store = writes.app.state.runtime.store
    before = await _footprint(writes, prefix, prefix)
    with pytest.raises(UnreadableFile, match="past relationships"):
        await pipeline.run_import(
            store,
            _BreaksAfter(path, 4),
            writer=Writer(client="batch-test", agency=None, request_key=prefix),
            max_rejections=10,
            timeout=60,
        )
    assert await _footprint(writes, prefix, prefix) == before
    assert not _read_ahead_threads()


async def test_an_end_gone_by_the_time_its_batch_is_written_rejects_the_file(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup says the agency is there; the write path finds it is not (as when it was
    deleted between the two): the refusal names it and nothing is left written."""
    monkeypatch.setattr(pipeline, "BATCH", 3)
    prefix = key = f"gone-{uuid.uuid4().hex[:8]}"
    ghost = f"{prefix}-agency"
    document = _document(prefix)
    document["relationships"][7] = _delivers(ghost, f"{prefix}-p6")
    looked_up = pipeline._labels_in_graph

    async def seen_before_its_deletion(tx: Any, ids: frozenset[str]) -> dict[str, set[str]]:
        found = await looked_up(tx, ids)
        return {**found, ghost: {"Agency"}} if ghost in ids else found

    monkeypatch.setattr(pipeline, "_labels_in_graph", seen_before_its_deletion)
    before = await _footprint(writes, prefix, key)
    response = await _import(writes, document, key=key)
    assert response.status_code == 422, response.text
    assert response.json()["rejected"] == [
        {"where": "", "field": "fromId", "reason": f"no Agency has id '{ghost}'"}
    ]
    assert await _footprint(writes, prefix, key) == before
    assert not _read_ahead_threads()


async def test_the_first_relationships_are_checked_while_the_last_nodes_are_read(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-ahead thread goes on from the last nodes to the first relationships at
    once, rather than once the nodes are written: the last node batch's read is held
    until a relationship has been checked, which only that overlap can bring about."""
    monkeypatch.setattr(pipeline, "BATCH", 3)
    prefix = key = f"ahead-{uuid.uuid4().hex[:8]}"
    # Nodes in batches of 3, 3 and 1; relationships between them alone, so that no end
    # has to be looked up in the graph (a question only the event loop can answer, once
    # the nodes' last batch is done).
    document = {
        "sources": {"s": {"citation": "Batch test (2026)"}},
        "nodes": _programmes(prefix, 7),
        "relationships": [
            {"type": "VARIANT_OF", "from": f"{prefix}-p{n}", "to": f"{prefix}-p0", "source": "s"}
            for n in range(1, 7)
        ],
    }
    last_node = f"{prefix}-p6"
    relationship_checked = threading.Event()
    held: list[bool] = []
    original_check = checking.check_relationship
    original_read = writing.read_label

    def check_spy(*args: Any, **kwargs: Any) -> Any:
        relationship_checked.set()
        return original_check(*args, **kwargs)

    async def read_spy(tx: Any, label: str, batch: Any, *, mode: Any) -> Any:
        if any(write.id == last_node for write in batch):
            held.append(await asyncio.to_thread(relationship_checked.wait, 10))
        return await original_read(tx, label, batch, mode=mode)

    monkeypatch.setattr(checking, "check_relationship", check_spy)
    monkeypatch.setattr(writing, "read_label", read_spy)
    response = await _import(writes, document, key=key)
    assert response.status_code == 200, response.text
    assert response.json()["relationships"]["created"] == 6
    assert held == [True], "a relationship was checked while the last nodes were being read"
    assert not _read_ahead_threads()
