"""What an import reads before writing: a relationship with an end the import itself
created cannot exist yet, so it is not looked for; one between nodes already in the graph
is, and its stored properties decide whether it changes."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import WriteClient

# merge_links._READ_LINKS: the read of the relationships already there.
READS_LINKS = "RETURN row.from AS from, row.to AS to, r {.*"


def _document(prefix: str, note: str) -> dict[str, Any]:
    return {
        "sources": {"s": {"citation": "Import reads test (2026)"}},
        "nodes": [
            {"label": "Intervention", "id": f"{prefix}-i", "source": "s",
             "properties": {"name": "Read programme", "kind": "PROGRAMME"}},
            {"label": "Agency", "id": f"{prefix}-a", "source": "s",
             "properties": {"name": "Read agency", "sector": "CHARITY"}},
        ],
        "relationships": [
            {"type": "PARTICIPATES_IN", "from": f"{prefix}-a", "to": f"{prefix}-i",
             "source": "s", "properties": {"role": note}},
        ],
    }  # fmt: skip


async def _import(
    writes: WriteClient, document: dict[str, Any], sent: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """The import's report, and the statements it sent."""
    sent.clear()
    answer = await writes.http.post(
        "/v1/imports",
        json=document,
        headers={"authorization": f"Bearer {writes.tokens['writer']}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json(), list(sent)


async def test_relationships_of_nodes_the_import_creates_are_not_looked_for(
    writes: WriteClient, sent_statements: list[str]
) -> None:
    prefix = f"reads-{uuid.uuid4().hex[:8]}"
    report, statements = await _import(writes, _document(prefix, "lead"), sent_statements)
    assert report["nodes"]["created"] == 2
    assert report["relationships"]["created"] == 1
    assert not [q for q in statements if READS_LINKS in q], "both ends are new: nothing to find"
    stored = await writes.store.read(
        "MATCH (:Agency {id: $a})-[r:PARTICIPATES_IN]->(:Intervention {id: $i}) "
        "RETURN r.role AS role",
        {"a": f"{prefix}-a", "i": f"{prefix}-i"},
    )
    assert stored == [{"role": "lead"}]


async def test_relationships_between_nodes_already_there_are_read_and_compared(
    writes: WriteClient, sent_statements: list[str]
) -> None:
    prefix = f"reads-{uuid.uuid4().hex[:8]}"
    await _import(writes, _document(prefix, "lead"), sent_statements)

    again, statements = await _import(writes, _document(prefix, "lead"), sent_statements)
    assert [q for q in statements if READS_LINKS in q], "the ends exist: the link is looked for"
    assert again["relationships"] == {"created": 0, "updated": 0, "unchanged": 1}

    changed, _ = await _import(writes, _document(prefix, "partner"), sent_statements)
    assert changed["relationships"] == {"created": 0, "updated": 1, "unchanged": 0}
    [entry] = [w for w in changed["written"] if w["kind"] == "PARTICIPATES_IN"]
    assert (entry["status"], entry["changed"]) == ("updated", ["role"])
    count = await writes.count(
        "MATCH (:Agency {id: $a})-[r:PARTICIPATES_IN]->(:Intervention {id: $i}) "
        "RETURN count(r) AS n",
        a=f"{prefix}-a",
        i=f"{prefix}-i",
    )
    assert count == 1, "updated in place, not created again"
