"""How unless_disconnected tells a client that left from a quick answer and from the
server's own cancellation (the end-to-end case, over uvicorn, is in test_deadlines.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.requests import Request

from service.disconnect import ClientGone, unless_disconnected


def _request(disconnect_after: float | None) -> tuple[Request, list[float]]:
    """A request whose client disconnects after ``disconnect_after`` seconds (never:
    None); the list records when the request's receive was first awaited."""
    asked: list[float] = []
    loop = asyncio.get_running_loop()

    async def receive() -> dict[str, Any]:
        asked.append(loop.time())
        if disconnect_after is None:
            await asyncio.Event().wait()
        await asyncio.sleep(disconnect_after or 0)
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "headers": []}, receive), asked


async def test_a_quick_answer_never_watches_the_connection() -> None:
    request, asked = _request(disconnect_after=0.0)

    async def work() -> str:
        await asyncio.sleep(0)
        return "answer"

    assert await unless_disconnected(request, work(), watch_after=0.2) == "answer"
    await asyncio.sleep(0.3)  # the watch would have started by now
    assert asked == []


async def test_slow_work_of_a_client_that_left_is_cancelled_and_the_task_goes_on() -> None:
    request, asked = _request(disconnect_after=0.1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    cancelled = asyncio.Event()

    async def work() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "too late"

    with pytest.raises(ClientGone):
        await unless_disconnected(request, work(), watch_after=0.05)
    assert cancelled.is_set()
    assert 0.04 <= asked[0] - began < 1.0  # watched only once the work had taken a while
    assert loop.time() - began < 5.0
    # The request's task is not left cancelling: it can still answer the client.
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    await asyncio.sleep(0.01)


async def test_the_servers_own_cancellation_is_not_taken_for_a_client_that_left() -> None:
    request, _ = _request(disconnect_after=None)
    started = asyncio.Event()

    async def work() -> None:
        started.set()
        await asyncio.sleep(30)

    handling = asyncio.ensure_future(unless_disconnected(request, work(), watch_after=0.01))
    await started.wait()
    await asyncio.sleep(0.05)  # the watcher is running
    handling.cancel()
    with pytest.raises(asyncio.CancelledError):
        await handling
