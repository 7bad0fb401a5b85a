"""The load generator: a process of its own that keeps N requests in flight for a while.

Run by ``bench.run`` as ``python -m bench.load`` with a JSON job on stdin; prints one JSON
line of results. Two kinds of job, driven the same way so that their figures compare:

- ``http``: POSTs one fixed body to the service over keep-alive HTTP/1.1 connections,
  with a minimal client written on asyncio streams (an HTTP library would spend more CPU
  per request than the service under test on this 2-core machine);
- ``bolt``: sends the hand-written Cypher through the official async driver, which is
  the "raw" baseline the service is compared with.

Every answer is checked (status 200 and no ``errors`` for HTTP; rows for Bolt), so a
fast stream of refusals cannot pass for throughput.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def _drive(
    send: Callable[[], Awaitable[None]], concurrency: int, seconds: float, warmup: float
) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    answered = 0  # warm-up included: CPU is measured around the whole run
    measuring = False
    stop_at = 0.0

    async def worker() -> None:
        nonlocal failures, answered
        while True:
            started = time.perf_counter()
            if measuring and started >= stop_at:
                return
            try:
                await send()
            except Exception as error:  # counted, and the first few are reported
                failures += 1
                if failures <= 3:
                    print(f"request failed: {error!r}", file=sys.stderr)  # noqa: T201
                continue
            answered += 1
            if measuring:
                latencies.append(time.perf_counter() - started)

    loop = asyncio.get_running_loop()
    workers = [loop.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(warmup)
    measuring = True
    failures = 0  # the warm-up's do not count
    began = time.perf_counter()
    cpu_began = _cpu_seconds()
    stop_at = began + seconds
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - began
    return {
        "requests": len(latencies),
        "all_requests": answered,
        "failures": failures,
        "seconds": elapsed,
        "latencies_ms": [round(value * 1000, 3) for value in latencies],
        "client_cpu_seconds": _cpu_seconds() - cpu_began,
    }


async def _http_job(job: dict[str, Any]) -> dict[str, Any]:
    body = job["body"].encode()
    head = (
        f"POST {job['path']} HTTP/1.1\r\nHost: {job['host']}:{job['port']}\r\n"
        "Content-Type: application/json\r\nAccept: application/json\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in job.get("headers", {}).items())
        + f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    request = head + body
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(job["concurrency"]):
        pool.put_nowait(await asyncio.open_connection(job["host"], job["port"]))

    async def send() -> None:
        reader, writer = await pool.get()
        try:
            writer.write(request)
            headers = await reader.readuntil(b"\r\n\r\n")
            status = headers[9:12]
            length = 0
            for line in headers.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            answer = await reader.readexactly(length)
        except Exception:
            writer.close()
            pool.put_nowait(await asyncio.open_connection(job["host"], job["port"]))
            raise
        pool.put_nowait((reader, writer))
        if status != b"200" or answer.startswith(b'{"errors"') or b'"errors":[' in answer:
            raise RuntimeError(f"HTTP {status.decode()}: {answer[:200]!r}")

    try:
        return await _drive(send, job["concurrency"], job["seconds"], job["warmup"])
    finally:
        while not pool.empty():
            pool.get_nowait()[1].close()


async def _bolt_job(job: dict[str, Any]) -> dict[str, Any]:
    import neo4j

    driver = neo4j.AsyncGraphDatabase.driver(job["uri"], auth=(job["user"], job["password"]))
    statement, params, database = job["statement"], job["params"], job["database"]
    access = neo4j.WRITE_ACCESS if job.get("write") else neo4j.READ_ACCESS

    async def attempt() -> list[dict[str, Any]]:
        # The same call the service makes (service/store.py), rows as dicts: a read is one
        # auto-commit statement (unless BENCH_RAW_READS=transaction), a write an explicit
        # transaction.
        async with driver.session(database=database, default_access_mode=access) as session:
            if not job.get("write") and job.get("reads") != "transaction":
                result = await session.run(statement, params)
                return [record.data() async for record in result]
            tx = await session.begin_transaction()
            async with tx:
                result = await tx.run(statement, params)
                rows = [record.data() async for record in result]
                await tx.commit()
        return rows

    async def send() -> None:
        # Concurrent writes to one node conflict; like the service, run them again.
        for _ in range(100):
            try:
                rows = await attempt()
                break
            except neo4j.exceptions.TransientError:
                await asyncio.sleep(0.005)
        else:
            raise RuntimeError("the statement kept conflicting with concurrent ones")
        if not rows:
            raise RuntimeError("the statement returned no rows")

    try:
        return await _drive(send, job["concurrency"], job["seconds"], job["warmup"])
    finally:
        await driver.close()


def main() -> None:
    job = json.loads(sys.stdin.read())
    runner = _http_job if job["kind"] == "http" else _bolt_job
    print(json.dumps(asyncio.run(runner(job))))  # noqa: T201 - the parent reads this line


if __name__ == "__main__":
    main()
