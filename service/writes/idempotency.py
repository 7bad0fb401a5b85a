"""Idempotency keys: a write recognises its own committed work and answers what it did.

Every write runs under a key: the client's ``Idempotency-Key`` header (IETF draft
"The Idempotency-Key HTTP Header Field", draft-ietf-httpapi-idempotency-key-header) or
one the service makes for the request. The write transaction first claims a
``(:WriteRequest {key})`` record (unique by constraint, so concurrent writers of one key
serialise on it) and, as its last step, stores there the answer it gives. If the record
already holds an answer younger than IDEMPOTENCY_WINDOW, the work is not done again and
that answer is returned: after a commit whose reply was lost (the store runs the work
again, see ``Store.write(rerun_safe=True)``) as after a client's resend. The same key
with a different request is refused (``KeyReused``; 422, as the draft asks). A refused
write rolls back with its record, so a resend is checked afresh.

Answers are stored as JSON with dates and times tagged, so a replay gives the same
values as the first answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from service.store import Store, Transaction

T = TypeVar("T")
# How long a key's answer is kept for replay, in seconds (IDEMPOTENCY_WINDOW).
DEFAULT_IDEMPOTENCY_WINDOW: Final = 24 * 3600.0

# Creating the record takes its unique key: a concurrent writer of the same key waits
# for this transaction (Neo4j) or fails with a constraint violation and is run again
# (the embedded store), and then finds the answer.
_CLAIM: Final = """
MERGE (w:WriteRequest {key: $key})
ON CREATE SET w.createdAt = datetime(), w.fingerprint = $fingerprint
RETURN w.fingerprint AS fingerprint, w.answer AS answer, w.createdAt < $oldest AS expired
"""
# A record older than the window is history: the key starts afresh.
_RESTART: Final = """
MATCH (w:WriteRequest {key: $key})
SET w.createdAt = datetime(), w.fingerprint = $fingerprint, w.answer = null
"""
_ANSWER: Final = """
MATCH (w:WriteRequest {key: $key})
SET w.answer = $answer, w.client = $client
"""


class KeyReused(Exception):
    """The idempotency key was already used for a different request."""


@dataclass(frozen=True)
class WriteKey:
    """One write's key (scoped to its client) and a fingerprint of what it asks for."""

    key: str
    fingerprint: str
    client: str

    @classmethod
    def of(
        cls,
        *,
        client: str,
        request_key: str,
        ordinal: int,
        request: Any = None,
        request_fingerprint: str | None = None,
    ) -> WriteKey:
        """The key of the ``ordinal``-th write of a request, which ``request`` describes
        (or whose fingerprint is given)."""
        return cls(
            key=f"{client}/{request_key}#{ordinal}",
            fingerprint=request_fingerprint or fingerprint(request),
            client=client,
        )


def file_fingerprint(path: Path, *described_by: Any) -> str:
    """A fingerprint of an uploaded file and what it is said to be (format, table)."""
    digest = hashlib.sha256(fingerprint(list(described_by)).encode())
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(request: Any) -> str:
    text = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def write_once(
    store: Store,
    key: WriteKey,
    work: Callable[[Transaction], Awaitable[T]],
    *,
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
    window: float,
    timeout: float | None = None,
) -> T:
    """Run ``work`` once for ``key``; a second run returns the first one's answer.

    ``encode`` turns the work's answer into JSON-ready values and ``decode`` back.
    """

    async def unit(tx: Transaction) -> T:
        oldest = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=window)
        [claim] = await tx.run(
            _CLAIM,
            {"key": key.key, "fingerprint": key.fingerprint, "oldest": oldest},
        )
        if claim["answer"] is not None and not claim["expired"]:
            if claim["fingerprint"] != key.fingerprint:
                raise KeyReused(
                    "this Idempotency-Key was used for a different request; "
                    "use a new key for a new request"
                )
            return decode(loads(claim["answer"]))
        if claim["answer"] is not None:
            await tx.run(_RESTART, {"key": key.key, "fingerprint": key.fingerprint})
        answer = await work(tx)
        await tx.run(
            _ANSWER, {"key": key.key, "answer": dumps(encode(answer)), "client": key.client}
        )
        return answer

    return await store.write(unit, timeout=timeout, rerun_safe=True)


def dumps(value: Any) -> str:
    return json.dumps(_tagged(value), ensure_ascii=False, sort_keys=True)


def loads(text: str) -> Any:
    return _untagged(json.loads(text))


_TAGS: Final[dict[str, Callable[[str], Any]]] = {
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
}


def _tagged(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_tagged(item) for item in value]
    return value


def _untagged(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            [(tag, text)] = value.items()
            if tag in _TAGS and isinstance(text, str):
                return _TAGS[tag](text)
        return {key: _untagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    return value
