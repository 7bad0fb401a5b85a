"""The change log of a bulk import: entries numbered as they are written, each readable
per entity and in feed order, and nothing of a refused batch left behind."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from service.imports import pipeline
from service.store import Transaction
from service.writes.changelog import RECORD_CHANGE, Operation, change_params, hold_sequence
from service.writes.merge import Mode, NodeWrite, write_nodes
from service.writes.merge_links import LinkWrite, write_links
from service.writes.outcome import Writer, WriteRefused
from tests.conftest import WriteClient

SEQUENCE = "MATCH (s:ChangeSequence {id: 'changes'}) RETURN s.last AS last, s._lock AS lock"
ENTITY_FEED = """
query($id: ID!) { changes(entityId: $id, first: 10) {
  totalCount edges { node { position entityId entityType operation requestKey after } } } }
"""
FEED_AFTER = """
query($after: String) { changes(first: 100, after: $after) {
  edges { node { position entityId operation } } pageInfo { hasNextPage } } }
"""
CURSOR_AT = """
query($id: ID!) { changes(entityId: $id, first: 1) { edges { cursor } } }
"""


def _document(prefix: str, agencies: int) -> dict[str, Any]:
    return {
        "sources": {"s": {"citation": "Change log test (2026)"}},
        "nodes": [
            {"label": "Intervention", "id": f"{prefix}-i", "source": "s",
             "properties": {"name": "Logged programme", "kind": "PROGRAMME"}},
            *(
                {"label": "Agency", "id": f"{prefix}-a{n}", "source": "s",
                 "properties": {"name": f"Logged agency {n}", "sector": "CHARITY"}}
                for n in range(agencies)
            ),
        ],
        "relationships": [
            {"type": "DELIVERS", "from": f"{prefix}-a{n}", "to": f"{prefix}-i", "source": "s"}
            for n in range(agencies)
        ],
    }  # fmt: skip


async def test_an_import_numbers_its_entries_in_record_order_each_readable_per_entity(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch, sent_statements: list[str]
) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 3)  # several batches of nodes and of links
    prefix = f"log-{uuid.uuid4().hex[:8]}"
    document = _document(prefix, agencies=4)
    [before] = await writes.store.read(SEQUENCE)
    answer = await writes.http.post(
        "/v1/imports",
        json=document,
        headers={
            "authorization": f"Bearer {writes.tokens['writer']}",
            "idempotency-key": f'"{prefix}"',
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "imported"
    [after] = await writes.store.read(SEQUENCE)
    records = len(document["nodes"]) + len(document["relationships"])
    assert after["lock"] is None, "the sequence is let go at commit"
    assert after["last"] == before["last"] + records
    if writes.store.write_gate is not None:
        assert not any("UNWIND range(0, size($ids) - 1)" in q for q in sent_statements), (
            "an import alone on the store creates its entries numbered, not numbered after"
        )

    expected = [f"{prefix}-i", *(f"{prefix}-a{n}" for n in range(4))] + [
        f"{prefix}-a{n}->{prefix}-i" for n in range(4)
    ]
    positions = []
    for entity_id in expected:
        feed = (await writes(ENTITY_FEED, token=None, id=entity_id))["changes"]
        assert feed["totalCount"] == 1, entity_id
        [entry] = [edge["node"] for edge in feed["edges"]]
        assert entry["entityId"] == entity_id
        assert entry["operation"] in {"CREATE", "LINK"}
        assert entry["requestKey"] == prefix
        positions.append(entry["position"])
    first = before["last"] + 1
    assert positions == list(range(first, first + records)), "in the file's order, no gaps"

    # A consumer who read up to just before the import sees exactly its entries next, in order.
    cursor = (await writes(CURSOR_AT, token=None, id=expected[0]))["changes"]["edges"][0]["cursor"]
    page = (await writes(FEED_AFTER, token=None, after=cursor))["changes"]
    following = [edge["node"]["entityId"] for edge in page["edges"]]
    assert following[: records - 1] == expected[1:]


async def test_a_batch_refused_while_writing_leaves_nothing_and_the_sequence_as_it_was(
    writes: WriteClient,
) -> None:
    """An end that vanished between the checks and the write: the batch is refused with the
    missing end named, and the nodes and entries written before it in the transaction go too."""
    prefix = f"refused-{uuid.uuid4().hex[:8]}"
    writer = Writer(client="refusal-test", agency=None, request_key=prefix)
    [before] = await writes.store.read(SEQUENCE)

    async def work(tx: Transaction) -> None:
        nodes = [
            NodeWrite("Agency", f"{prefix}-a", {"name": "Refused", "sector": "CHARITY"}, "s"),
            NodeWrite("Intervention", f"{prefix}-i", {"name": "Refused", "kind": "SERVICE"}, "s"),
        ]
        await write_nodes(tx, nodes, writer, mode=Mode.ALONE)
        links = [
            LinkWrite("DELIVERS", "Agency", f"{prefix}-a", "Intervention", f"{prefix}-i", {}, "s"),
            LinkWrite("DELIVERS", "Agency", f"{prefix}-gone", "Intervention", f"{prefix}-i", {}, "s"),
        ]  # fmt: skip
        await write_links(tx, links, writer, mode=Mode.ALONE)

    with pytest.raises(WriteRefused) as refused:
        await writes.store.write(work)
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("fromId", f"no Agency has id '{prefix}-gone'")
    ]
    assert (
        await writes.count("MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n", p=prefix)
        == 0
    )
    assert (
        await writes.count(
            "MATCH (c:Change) WHERE c.entityId STARTS WITH $p RETURN count(c) AS n", p=prefix
        )
        == 0
    )
    [after] = await writes.store.read(SEQUENCE)
    assert after == before


async def test_entries_recorded_before_the_sequence_is_held_are_still_numbered_at_commit(
    writes: WriteClient,
) -> None:
    """hold_sequence after entries were recorded leaves numbering to the commit, so no
    position is given twice."""
    client = f"hold-late-{uuid.uuid4().hex[:8]}"
    writer = Writer(client=client, agency=None, request_key=client)

    async def work(tx: Transaction) -> None:
        params = change_params(
            tx, writer=writer, operation=Operation.CREATE, entity_type="FeedProbe",
            entity_id=f"{client}-0", before=None, after={"n": 0}, source=None,
        )  # fmt: skip
        await tx.run(RECORD_CHANGE, params)
        await hold_sequence(tx)
        await write_nodes(
            tx,
            [NodeWrite("Outcome", f"{client}-o", {"name": "Late", "domain": "OTHER"}, "s")],
            writer,
            mode=Mode.ALONE,
        )

    [before] = await writes.store.read(SEQUENCE)
    await writes.store.write(work)
    rows = await writes.store.read(
        "MATCH (c:Change {client: $client}) RETURN c.entityId AS id, c.seq AS seq ORDER BY c.seq",
        {"client": client},
    )
    assert [row["id"] for row in rows] == [f"{client}-0", f"{client}-o"]
    assert [row["seq"] for row in rows] == [before["last"] + 1, before["last"] + 2]
    [after] = await writes.store.read(SEQUENCE)
    assert after == {"last": before["last"] + 2, "lock": None}
