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
and writes it to bench/CHANGEFEED.md. With ``NEO4J_URI`` (and ``NEO4J_USER``,
``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) it measures that Neo4j instead: give it an empty
database, which it migrates and fills with benchmark nodes.
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
WRITES: Final = int(os.environ.get("BENCH_FEED_WRITES", "100"))
CONCURRENCY: Final = int(os.environ.get("BENCH_FEED_CONCURRENCY", "8"))
ROUNDS: Final = int(os.environ.get("BENCH_FEED_ROUNDS", "3"))

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
            tx.unnumbered_changes.clear()  # the entry stays without a position: the old path
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


async def _concurrent(store: Store, *, numbered: bool, keyed: bool, gated: bool = False) -> float:
    """Writes per second from CONCURRENCY writers sharing WRITES writes; ``gated``: through
    one lock, as the service runs mutations on the embedded store (SERIALIZE_WRITES)."""
    remaining = WRITES
    gate = asyncio.Lock()

    async def writer() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            if gated:
                async with gate:
                    await _one(store, numbered=numbered, keyed=keyed)
            else:
                await _one(store, numbered=numbered, keyed=keyed)

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(CONCURRENCY)))
    return WRITES / (time.perf_counter() - started)


async def run() -> str:
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="evidence-bench-feed-") as folder:
        embedded = None
        if settings.neo4j_uri:  # a Neo4j of your own, with an empty database
            uri, user, password = settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password
        else:
            embedded = await start_embedded_store(Settings(data_dir=Path(folder)))
            uri, user, password = embedded.uri, embedded.user, embedded.password
        store = Store.connect(
            uri=uri,
            user=user,
            password=password,
            database=embedded.database if embedded else settings.neo4j_database,
            metrics=Metrics(),
            connect_timeout=5,
            acquire_timeout=30,
        )
        where = "the embedded store" if embedded else f"Neo4j at {uri}"
        try:
            await apply_migrations(store)
            variants = (
                ("no position, no idempotency record", False, False),
                ("position (sequence node)", True, False),
                ("position and idempotency record (the service's path)", True, True),
            )
            gated: dict[str, list[float]] = {label: [] for label, _, _ in variants}
            latency: dict[str, list[float]] = {label: [] for label, _, _ in variants}
            throughput: dict[str, list[float]] = {label: [] for label, _, _ in variants}
            for _, numbered, keyed in variants:  # warm up
                await _sequential(store, numbered=numbered, keyed=keyed)
            # Rounds interleave the variants, so load from elsewhere falls on all of them.
            for _ in range(ROUNDS):
                for label, numbered, keyed in variants:
                    latency[label] += await _sequential(store, numbered=numbered, keyed=keyed)
                    throughput[label].append(
                        await _concurrent(store, numbered=numbered, keyed=keyed)
                    )
                    gated[label].append(
                        await _concurrent(store, numbered=numbered, keyed=keyed, gated=True)
                    )
            rows = [
                f"| {label} | {statistics.median(latency[label]):.1f} | "
                f"{statistics.quantiles(latency[label], n=20)[18]:.1f} | "
                f"{statistics.median(throughput[label]):.0f} | "
                f"{statistics.median(gated[label]):.0f} |"
                for label, _, _ in variants
            ]
        finally:
            await store.close()
            if embedded:
                await embedded.stop()
    return "\n".join(
        [
            "# Change feed: cost to writers",
            "",
            f"One node and one change entry per write transaction, on {where}; "
            f"{WRITES} writes one after another (latency), then {WRITES} writes from "
            f"{CONCURRENCY} concurrent writers (throughput), and from {CONCURRENCY} writers "
            "through one lock, as the service runs mutations on this store; "
            f"{ROUNDS} rounds taking the "
            "variants in turn, medians over all of them. `python -m bench.changefeed`.",
            "",
            "| write | median ms | p95 ms | writes/s, concurrent | writes/s, one at a time |",
            "|---|---|---|---|---|",
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
