"""What the change feed's positions and the idempotency records cost writers.

Every write transaction that records changes numbers them as its last step, under a lock
on one ChangeSequence node, so such writers serialise from that step to their commit;
every mutation and import also claims and answers a WriteRequest record. This measures,
on an embedded store of its own, the same small write (one node, one change entry):

- alone, one after another: the latency the extra statements add;
- from CONCURRENCY writers at once: the throughput the shared sequence costs.

Each is run with numbering (the service's path) and without (the entry created with no
position), and with and without the idempotency record. Run with
``.venv/bin/python -m bench.changefeed`` (``make bench`` runs it too); it prints a table
and writes it to bench/CHANGEFEED.md.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

from service.embedded_store import start_embedded_store
from service.metrics import Metrics
from service.migrations import apply_migrations
from service.settings import Settings
from service.store import Store, Transaction
from service.writes.changelog import RECORD_CHANGE, Operation, change_params
from service.writes.idempotency import WriteKey, write_once
from service.writes.outcome import Writer

RESULTS: Final = Path(__file__).resolve().parent / "CHANGEFEED.md"
WRITES: Final = int(os.environ.get("BENCH_FEED_WRITES", "200"))
CONCURRENCY: Final = int(os.environ.get("BENCH_FEED_CONCURRENCY", "8"))

_CREATE_NODE: Final = "CREATE (:Outcome {id: $id, name: 'bench', domain: 'OTHER'})"


def _work(*, numbered: bool) -> Callable[[Transaction], Awaitable[str]]:
    async def work(tx: Transaction) -> str:
        node_id = f"bench-{uuid.uuid4()}"
        await tx.run(_CREATE_NODE, {"id": node_id})
        params = change_params(
            tx,
            writer=Writer(client="bench", agency=None, request_key=node_id),
            operation=Operation.CREATE,
            entity_type="Outcome",
            entity_id=node_id,
            before=None,
            after={"id": node_id},
            source=None,
        )
        if not numbered:
            tx.change_ids.clear()  # the entry stays without a position: the old path
        await tx.run(RECORD_CHANGE, params)
        return node_id

    return work


async def _one(store: Store, *, numbered: bool, keyed: bool) -> None:
    work = _work(numbered=numbered)
    if not keyed:
        await store.write(work)
        return
    key = WriteKey.of(client="bench", request_key=str(uuid.uuid4()), ordinal=1, request=None)
    await write_once(store, key, work, encode=str, decode=str, window=3600)


async def _sequential(store: Store, *, numbered: bool, keyed: bool) -> list[float]:
    samples = []
    for _ in range(WRITES):
        started = time.perf_counter()
        await _one(store, numbered=numbered, keyed=keyed)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _concurrent(store: Store, *, numbered: bool, keyed: bool) -> float:
    """Writes per second from CONCURRENCY writers sharing WRITES writes."""
    remaining = WRITES

    async def writer() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await _one(store, numbered=numbered, keyed=keyed)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(CONCURRENCY)))
    return WRITES / (time.perf_counter() - started)


async def run() -> str:
    with tempfile.TemporaryDirectory(prefix="evidence-bench-feed-") as folder:
        embedded = await start_embedded_store(Settings(data_dir=Path(folder)))
        store = Store.connect(
            uri=embedded.uri,
            user=embedded.user,
            password=embedded.password,
            database=embedded.database,
            metrics=Metrics(),
            connect_timeout=5,
            acquire_timeout=30,
        )
        try:
            await apply_migrations(store)
            rows = []
            for label, numbered, keyed in (
                ("no position, no idempotency record", False, False),
                ("position (sequence node)", True, False),
                ("position and idempotency record (the service's path)", True, True),
            ):
                await _sequential(store, numbered=numbered, keyed=keyed)  # warm up
                latency = await _sequential(store, numbered=numbered, keyed=keyed)
                throughput = await _concurrent(store, numbered=numbered, keyed=keyed)
                rows.append(
                    f"| {label} | {statistics.median(latency):.1f} | "
                    f"{statistics.quantiles(latency, n=20)[18]:.1f} | {throughput:.0f} |"
                )
        finally:
            await store.close()
            await embedded.stop()
    return "\n".join(
        [
            "# Change feed: cost to writers",
            "",
            f"One node and one change entry per write transaction, on the embedded store; "
            f"{WRITES} writes one after another (latency), then {WRITES} writes from "
            f"{CONCURRENCY} concurrent writers (throughput). `python -m bench.changefeed`.",
            "",
            "| write | median ms | p95 ms | writes/s, concurrent |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main() -> None:
    report = asyncio.run(run())
    RESULTS.write_text(report, encoding="utf-8")
    print(report)  # noqa: T201 - the benchmark's output is its report


if __name__ == "__main__":
    main()
