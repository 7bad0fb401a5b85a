"""The benchmark graph: generated once, loaded through the bulk import, kept on disk.

Loading ~360,000 records takes minutes, so the loaded store's files are kept in
``bench/.data/<size>/`` and reused by later runs (``BENCH_FRESH=1`` loads again). The
import's own timing is recorded beside them and repeated in every report.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from bench.generate import SOURCE, Size, synthetic_graph
from service.embedded_store import EmbeddedStore, start_embedded_store
from service.imports.pipeline import run_import
from service.imports.readers import JsonImportFile
from service.metrics import Metrics
from service.migrations import apply_migrations
from service.settings import Settings
from service.store import Store
from service.write_gate import WriteGate
from service.writes.outcome import Writer

# BENCH_SCALE=2 doubles the graph (interventions, agencies, outcomes and all beneath them).
SCALE: Final = int(os.environ.get("BENCH_SCALE", "1"))
BENCH_SIZE: Final = Size(
    interventions=2_000 * SCALE,
    agencies=300 * SCALE,
    studies_per_intervention=10,
    findings_per_study=3.5,
    outcomes=500 * SCALE,
    participants_per_intervention=6,
)
DATA_ROOT: Final = Path(__file__).resolve().parent / ".data"
# Files of at most this many records: one import is one transaction.
_RECORDS_PER_FILE: Final = 60_000


@dataclass(frozen=True)
class LoadedGraph:
    data_dir: Path
    nodes: int
    relationships: int
    import_seconds: float
    files: int

    @property
    def records_per_second(self) -> float:
        return (self.nodes + self.relationships) / self.import_seconds


def store_settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, load_example_data=False, store_query_timeout=600)


def open_store(embedded: EmbeddedStore, *, timeout: float = 600) -> Store:
    return Store.connect(
        uri=embedded.uri,
        user=embedded.user,
        password=embedded.password,
        database=embedded.database,
        metrics=Metrics(),
        connect_timeout=10,
        acquire_timeout=60,
        query_timeout=timeout,
    )


async def prepared_graph(size: Size = BENCH_SIZE) -> LoadedGraph:
    """The data directory of a store holding the benchmark graph, loading it if needed."""
    data_dir = DATA_ROOT / "-".join(str(value) for value in asdict(size).values())
    marker = data_dir / "loaded.json"
    if marker.exists() and not os.environ.get("BENCH_FRESH"):
        return LoadedGraph(data_dir=data_dir, **json.loads(marker.read_text()))
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    graph = synthetic_graph(size)
    embedded = await start_embedded_store(store_settings(data_dir))
    store = open_store(embedded)
    # As the service's imports on the embedded store: under its write gate, alone.
    store.write_gate = WriteGate(data_dir)
    try:
        await apply_migrations(store)
        with tempfile.TemporaryDirectory() as folder:
            paths = import_files(graph, Path(folder))
            started = time.perf_counter()
            for path in paths:
                report = await run_import(
                    store,
                    JsonImportFile(path),
                    writer=Writer(client="bench", agency=None),
                    max_rejections=10,
                    timeout=3600,
                )
                if report.status != "imported":
                    raise RuntimeError(f"the benchmark graph was refused: {report.as_dict()}")
            seconds = time.perf_counter() - started
    finally:
        await store.close()
        await embedded.stop()
    loaded = {
        "nodes": len(graph.nodes),
        "relationships": len(graph.relationships),
        "import_seconds": seconds,
        "files": len(paths),
    }
    marker.write_text(json.dumps(loaded))
    return LoadedGraph(data_dir=data_dir, **loaded)  # type: ignore[arg-type]


def import_files(graph: Any, folder: Path) -> list[Path]:
    """The graph as import files, nodes first; later files point at nodes already stored."""
    records: list[tuple[str, dict[str, Any]]] = [
        (
            "nodes",
            {
                "label": n.label,
                "id": n.id,
                "source": "bench",
                "properties": {
                    k: v.isoformat() if hasattr(v, "isoformat") else v
                    for k, v in n.properties.items()
                },
            },
        )
        for n in graph.nodes
    ]
    records += [
        (
            "relationships",
            {
                "type": r.type,
                "from": r.from_id,
                "to": r.to_id,
                "source": "bench",
                "properties": r.properties,
            },
        )
        for r in graph.relationships
    ]
    paths: list[Path] = []
    for start in range(0, len(records), _RECORDS_PER_FILE):
        chunk = records[start : start + _RECORDS_PER_FILE]
        document: dict[str, Any] = {
            "sources": {"bench": {"citation": SOURCE}},
            "nodes": [record for kind, record in chunk if kind == "nodes"],
            "relationships": [record for kind, record in chunk if kind == "relationships"],
        }
        path = folder / f"part-{len(paths):03d}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
    return paths
