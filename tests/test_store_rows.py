"""Rows a read returns: Python-native values, as ``to_native(Record.data())`` gives them."""

from __future__ import annotations

import datetime as dt

import neo4j

from service.store import Store, to_native

# Every kind of value a statement returns, nested in maps and lists, with graph values
# (a node, a relationship, a path) whose properties hold temporal values.
_EVERY_KIND = """
MATCH p = (a:Agency {id: 'agency-police'})-[r:PARTICIPATES_IN]->(i:Intervention {id: 'mash'})
RETURN 'text' AS text, 7 AS number, 2.5 AS ratio, true AS flag, null AS nothing,
       date('2024-02-29') AS day, datetime('2024-02-29T10:15:00Z') AS moment,
       duration('P1DT2H') AS span,
       {day: date('2020-01-01'), items: [1, {at: datetime('2021-03-04T05:06:07Z')},
        [date('2019-12-31')]], plain: {x: [1, 2, 'three']}} AS nested,
       [[], {}, [null]] AS empties,
       a AS node, r AS relationship, p AS path, [a, {agency: a}] AS nodes
"""


async def _exported(store: Store) -> list[dict[str, object]]:
    """The rows as the driver's ``Record.data()`` and ``to_native`` give them."""
    async with store._driver.session(
        database=store.database, default_access_mode=neo4j.READ_ACCESS
    ) as session:
        result = await session.run(_EVERY_KIND)
        return [to_native(record.data()) async for record in result]


async def test_rows_hold_the_values_record_data_and_to_native_give(store: Store) -> None:
    """A read converts every value in one pass, to exactly what the two-step export gave."""
    expected = await _exported(store)
    rows = await store.read(_EVERY_KIND)
    assert rows == expected
    [row] = rows
    assert row["moment"] == dt.datetime(2024, 2, 29, 10, 15, tzinfo=dt.UTC)
    assert row["nested"]["items"][1]["at"] == dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert row["nested"]["items"][2] == [dt.date(2019, 12, 31)]
    assert row["empties"] == [[], {}, [None]]
    assert row["node"]["id"] == "agency-police"
    assert type(row["node"]["createdAt"]) is dt.datetime
    assert row["nodes"][1]["agency"] == row["node"]
    start, kind, end = row["relationship"]
    assert (start["id"], kind, end["id"]) == ("agency-police", "PARTICIPATES_IN", "mash")
    assert [step if isinstance(step, str) else step["id"] for step in row["path"]] == [
        "agency-police",
        "PARTICIPATES_IN",
        "mash",
    ]
    assert type(row["span"]) is str
