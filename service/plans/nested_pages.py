"""Nested connections: every list a node links to, as a sorted, filtered, paged connection.

``Intervention.studies`` stays the whole list; ``Intervention.studiesConnection`` pages
the same studies with ``first``/``after``/``last``/``before``, a sort and (where the far
node has a list filter) a filter. Each is a field named ``<list>_connection`` beside the
list it pages. The page is read inside the parent's map by a ``COLLECT {}`` subquery
anchored on the parent, ordered and limited there, so no list is cut down in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from service.plans.errors import BadQueryInput
from service.plans.list_terms import FILTERS, SORTS, SortSpec
from service.plans.paging import PageRequest, Window, window_of
from service.plans.shapes import EDGE_SHAPES, LINKS, EdgeLink, NodeLink

SUFFIX: Final = "_connection"

# Sorts of the lists that have no root list of their own; expressions over ``n0`` as in
# list_terms.SORTS (edges: ``r0`` is the relationship), rewritten to the variables in use.
_MORE_SORTS: Final[dict[str, dict[str, SortSpec]]] = {
    "Finding": {
        "MEASURE": SortSpec("coalesce(n0.measure, '')", str),
        "FOLLOW_UP_MONTHS": SortSpec("coalesce(n0.followUpMonths, 0)", int),
    },
    "Rating": {
        "RATED_ON": SortSpec("coalesce(toString(n0.ratedOn), '')", str),
        "SCHEME": SortSpec("coalesce(n0.scheme, '')", str),
    },
    "Caveat": {"KIND": SortSpec("coalesce(n0.kind, '')", str)},
    "Person": {"NAME": SortSpec("coalesce(n0.name, '')", str)},
    "Funding": {
        "AWARDED_ON": SortSpec("coalesce(toString(r0.awardedOn), '')", str),
        "AMOUNT": SortSpec("coalesce(toFloat(r0.amount), 0.0)", float),
    },
}
NESTED_SORTS: Final[dict[str, dict[str, SortSpec]]] = {**SORTS, **_MORE_SORTS}


@dataclass(frozen=True)
class NestedList:
    """A list field ``link`` of a label, paged: sorted by the sorts of ``sorts`` (a label,
    or an edge shape whose own properties order it), filtered when ``filtered``."""

    link: str
    far_labels: tuple[str, ...]
    sorts: str
    filtered: bool
    edge: bool

    def sort_name(self, request: PageRequest) -> str:
        return f"{self.sorts}:{request.sort}:{request.direction}"

    def window(self, request: PageRequest, *, default_size: int, max_size: int) -> Window:
        """The checked window of a request; BadQueryInput names the argument at fault."""
        if request.sort not in NESTED_SORTS[self.sorts]:
            raise BadQueryInput(f"cannot sort {self.link} by {request.sort}", argument="sort")
        key_type = NESTED_SORTS[self.sorts][request.sort].key_type
        return window_of(
            first=request.first,
            last=request.last,
            after=request.after,
            before=request.before,
            sort_name=self.sort_name(request),
            key_types=(int, float) if key_type is float else (key_type,),
            default_size=default_size,
            max_size=max_size,
        )


def _nested(label: str, name: str) -> NestedList:
    link = LINKS[label][name]
    if isinstance(link, NodeLink):
        return NestedList(name, (link.target,), link.target, link.target in FILTERS, edge=False)
    assert isinstance(link, EdgeLink)
    shape = EDGE_SHAPES[link.shape]
    near_side = "from" if link.direction == "out" else "to"
    far = tuple(end_label for _, side, end_label in shape.ends if side != near_side)
    if link.shape in NESTED_SORTS:  # an edge with its own order (FUNDS: date, amount)
        return NestedList(name, far, link.shape, filtered=False, edge=True)
    [far_label] = far
    return NestedList(name, far, far_label, far_label in FILTERS, edge=True)


NESTED: Final[dict[str, dict[str, NestedList]]] = {
    label: {
        f"{name}{SUFFIX}": _nested(label, name)
        for name, link in links.items()
        if isinstance(link, EdgeLink) or link.many
    }
    for label, links in LINKS.items()
}


def nested_list(label: str, field: str) -> NestedList | None:
    return NESTED.get(label, {}).get(field)


def key_parts(key: str) -> tuple[str, str]:
    """A selection key ``field@responseKey`` split into the field and its response key."""
    field, _, response_key = key.partition("@")
    return field, response_key


def uses_nested_connections(fields: Any) -> bool:
    """Whether a selection (or any selection below it) holds a nested connection."""
    return any(
        "@" in key or key.endswith(SUFFIX) or uses_nested_connections(sub.fields)
        for key, sub in fields.items()
    )
