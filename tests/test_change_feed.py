"""The change feed: paging `changes` one entry at a time reaches every entry once, in order,
through every filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
