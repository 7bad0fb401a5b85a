"""The change feed: paging `changes` reaches every entry once, in commit order, through
every filter, and while writers of long and short transactions commit concurrently."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from service.store import Store, Transaction
from service.writes.changelog import RECORD_CHANGE, Operation, change_params
from service.writes.outcome import Writer
from tests.conftest import WriteClient

PAGE = """
query($after: String, $since: DateTime, $entityId: ID, $entityType: String, $client: String) {
  changes(first: 1, after: $after, since: $since, entityId: $entityId, entityType: $entityType,
          client: $client) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id at operation entityId entityType client } }
  }
}
"""
ALL = """
query($since: DateTime, $entityId: ID, $entityType: String, $client: String) {
  changes(first: 100, since: $since, entityId: $entityId, entityType: $entityType, client: $client) {
    totalCount edges { node { id } } pageInfo { hasNextPage }
  }
}
"""
UPSERT_INTERVENTION = """
mutation($input: InterventionInput!) { upsertIntervention(input: $input) { errors { code } } }
"""
UPSERT_OUTCOME = """
mutation($input: OutcomeInput!) { upsertOutcome(input: $input) { errors { code message } } }
"""


async def page_through(writes: WriteClient, **filters: Any) -> list[dict[str, Any]]:
    """Every entry the filters select, read one per page by following endCursor."""
    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(500):
        data = (await writes(PAGE, token=None, after=after, **filters))["changes"]
        seen.extend(edge["node"] for edge in data["edges"])
        if not data["pageInfo"]["hasNextPage"]:
            return seen
        after = data["pageInfo"]["endCursor"]
    raise AssertionError(f"paging did not end after 500 pages; saw {len(seen)} entries")


async def _all_ids(writes: WriteClient, **filters: Any) -> list[str]:
    data = (await writes(ALL, token=None, **filters))["changes"]
    assert not data["pageInfo"]["hasNextPage"], "the test expects fewer than 100 entries"
    return [edge["node"]["id"] for edge in data["edges"]]


async def test_paging_one_entry_at_a_time_reaches_every_entry_once_through_every_filter(
    writes: WriteClient,
) -> None:
    before_writes = dt.datetime.now(dt.UTC).isoformat()
    for cost, name in enumerate(
        ["Paged outcome", "Paged outcome, renamed", "Paged outcome, again"]
    ):
        result = await writes(
            UPSERT_OUTCOME,
            input={
                "id": "test-paged-outcome",
                "name": name,
                "domain": "OTHER",
                "source": f"s{cost}",
            },
        )
        assert result["upsertOutcome"]["errors"] == []
    filter_sets: list[dict[str, Any]] = [
        {},
        {"entityId": "test-paged-outcome"},
        {"entityType": "Outcome"},
        {"client": "eif-loader"},
        {"since": before_writes},
        {"entityId": "test-paged-outcome", "client": "eif-loader", "since": before_writes},
    ]
    for filters in filter_sets:
        paged = await page_through(writes, **filters)
        ids = [entry["id"] for entry in paged]
        assert len(ids) == len(set(ids)), f"an entry came twice with {filters}"
        if len(ids) <= 100:
            assert ids == await _all_ids(writes, **filters), f"paged != listed with {filters}"
        mine = [e for e in paged if e["entityId"] == "test-paged-outcome"]
        assert [e["operation"] for e in mine] == ["CREATE", "UPDATE", "UPDATE"], filters


async def _write_changes(store: Store, *, client: str, entries: int, hold: float) -> None:
    """One write transaction recording ``entries`` changes over ``hold`` seconds."""
    writer = Writer(client=client, agency=None, request_key=str(uuid.uuid4()))

    async def work(tx: Transaction) -> None:
        for n in range(entries):
            params = change_params(
                tx,
                writer=writer,
                operation=Operation.CREATE,
                entity_type="FeedProbe",
                entity_id=f"{writer.request_key}-{n}",
                before=None,
                after={"n": n},
                source=None,
            )
            await tx.run(RECORD_CHANGE, params)
            await asyncio.sleep(hold / entries)

    await store.write(work)


async def test_a_consumer_polling_while_long_and_short_writes_commit_sees_each_change_once(
    writes: WriteClient,
) -> None:
    """Long transactions start first and commit last; short ones commit meanwhile. A
    consumer paging by cursor all along ends with exactly the store's log, in its order."""
    client = f"feed-probe-{uuid.uuid4().hex[:8]}"
    consumed: list[str] = []
    after: str | None = None
    writers_done = asyncio.Event()

    async def consume() -> None:
        nonlocal after
        while True:
            finished = writers_done.is_set()
            while True:
                data = (
                    await writes(
                        PAGE.replace("first: 1", "first: 3"), token=None, after=after, client=client
                    )
                )["changes"]
                consumed.extend(edge["node"]["id"] for edge in data["edges"])
                after = data["pageInfo"]["endCursor"] or after
                if not data["pageInfo"]["hasNextPage"]:
                    break
            if finished:
                return
            await asyncio.sleep(0.02)

    async def write_all() -> None:
        long_ones = [
            asyncio.create_task(_write_changes(writes.store, client=client, entries=6, hold=1.5))
            for _ in range(2)
        ]
        await asyncio.sleep(0.1)
        short_ones = []
        for _ in range(12):
            short_ones.append(
                asyncio.create_task(
                    _write_changes(writes.store, client=client, entries=1, hold=0.0)
                )
            )
            await asyncio.sleep(0.05)
        await asyncio.gather(*long_ones, *short_ones)
        writers_done.set()

    await asyncio.gather(consume(), write_all())
    rows = await writes.store.read(
        "MATCH (c:Change {client: $client}) RETURN c.id AS id, c.seq AS seq ORDER BY c.seq",
        {"client": client},
    )
    assert len(rows) == 2 * 6 + 12
    assert consumed == [row["id"] for row in rows], "no gap, no repeat, commit order"
    positions = [row["seq"] for row in rows]
    assert len(set(positions)) == len(positions), "every position is given once"


ENTRIES = """
query($id: ID!) { changes(entityId: $id, first: 10) {
  edges { node { operation client requestKey before after } } } }
"""


async def test_entries_name_the_current_client_and_hold_the_same_fields_for_mutations_and_imports(
    writes: WriteClient,
) -> None:
    node_id = f"test-fields-{uuid.uuid4().hex[:8]}"
    created = {"id": node_id, "name": "Fields", "kind": "SERVICE", "source": "s1"}
    await writes(UPSERT_INTERVENTION, input=created)
    await writes(UPSERT_INTERVENTION, token="admin", input={**created, "name": "Fields 2"})
    document = {
        "sources": {"s": {"citation": "Fields test (2026)"}},
        "nodes": [
            {
                "label": "Intervention",
                "id": f"{node_id}-imported",
                "source": "s",
                "properties": {"name": "Fields", "kind": "SERVICE"},
            }
        ],
        "relationships": [],
    }
    imported = await writes.http.post(
        "/v1/imports",
        json=document,
        headers={
            "authorization": f"Bearer {writes.tokens['writer']}",
            "idempotency-key": f'"{node_id}-import"',
        },
    )
    assert imported.status_code == 200, imported.text
    mutation_log = [
        edge["node"] for edge in (await writes(ENTRIES, token=None, id=node_id))["changes"]["edges"]
    ]
    [import_entry] = [
        edge["node"]
        for edge in (await writes(ENTRIES, token=None, id=f"{node_id}-imported"))["changes"][
            "edges"
        ]
    ]
    create, update = mutation_log
    assert update["client"] == "eif-admin"
    assert update["before"]["recordedBy"] == "eif-loader"
    assert update["after"]["recordedBy"] == "eif-admin", "after names the client of this change"
    assert set(import_entry["after"]) == set(create["after"]), "the same fields either way"
    assert import_entry["after"]["id"] == f"{node_id}-imported"
    assert import_entry["requestKey"] == f"{node_id}-import"
    assert create["requestKey"] and create["requestKey"] != update["requestKey"]
