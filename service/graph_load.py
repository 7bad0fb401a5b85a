"""Loads the example data into an empty database.

The example data (the source article's facts, then the starter catalogue of programmes
built on them) goes through the import pipeline, like any partner's file, and so through
the one write path mutations use (``service/writes/merge.py``): the same checks, and a
change-log entry for every node and relationship (client ``example-data``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.model import LABELS
from service.store import Store
from service.writes.outcome import Writer

logger = logging.getLogger(__name__)

_EXAMPLES: Final = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_DATA: Final = _EXAMPLES / "evidence-graph.json"
# Loaded after the example data: it links to the example data's outcomes and agencies.
CATALOGUE_DATA: Final = _EXAMPLES / "catalogue.json"
EXAMPLE_FILES: Final = (EXAMPLE_DATA, CATALOGUE_DATA)
EXAMPLE_DATA_CLIENT: Final = "example-data"
# The example files load at start-up; on a busy machine the catalogue's transaction takes
# longer than an ordinary request may, so the load has a deadline of its own.
LOAD_TIMEOUT: Final = 300.0

_HAS_MODEL_DATA: Final = (
    "RETURN " + " OR ".join(f"EXISTS {{ MATCH (:{label}) }}" for label in LABELS) + " AS found"
)


@dataclass(frozen=True)
class LoadReport:
    nodes: int
    relationships: int


async def has_model_data(store: Store) -> bool:
    rows = await store.read(_HAS_MODEL_DATA)
    return bool(rows[0]["found"])


async def load_example_data_if_empty(
    store: Store, paths: Sequence[Path] = EXAMPLE_FILES
) -> LoadReport | None:
    """Import the example files, in order, into an empty database; leave one with data alone."""
    if await has_model_data(store):
        return None
    nodes = relationships = 0
    for path in paths:
        imported = await run_import(
            store,
            JsonImportFile(path),
            writer=Writer(client=EXAMPLE_DATA_CLIENT, agency=None),
            max_rejections=50,
            timeout=max(store.query_timeout, LOAD_TIMEOUT),
        )
        if imported.status != "imported":
            problems = "; ".join(f"{p.where} {p.field}: {p.reason}" for p in imported.rejected)
            raise ValueError(f"{path.name} does not fit the model: {problems}")
        nodes += imported.nodes.created + imported.nodes.updated + imported.nodes.unchanged
        relationships += (
            imported.relationships.created
            + imported.relationships.updated
            + imported.relationships.unchanged
        )
    report = LoadReport(nodes=nodes, relationships=relationships)
    logger.info(
        "loaded example data: %d nodes, %d relationships", report.nodes, report.relationships
    )
    return report
