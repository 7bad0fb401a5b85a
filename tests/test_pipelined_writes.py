"""An import's batches are decided while the store writes the batch before: each batch
is read before the one ahead of it is written, the change log stays in record order,
and a batch refused while another is being written leaves nothing behind."""

from __future__ import annotations

import uuid
from typing import Any

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
    writes: WriteClient, sent_statements: list[str]
) -> None:
    prefix = f"pipe-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=prefix, agency=None, request_key=prefix)
    outcomes = Outcomes()

    async def work(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, outcomes, mode=Mode.ALONE)
        for start in (0, 2, 4):
            await pipelined.nodes([_agency(prefix, n) for n in range(start, start + 2)])
        await pipelined.flush()

    await writes.store.write(work)

    reads_and_writes = [_kind(q) for q in sent_statements if _kind(q) != "other"]
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


async def test_locked_batches_from_several_writers_leave_no_lock_and_log_in_order(
    writes: WriteClient,
) -> None:
    """Mode.LOCKED, as on a store other writers share (Neo4j): each batch's nodes are
    locked by its read, one batch ahead of the write; every lock is gone at commit,
    on the nodes written and on those left unchanged alike."""
    prefix = f"pipe-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=prefix, agency=None, request_key=prefix)
    intervention = NodeWrite(
        "Intervention", f"{prefix}-i", {"name": "Locked", "kind": "SERVICE"}, "Pipeline test"
    )

    async def first(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, Outcomes(), mode=Mode.LOCKED)
        await pipelined.nodes([_agency(prefix, 0), ("nodes[1]", intervention), _agency(prefix, 4)])
        await pipelined.flush()

    await writes.store.write(first)
    outcomes = Outcomes()

    async def second(tx: Transaction) -> None:
        pipelined = PipelinedWrites(tx, writer, outcomes, mode=Mode.LOCKED)
        # Two agencies again as they are (unchanged; the last links to nothing, so no
        # relationship write unlocks it), and three new ones, over two batches.
        await pipelined.nodes([_agency(prefix, 0), _agency(prefix, 1)])
        await pipelined.nodes([_agency(prefix, 2), _agency(prefix, 3), _agency(prefix, 4)])
        await pipelined.flush()
        links = [
            (
                f"relationships[{n}]",
                LinkWrite(
                    "DELIVERS", "Agency", f"{prefix}-a{n}", "Intervention", f"{prefix}-i", {},
                    "Pipeline test",
                ),
            )
            for n in range(4)
        ]  # fmt: skip
        await pipelined.links(links[:2])
        await pipelined.links(links[2:])
        await pipelined.flush()

    await writes.store.write(second)
    assert (outcomes.nodes.created, outcomes.nodes.unchanged) == (3, 2)
    assert outcomes.relationships.created == 4
    locked = "MATCH (n) WHERE n.id STARTS WITH $p AND n._lock IS NOT NULL RETURN count(n) AS n"
    assert await writes.count(locked, p=prefix) == 0
    linked = "MATCH (:Agency)-[r:DELIVERS]->(:Intervention {id: $i}) RETURN count(r) AS n"
    assert await writes.count(linked, i=f"{prefix}-i") == 4
    rows = await writes.store.read(
        "MATCH (c:Change {client: $client}) WHERE c.seq IS NOT NULL "
        "RETURN c.entityId AS id ORDER BY c.seq",
        {"client": prefix},
    )
    # Within a batch the write path takes one label after another, each in record order.
    assert [row["id"] for row in rows] == [
        f"{prefix}-a0",
        f"{prefix}-a4",
        f"{prefix}-i",
        *(f"{prefix}-a{n}" for n in (1, 2, 3)),
        *(f"{prefix}-a{n}->{prefix}-i" for n in range(4)),
    ]
