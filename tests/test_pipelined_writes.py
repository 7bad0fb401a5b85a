"""An import's batches are decided while the store writes the batch before: each batch
is read before the one ahead of it is written, the change log stays in record order,
and a batch refused while another is being written leaves nothing behind."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, LiteralString

import pytest

from service.imports.writing import Outcomes, PipelinedWrites
from service.store import Transaction
from service.writes.merge import Mode, NodeWrite
from service.writes.merge_links import LinkWrite
from service.writes.outcome import Writer, WriteRefused
from tests.conftest import WriteClient


def _agency(prefix: str, n: int, **values: Any) -> tuple[str, NodeWrite]:
    properties = {"name": f"Pipelined agency {n}", "sector": "CHARITY", **values}
    return f"nodes[{n}]", NodeWrite("Agency", f"{prefix}-a{n}", properties, "Pipeline test")


def _kind(query: str) -> str:
    if "RETURN n.id AS id, n {" in query:
        return "read"
    if "MERGE (n:Agency" in query:
        return "write"
    return "other"


async def test_the_next_batch_is_read_before_this_one_is_written_and_entries_keep_their_order(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = f"pipe-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=prefix, agency=None, request_key=prefix)
    outcomes = Outcomes()
    statements: list[str] = []
    original_run = Transaction.run

    async def spy(
        self: Transaction, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        statements.append(_kind(query))
        return await original_run(self, query, params)

    async def work(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, outcomes, mode=Mode.ALONE)
        for start in (0, 2, 4):
            await pipelined.nodes([_agency(prefix, n) for n in range(start, start + 2)])
        await pipelined.flush()

    monkeypatch.setattr(Transaction, "run", spy)
    await writes.store.write(work)
    monkeypatch.undo()

    reads_and_writes = [kind for kind in statements if kind != "other"]
    assert reads_and_writes == ["read", "read", "write", "read", "write", "write"]
    assert outcomes.nodes.created == 6
    assert outcomes.created_nodes == {("Agency", f"{prefix}-a{n}") for n in range(6)}
    rows = await writes.store.read(
        "MATCH (c:Change {client: $client}) RETURN c.entityId AS id ORDER BY c.seq",
        {"client": prefix},
    )
    assert [row["id"] for row in rows] == [f"{prefix}-a{n}" for n in range(6)]


async def test_a_batch_refused_while_the_one_before_is_written_leaves_nothing(
    writes: WriteClient,
) -> None:
    prefix = f"pipe-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=prefix, agency=None, request_key=prefix)

    async def work(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, Outcomes(), mode=Mode.ALONE)
        await pipelined.nodes([_agency(prefix, 0), _agency(prefix, 1)])
        await pipelined.nodes([_agency(prefix, 2, sector="NOT A SECTOR")])
        await pipelined.flush()

    with pytest.raises(WriteRefused) as refused:
        await writes.store.write(work)
    assert [p.field for p in refused.value.problems] == ["sector"]
    count = "MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n"
    assert await writes.count(count, p=prefix) == 0
    entries = "MATCH (c:Change {client: $p}) RETURN count(c) AS n"
    assert await writes.count(entries, p=prefix) == 0


async def test_a_relationship_refused_for_a_missing_end_after_its_batch_was_decided(
    writes: WriteClient,
) -> None:
    """A missing end is found when the batch is written, one batch after it was decided."""
    prefix = f"pipe-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=prefix, agency=None, request_key=prefix)
    outcomes = Outcomes()

    async def work(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, outcomes, mode=Mode.ALONE)
        intervention = NodeWrite(
            "Intervention", f"{prefix}-i", {"name": "Piped", "kind": "SERVICE"}, "Pipeline test"
        )
        await pipelined.nodes([_agency(prefix, 0), ("nodes[1]", intervention)])
        await pipelined.flush()
        link = LinkWrite(
            "DELIVERS",
            "Agency",
            f"{prefix}-gone",
            "Intervention",
            f"{prefix}-i",
            {},
            "Pipeline test",
        )
        await pipelined.links([("relationships[0]", link)])
        await pipelined.flush()

    with pytest.raises(WriteRefused) as refused:
        await writes.store.write(work)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("fromId", f"no Agency has id '{prefix}-gone'")
    ]
    count = "MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n"
    assert await writes.count(count, p=prefix) == 0
