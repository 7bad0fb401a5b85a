"""Keyset paging shared by the root lists and the nested connections.

A page is asked for as Relay does: ``first`` rows after the cursor ``after``, or ``last``
rows before the cursor ``before`` (both cursors may bound one page). The statement orders
by the sort key and the id (reversed when paging backwards), keeps only rows beyond the
cursors, and reads one row more than asked to know whether the page has a neighbour in
its own direction (only when that is selected: ``rows_to_read``). Whether rows lie on the
other side of the cursor it started from is a separate, optional check (``beyond``). Rows
read backwards are put back in sort order here, so both directions give the same edges
for the same rows.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from service.plans.cursor import Cursor
from service.plans.errors import BadQueryInput

SortDirection = Literal["ASC", "DESC"]


@dataclass(frozen=True)
class PageRequest:
    """A page as asked for: ``first`` after ``after``, or ``last`` before ``before``."""

    first: int | None = None
    after: str | None = None
    sort: str = "NAME"
    direction: SortDirection = "ASC"
    filters: Mapping[str, Any] | None = None
    last: int | None = None
    before: str | None = None


@dataclass(frozen=True)
class Window:
    """Which rows a page holds: ``size`` rows, counted from the start or (``backward``) the end."""

    size: int
    backward: bool
    after: Cursor | None
    before: Cursor | None


def window_of(
    *,
    first: int | None,
    last: int | None,
    after: str | None,
    before: str | None,
    sort_name: str,
    key_types: tuple[type, ...],
    default_size: int,
    max_size: int,
) -> Window:
    """The checked window of a request; BadQueryInput names the argument at fault."""
    if first is not None and last is not None:
        raise BadQueryInput("give first or last, not both", argument="last")
    backward = last is not None
    size = last if last is not None else (default_size if first is None else first)
    argument = "last" if backward else "first"
    if not 1 <= size <= max_size:
        raise BadQueryInput(f"{argument} must be between 1 and {max_size}", argument=argument)
    return Window(
        size=size,
        backward=backward,
        after=_cursor(after, "after", sort_name, key_types),
        before=_cursor(before, "before", sort_name, key_types),
    )


def _cursor(
    text: str | None, argument: str, sort_name: str, key_types: tuple[type, ...]
) -> Cursor | None:
    if not text:  # an empty cursor means the start (or the end), as it always has
        return None
    cursor = Cursor.decode(text, sort=sort_name, argument=argument)
    if not isinstance(cursor.key, key_types):
        raise BadQueryInput(f"{argument} is not a cursor this API issued", argument=argument)
    return cursor


def rows_to_read(window: Window, page_info: Container[str]) -> int:
    """The window's rows, and one more only when the page info asks whether another page
    follows in the direction of reading: every row read costs its whole sub-selection."""
    follows = "has_previous_page" if window.backward else "has_next_page"
    return window.size + (1 if follows in page_info else 0)


@dataclass(frozen=True)
class Keyset:
    """The Cypher pieces of a window over ``key`` (the sort key) and ``tie`` (the id)."""

    window: Window
    ascending: bool
    key: str
    tie: str
    prefix: str

    def condition(self, params: dict[str, Any]) -> str:
        """Rows strictly between the cursors ("true" without cursors)."""
        parts = []
        if self.window.after is not None:
            parts.append(self._side(self.window.after, "after", params, later=True))
        if self.window.before is not None:
            parts.append(self._side(self.window.before, "before", params, later=False))
        return " AND ".join(f"({part})" for part in parts) or "true"

    def order(self) -> str:
        """ORDER BY terms: the sort's own order, reversed when reading backwards."""
        descending = self.ascending == self.window.backward
        suffix = " DESC" if descending else ""
        return f"{self.key}{suffix}, {self.tie}{suffix}"

    def beyond(self, params: dict[str, Any]) -> str | None:
        """Rows on the far side of the cursor the page starts from (itself included), or
        None when there is no such cursor: then nothing lies beyond."""
        if self.window.backward:
            anchor, name, later = self.window.before, "before", True
        else:
            anchor, name, later = self.window.after, "after", False
        if anchor is None:
            return None
        return self._side(anchor, name, params, later=later, inclusive=True)

    def _side(
        self,
        cursor: Cursor,
        name: str,
        params: dict[str, Any],
        *,
        later: bool,
        inclusive: bool = False,
    ) -> str:
        """Rows after (``later``) or before the cursor in the sort's order."""
        key, tie = f"${self.prefix}{name}Key", f"${self.prefix}{name}Id"
        params[key[1:]] = cursor.key
        params[tie[1:]] = cursor.id
        op = ">" if later == self.ascending else "<"
        tie_op = op + ("=" if inclusive else "")
        return f"{self.key} {op} {key} OR ({self.key} = {key} AND {self.tie} {tie_op} {tie})"


def page_of(
    rows: Sequence[Mapping[str, Any]],
    *,
    window: Window,
    sort_name: str,
    total: int | None,
    beyond: bool,
) -> dict[str, Any]:
    """A Relay connection as plain dicts from the rows a window's statement returned
    (``{sortKey, node}`` maps, and ``tie`` where the node is an edge object; at most one
    more row than the window holds)."""
    kept = list(rows[: window.size])
    if window.backward:
        kept.reverse()
    edges = [
        {"cursor": Cursor(sort_name, row["sortKey"], _tie(row)).encode(), "node": row["node"]}
        for row in kept
    ]
    more = len(rows) > window.size
    return {
        "edges": edges,
        "total_count": total,
        "page_info": {
            "has_next_page": beyond if window.backward else more,
            "has_previous_page": more if window.backward else beyond,
            "start_cursor": edges[0]["cursor"] if edges else None,
            "end_cursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _tie(row: Mapping[str, Any]) -> str:
    """The row's id in the order: its node's id, or the far node's for an edge (``tie``)."""
    tie = row["tie"] if "tie" in row else row["node"]["id"]
    return str(tie)
