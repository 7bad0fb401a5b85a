"""Import throughput: a synthetic graph file of more than 10,000 records sent to POST /imports."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from bench.generate import Size, synthetic_graph
from service.auth.api_keys import issue_key
from service.store import Store

IMPORT_SIZE = Size(
    interventions=330,
    agencies=500,
    studies_per_intervention=2,
    findings_per_study=2,
    outcomes=60,
    participants_per_intervention=4,
)


@dataclass(frozen=True)
class ImportTiming:
    records: int
    megabytes: float
    first_seconds: float
    repeat_seconds: float


def import_document(prefix: str) -> tuple[dict[str, Any], int]:
    """The synthetic graph as an import file, ids prefixed so it joins no existing node."""
    graph = synthetic_graph(IMPORT_SIZE, seed=11)
    document = {
        "sources": {"bench": {"citation": "Synthetic benchmark data (bench/generate.py)"}},
        "nodes": [
            {
                "label": n.label,
                "id": f"{prefix}{n.id}",
                "source": "bench",
                "properties": {
                    k: v.isoformat() if hasattr(v, "isoformat") else v
                    for k, v in n.properties.items()
                },
            }
            for n in graph.nodes
        ],
        "relationships": [
            {
                "type": r.type,
                "from": f"{prefix}{r.from_id}",
                "to": f"{prefix}{r.to_id}",
                "source": "bench",
                "properties": r.properties,
            }
            for r in graph.relationships
        ],
    }
    return document, len(graph.nodes) + len(graph.relationships)


async def time_import(client: httpx.AsyncClient, store: Store) -> ImportTiming:
    await store.write_one(
        "MERGE (:Agency {id: 'bench-importer', name: 'Benchmark importer', sector: 'OTHER'})"
    )
    token = (
        await issue_key(store, name="bench", agency_id="bench-importer", scopes=["evidence:write"])
    ).token
    document, records = import_document("imp-")
    body = json.dumps(document).encode()
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        response = await client.post("/v1/imports", content=body, headers=headers, timeout=600)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:500]
    report = response.json()
    assert report["nodes"]["unchanged"] + report["relationships"]["unchanged"] == records, (
        "the re-run changed nothing"
    )
    return ImportTiming(records, len(body) / 1e6, timings[0], timings[1])
