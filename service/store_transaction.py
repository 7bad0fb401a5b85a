"""What a unit of write work gets: a transaction that counts its statements and runs
last steps before the commit; and the conversion of driver values to Python's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, LiteralString

import neo4j
from neo4j._data import RecordExporter
from neo4j.time import Date, DateTime, Duration, Time

Row = dict[str, Any]

# Values the driver hands over that are already what callers get. Results are mostly
# these, in maps and lists: one pass that only looks at each value's type converts a
# row several times faster than ``Record.data()`` followed by ``to_native``.
_PLAIN: Final = frozenset({str, int, float, bool, type(None)})
_EXPORTER: Final = RecordExporter()


def native_value(value: Any) -> Any:
    """``to_native(Record.data())`` for one value: maps and lists are converted in place
    (the driver made them for this record alone); temporal, graph and spatial values
    take the driver's own export, then ``to_native``."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(item) not in _PLAIN:
                value[key] = native_value(item)
        return value
    if kind is list:
        for index, item in enumerate(value):
            if type(item) not in _PLAIN:
                value[index] = native_value(item)
        return value
    if kind in _PLAIN:
        return value
    # The driver's exporter (what Record.data() uses) carries no annotations.
    return to_native(_EXPORTER.transform(value))  # type: ignore[no-untyped-call]


class Transaction:
    """A write transaction handed to a unit of work; counts each statement it runs.

    Steps that must come last (numbering the change-log entries the work recorded) are
    registered with ``before_commit`` and run once, after the work, before the commit.
    """

    def __init__(self, tx: neo4j.AsyncTransaction, count: Callable[[str, str], None]) -> None:
        self._tx = tx
        self._count = count
        self._last_steps: dict[str, Callable[[Transaction], Awaitable[None]]] = {}
        # The change-log entries this transaction recorded and numbers at commit, in the
        # order recorded: {"id": ..., "entityId": ...}.
        self.unnumbered_changes: list[dict[str, str]] = []
        # The position the next entry gets, once the transaction holds the change
        # sequence from the start (service/writes/changelog.py, ``hold_sequence``).
        self.next_position: int | None = None
        # How many change-log entry ids this transaction has made, and their common
        # random part (``changelog.new_change``).
        self.entry_ids_made = 0
        self.entry_id_prefix: str | None = None

    async def run(self, query: LiteralString, params: Mapping[str, Any] | None = None) -> list[Row]:
        self._count("write", query)
        result = await self._tx.run(query, dict(params or {}))
        keys = result.keys()
        return [
            {key: native_value(value) for key, value in zip(keys, record, strict=True)}
            async for record in result
        ]

    def before_commit(self, name: str, step: Callable[[Transaction], Awaitable[None]]) -> None:
        """Run ``step`` once after the work, before the commit (a second ``name`` is ignored)."""
        self._last_steps.setdefault(name, step)

    async def finish(self) -> None:
        for step in self._last_steps.values():
            await step(self)


def to_native(value: Any) -> Any:
    """Convert driver temporal types to the standard library's, recursively."""
    if isinstance(value, dict):
        return {key: to_native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_native(item) for item in value]
    if isinstance(value, Date | DateTime | Time):
        native: dt.date | dt.datetime | dt.time = value.to_native()
        return native
    if isinstance(value, Duration):
        return str(value)
    return value
