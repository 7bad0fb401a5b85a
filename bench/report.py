"""Writes bench/RESULTS.md: this run on top, the previous runs kept below it."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bench.data import LoadedGraph
    from bench.run import Case, Round

RESULTS: Final = Path(__file__).resolve().parent / "RESULTS.md"
_PREVIOUS: Final = "## Previous runs"
_INTRO: Final = "Written by `make bench` (bench/run.py): the newest run first."


def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def _median(rounds: list[Round], value: str) -> float:
    return statistics.median(getattr(r, value) if value != "rps" else r.rps for r in rounds)


def _case_row(case: Case) -> str:
    raws = [raw for raw, _ in case.rounds]
    served = [service for _, service in case.rounds]
    ratios = [service.rps / raw.rps for raw, service in case.rounds]
    store_ratios = [service.store_cpu / raw.store_cpu for raw, service in case.rounds]
    p50 = statistics.median(s.percentile(0.50) for s in served)
    p95 = statistics.median(s.percentile(0.95) for s in served)
    p99 = statistics.median(s.percentile(0.99) for s in served)
    raw_p50 = statistics.median(r.percentile(0.50) for r in raws)
    raw_p95 = statistics.median(r.percentile(0.95) for r in raws)
    statements = statistics.median(s.statements or 0.0 for s in served)
    return (
        f"| {case.shape.key} | {case.concurrency} | {_median(served, 'rps'):,.0f} | "
        f"{_median(raws, 'rps'):,.0f} | **{_spread(ratios)}** | "
        f"{p50:.1f} / {p95:.1f} / {p99:.1f} | {raw_p50:.1f} / {raw_p95:.1f} | "
        f"{_median(served, 'process_cpu') * 1000:.2f} | {_median(served, 'store_cpu') * 1000:.2f} | "
        f"{_median(raws, 'process_cpu') * 1000:.2f} | {_median(raws, 'store_cpu') * 1000:.2f} | "
        f"{_spread(store_ratios)} | "
        f"{statements:.2f} | {sum(s.failures for s in served)} / {sum(r.failures for r in raws)} |"
    )


def render(
    *,
    cases: list[Case],
    graph: LoadedGraph,
    machine: str,
    service_dir: Path,
    commit: str,
    settings: str,
    when: str,
    startup: str = "",
) -> str:
    shapes = {case.shape.key: case.shape.title for case in cases}
    lines = [
        f"## Run of {when}",
        "",
        f"Machine: {machine}. The load average counts the whole machine, the benchmark's "
        "own store, service and load processes included; on a shared machine requests per "
        "second move from round to round, and the ratio to raw (both measured in the same "
        "minute) and CPU per request are the steadier figures.",
        f"Service code: `{service_dir}` at {commit}. {settings}; raw and service rounds alternate.",
        f"Graph: {graph.nodes:,} nodes and {graph.relationships:,} relationships, loaded "
        f"through the bulk import in {graph.files} files: {graph.import_seconds:.0f} s "
        f"({graph.records_per_second:,.0f} records/s; measured when the graph was first loaded).",
        "",
        *([startup, ""] if startup else []),
        *(f"- {title}" for title in shapes.values()),
        "",
        "Latency in ms (p50 / p95 / p99, the median over rounds); CPU in ms per request; "
        "ratio = service rps / raw rps per round: median (min-max); failed = requests that "
        "got errors in all rounds, service / raw (store timeouts; conflicts still failing after "
        "100 tries on the raw side). Store CPU is all the store process used "
        "during the round over the requests answered, its background work included; "
        "store CPU service/raw is their ratio per round: median (min-max).",
        "",
        "| shape | conc. | service rps | raw rps | ratio to raw | service p50/p95/p99 | "
        "raw p50/p95 | service CPU | store CPU (service) | driver CPU (raw) | store CPU (raw) | "
        "store CPU service/raw | statements/req | failed |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *(_case_row(case) for case in cases),
        "",
    ]
    return "\n".join(lines)


def write_report(**run: object) -> None:
    write_section(render(**run))  # type: ignore[arg-type]


def write_section(section: str) -> None:
    """Put ``section`` (starting with its "## " heading) on top of bench/RESULTS.md."""
    print(section)  # noqa: T201 - the console gets the same table
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    body = previous.removeprefix("# Benchmark results\n").strip().removeprefix(_INTRO).strip()
    if body.startswith("## "):
        latest, _, older = body.partition(f"\n{_PREVIOUS}\n")
        kept = f"{latest.strip()}\n\n{older.strip()}".strip()
    else:
        kept = body
    text = f"# Benchmark results\n\n{_INTRO}\n\n{section}\n{_PREVIOUS}\n\n{kept}\n"
    RESULTS.write_text(text, encoding="utf-8")
