"""Loads the example data into an empty database, and graph files for the benchmarks.

The example data goes through the import pipeline, like any partner's file: the same
checks, and a change-log entry for every node and relationship (client
``example-data``). ``load_graph`` merges a checked graph file without logging it, for
the benchmark's generated graphs: nodes are merged on (label, id) and relationships on
(type, from, to); existing ones are left as they are.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from service.graph_file import GraphFile
from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.model import LABELS
from service.store import Store, Transaction
from service.writes.outcome import Writer

logger = logging.getLogger(__name__)

EXAMPLE_DATA: Final = Path(__file__).resolve().parent.parent / "examples" / "evidence-graph.json"
EXAMPLE_DATA_CLIENT: Final = "example-data"

_MERGE_NODES: Final = """
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
ON CREATE SET n += row.properties, n.source = row.source, n.recordedBy = $recordedBy,
  n.createdAt = datetime(), n.updatedAt = datetime()
"""
_MERGE_RELATIONSHIPS: Final = """
UNWIND $rows AS row
MATCH (a:{from_label} {{id: row.from}})
MATCH (b:{to_label} {{id: row.to}})
MERGE (a)-[r:{type}]->(b)
ON CREATE SET r += row.properties, r.source = row.source, r.recordedBy = $recordedBy,
  r.recordedAt = datetime()
"""
_HAS_MODEL_DATA: Final = (
    "RETURN " + " OR ".join(f"EXISTS {{ MATCH (:{label}) }}" for label in LABELS) + " AS found"
)


@dataclass(frozen=True)
class LoadReport:
    nodes: int
    relationships: int


async def load_graph(store: Store, graph: GraphFile, *, recorded_by: str) -> LoadReport:
    """Merge every node and relationship of ``graph`` in one write transaction."""
    nodes: dict[str, list[dict[str, object]]] = defaultdict(list)
    for node in graph.nodes:
        nodes[node.label].append(
            {"id": node.id, "source": node.source, "properties": node.properties}
        )
    relationships: dict[tuple[str, str, str], list[dict[str, object]]] = defaultdict(list)
    for rel in graph.relationships:
        relationships[(rel.type, rel.from_label, rel.to_label)].append(
            {
                "from": rel.from_id,
                "to": rel.to_id,
                "source": rel.source,
                "properties": rel.properties,
            }
        )

    async def work(tx: Transaction) -> None:
        for label, rows in nodes.items():
            statement = _MERGE_NODES.format(label=label)
            await tx.run(statement, {"rows": rows, "recordedBy": recorded_by})
        for (rel_type, from_label, to_label), rows in relationships.items():
            statement = _MERGE_RELATIONSHIPS.format(
                type=rel_type, from_label=from_label, to_label=to_label
            )
            await tx.run(statement, {"rows": rows, "recordedBy": recorded_by})

    await store.write(work)
    return LoadReport(nodes=len(graph.nodes), relationships=len(graph.relationships))


async def has_model_data(store: Store) -> bool:
    rows = await store.read(_HAS_MODEL_DATA)
    return bool(rows[0]["found"])


async def load_example_data_if_empty(store: Store, path: Path = EXAMPLE_DATA) -> LoadReport | None:
    """Load the example data into an empty database; leave a database with data alone."""
    if await has_model_data(store):
        return None
    imported = await run_import(
        store,
        JsonImportFile(path),
        writer=Writer(client=EXAMPLE_DATA_CLIENT, agency=None),
        max_rejections=50,
        timeout=max(store.query_timeout, 120.0),
    )
    if imported.status != "imported":
        problems = "; ".join(f"{p.where} {p.field}: {p.reason}" for p in imported.rejected)
        raise ValueError(f"the example data does not fit the model: {problems}")
    report = LoadReport(
        nodes=imported.nodes.created + imported.nodes.updated + imported.nodes.unchanged,
        relationships=imported.relationships.created
        + imported.relationships.updated
        + imported.relationships.unchanged,
    )
    logger.info(
        "loaded example data: %d nodes, %d relationships", report.nodes, report.relationships
    )
    return report
