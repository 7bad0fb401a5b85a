"""Work for a client that has gone away is cancelled, and its store connection freed.

Once a request's body has been read, the only message the server can still deliver is
``http.disconnect``: when the client closes its connection, or after the response is sent.

Most answers are ready in a few milliseconds, before a departed client could be noticed
and long before cancelling would save anything. So the request's work runs in the
request's own task, and a watcher for the disconnect is started only once the work has
taken WATCH_AFTER_SECONDS. It was two more tasks and an ``asyncio.wait`` on every
request, about 3 % of the service's CPU on shape a of the benchmark (a py-spy profile).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Final, TypeVar

from starlette.requests import Request

logger = logging.getLogger(__name__)
T = TypeVar("T")

# How long the work runs before the client's connection is watched.
WATCH_AFTER_SECONDS: Final = 0.05


class ClientGone(Exception):
    """The client disconnected before its answer was ready; the work was cancelled."""


async def unless_disconnected(
    request: Request, work: Coroutine[Any, Any, T], *, watch_after: float = WATCH_AFTER_SECONDS
) -> T:
    """Run ``work`` (the request's body already read); cancel it if the client leaves."""
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    watcher: asyncio.Task[None] | None = None
    gone = False

    async def watch() -> None:
        nonlocal gone
        while (await request.receive())["type"] != "http.disconnect":
            pass
        gone = True
        # Thrown into the work where it waits, as asyncio.timeout cancels its block.
        task.cancel()

    def start_watching() -> None:
        nonlocal watcher
        watcher = loop.create_task(watch())

    timer = loop.call_later(watch_after, start_watching)
    try:
        outcome = await work
    except asyncio.CancelledError:
        if not gone:
            raise  # the server's own cancellation (a shutdown): not the client's doing
        task.uncancel()
        logger.info("the client went away; its request was cancelled")
        raise ClientGone from None
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.cancel()
    if gone:  # the work finished anyway (it let the cancellation pass): answer as usual
        task.uncancel()
    return outcome
