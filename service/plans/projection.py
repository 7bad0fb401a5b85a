"""Turns a selection into one Cypher map expression over a bound node.

Nested relationships become ``COLLECT {}`` subqueries anchored on the bound node (fast
on both stores, and ordered). Maps are always written as literals with explicit keys:
the embedded store mishandles map projections nested inside map literals.
"""

from __future__ import annotations

import re
from typing import Any

from service.plans.errors import BadQueryInput
from service.plans.filter_logic import filter_condition
from service.plans.list_terms import FILTERS, normalised
from service.plans.nested_pages import NESTED_SORTS, NestedList, key_parts, nested_list
from service.plans.paging import Keyset, rows_to_read
from service.plans.selection import Selection
from service.plans.shapes import (
    COMPUTED,
    EDGE_SHAPES,
    LINKS,
    NESTED_ORDER,
    SCALARS,
    EdgeLink,
    EdgeShape,
    NodeLink,
)

_IGNORED = frozenset({"__typename"})


class UnknownField(LookupError):
    """The selection names a field the registry does not know: a bug in the schema layer."""


Params = dict[str, Any] | None


def node_map(
    label: str, var: str, selection: Selection, depth: int = 0, *, params: Params = None
) -> str:
    """A Cypher map literal with the selected fields of the node bound to ``var``.

    Nested connections (``studies_connection@key`` entries) take arguments, which become
    parameters in ``params``; a caller that gives none cannot answer them."""
    # Keyed by field so a scalar both selected and read by a computed field appears once.
    entries = {"id": f"id: {var}.id"}  # always present: the nested order and cursors rely on it
    for name, sub in selection.fields.items():
        if name in _IGNORED or name == "id":
            continue
        if name in SCALARS[label]:
            entries[name] = f"{_key(name)}: {var}.{_key(SCALARS[label][name])}"
        elif name in (computed := COMPUTED.get(label, {})):
            for needed in computed[name]:
                entries[needed] = f"{_key(needed)}: {var}.{_key(SCALARS[label][needed])}"
        elif isinstance(link := LINKS[label].get(name), NodeLink):
            entries[name] = f"{_key(name)}: {_node_link(link, var, sub, depth, params)}"
        elif isinstance(link, EdgeLink):
            entries[name] = f"{_key(name)}: {_edge_link(label, link, var, sub, depth, params)}"
        elif (nested := nested_list(label, key_parts(name)[0])) is not None:
            entries[name] = f"{_key(name)}: {_nested_page(label, nested, var, sub, depth, params)}"
        else:
            raise UnknownField(f"{label} has no field {name!r}")
    return "{" + ", ".join(entries.values()) + "}"


def order_by(label: str, var: str) -> str:
    return ", ".join(
        f"{var}.{_key(prop)}{' DESC' if descending else ''}"
        for prop, descending in NESTED_ORDER[label]
    )


def _node_link(link: NodeLink, var: str, selection: Selection, depth: int, params: Params) -> str:
    other = f"n{depth + 1}"
    pattern = _pattern(var, link.rel, link.direction, other, link.target, rel_var="")
    collected = (
        f"COLLECT {{ MATCH {pattern} WITH {other} ORDER BY {order_by(link.target, other)} "
        f"RETURN {node_map(link.target, other, selection, depth + 1, params=params)} AS item }}"
    )
    return collected if link.many else f"head({collected})"


def _edge_link(
    label: str, link: EdgeLink, var: str, selection: Selection, depth: int, params: Params
) -> str:
    shape = EDGE_SHAPES[link.shape]
    near_side = "from" if link.direction == "out" else "to"
    near_fields = [
        field for field, side, end_label in shape.ends if side == near_side and end_label == label
    ]
    far_ends = [(field, end_label) for field, side, end_label in shape.ends if side != near_side]
    parts = [
        _edge_link_to(shape, link, var, near_fields, far_field, far_label, selection, depth, params)
        for far_field, far_label in far_ends
    ]
    return " + ".join(parts)


def _edge_link_to(
    shape: EdgeShape,
    link: EdgeLink,
    var: str,
    near_fields: list[str],
    far_field: str,
    far_label: str,
    selection: Selection,
    depth: int,
    params: Params,
) -> str:
    other, rel = f"n{depth + 1}", f"r{depth + 1}"
    ends = {field: (var, _label_of(shape, field)) for field in near_fields}
    ends[far_field] = (other, far_label)
    entries = edge_map(link.shape, rel, ends, selection, depth + 2, params=params)
    pattern = _pattern(var, shape.rel, link.direction, other, far_label, rel_var=rel)
    return (
        f"COLLECT {{ MATCH {pattern} WITH {_carried(var, entries)}{rel}, {other} "
        f"ORDER BY {order_by(far_label, other)} RETURN {entries} AS item }}"
    )


def edge_map(
    shape_name: str,
    rel: str,
    ends: dict[str, tuple[str, str]],
    selection: Selection,
    depth: int = 0,
    *,
    params: Params = None,
) -> str:
    """A map literal of an edge object: the relationship's properties and its ends.

    ``ends`` maps each end field bound here to its (variable, label); an end field of
    the shape that is not bound (FUNDS reaches a study or an intervention) is null.
    """
    shape = EDGE_SHAPES[shape_name]
    entries = []
    for name, sub in selection.fields.items():
        if name in _IGNORED:
            continue
        if name in shape.scalars:
            entries.append(f"{_key(name)}: {rel}.{_key(shape.scalars[name])}")
        elif name in ends:
            var, label = ends[name]
            entries.append(f"{_key(name)}: {node_map(label, var, sub, depth, params=params)}")
        elif name in {end for end, _, _ in shape.ends}:
            entries.append(f"{_key(name)}: null")
        else:
            raise UnknownField(f"{shape_name} has no field {name!r}")
    return "{" + ", ".join(entries) + "}"


def _nested_page(
    label: str, nested: NestedList, var: str, selection: Selection, depth: int, params: Params
) -> str:
    """A nested connection's raw page: ``{rows, total, beyond}`` as paging.page_of reads it.

    ``rows`` holds the window's rows (one more when the page info asks whether another
    page follows) in reading order, each with its
    sort key and tie; ``total`` and ``beyond`` are counted only when selected.
    """
    if params is None:
        raise BadQueryInput("connection fields are not available here", argument="first")
    request = selection.arguments["page"]
    prefix = f"c{sum(1 for name in params if _PAGE_LIMIT.fullmatch(name))}_"
    window = nested.window(
        request,
        default_size=selection.arguments["default_size"],
        max_size=selection.arguments["max_size"],
    )
    page_info = selection.get("page_info") or Selection()
    params[f"{prefix}limit"] = rows_to_read(window, page_info)
    other, rel = f"n{depth + 1}", f"r{depth + 1}"
    match, where = _nested_match(label, nested, var, other, rel)
    if nested.filtered and request.filters:
        condition = filter_condition(
            nested.far_labels[0], FILTERS, normalised(request.filters), params, prefix=prefix
        )
        where = f"({where}) AND ({_rebind(condition, other, rel)})"
    sort_key = _rebind(_sort(nested, request), other, rel)
    tie = _tie(nested, other)
    ascending = request.direction == "ASC"
    keyset = Keyset(window, ascending, key=sort_key, tie=tie, prefix=prefix)
    item = _nested_item(label, nested, var, other, rel, selection, depth, params)
    carried = f"{_carried(var, item)}{rel}, {other}" if nested.edge else other
    parts = [
        f"rows: COLLECT {{ {match} WHERE ({where}) AND ({keyset.condition(params)}) "
        f"WITH {carried}, {sort_key} AS sortKey, {tie} AS tie "
        f"ORDER BY {Keyset(window, ascending, key='sortKey', tie='tie', prefix=prefix).order()} "
        f"LIMIT ${prefix}limit "
        f"RETURN {{sortKey: sortKey, tie: tie, node: {item}}} AS item }}"
    ]
    total = "null"
    if "total_count" in selection:
        total = f"COUNT {{ {match} WHERE {where} }}"
    parts.append(f"total: {total}")
    beyond = "false"
    wanted = "has_next_page" if window.backward else "has_previous_page"
    if wanted in page_info and (far_side := keyset.beyond(params)) is not None:
        beyond = f"COUNT {{ {match} WHERE ({where}) AND ({far_side}) }} > 0"
    parts.append(f"beyond: {beyond}")
    return "{" + ", ".join(parts) + "}"


_PAGE_LIMIT = re.compile(r"c\d+_limit")


def _rebind(fragment: str, node: str, rel: str) -> str:
    """A listing fragment over ``n0`` (and ``r0``) rewritten to the variables in use."""
    return re.sub(r"\br0\b", rel, re.sub(r"\bn0\b", node, fragment))


def _sort(nested: NestedList, request: Any) -> str:
    return NESTED_SORTS[nested.sorts][request.sort].expression


def _tie(nested: NestedList, other: str) -> str:
    """The far node's id; qualified by label where the far end may be of several labels."""
    if len(nested.far_labels) == 1:
        return f"{other}.id"
    cases = " ".join(f"WHEN {other}:{far} THEN '{far}/'" for far in nested.far_labels)
    return f"CASE {cases} END + {other}.id"


def _nested_match(
    label: str, nested: NestedList, var: str, other: str, rel: str
) -> tuple[str, str]:
    """The MATCH of a nested list's rows and a condition on the far node's label."""
    link = LINKS[label][nested.link]
    if isinstance(link, NodeLink):
        pattern = _pattern(var, link.rel, link.direction, other, link.target, rel_var="")
        return f"MATCH {pattern}", "true"
    shape = EDGE_SHAPES[link.shape]
    if len(nested.far_labels) == 1:
        pattern = _pattern(var, shape.rel, link.direction, other, nested.far_labels[0], rel_var=rel)
        return f"MATCH {pattern}", "true"
    pattern = _pattern(var, shape.rel, link.direction, other, "", rel_var=rel).replace(":)", ")")
    return f"MATCH {pattern}", " OR ".join(f"{other}:{far}" for far in nested.far_labels)


def _nested_item(
    label: str,
    nested: NestedList,
    var: str,
    other: str,
    rel: str,
    selection: Selection,
    depth: int,
    params: Params,
) -> str:
    """The map of one row: the far node, or the edge object with both ends."""
    edges = selection.get("edges") or Selection()
    node = edges.get("node") or Selection()
    link = LINKS[label][nested.link]
    if isinstance(link, NodeLink):
        return node_map(link.target, other, node, depth + 1, params=params)
    assert isinstance(link, EdgeLink)
    shape = EDGE_SHAPES[link.shape]
    near_side = "from" if link.direction == "out" else "to"
    near = {f: (var, end) for f, side, end in shape.ends if side == near_side and end == label}
    variants = []
    for far_field, side, far_label in shape.ends:
        if side == near_side:
            continue
        ends = {**near, far_field: (other, far_label)}
        variants.append(
            (far_label, edge_map(link.shape, rel, ends, node, depth + 2, params=params))
        )
    if len(variants) == 1:
        return variants[0][1]
    cases = " ".join(f"WHEN {other}:{far} THEN {entry}" for far, entry in variants)
    return f"CASE {cases} END"


def _carried(var: str, entries: str) -> str:
    """``var, `` when the row's map reads the near node, else nothing: every variable a
    WITH carries is copied into each row, which the embedded store pays for."""
    return f"{var}, " if re.search(rf"\b{var}\b", entries) else ""


def _label_of(shape: EdgeShape, field: str) -> str:
    return next(label for name, _, label in shape.ends if name == field)


def _pattern(var: str, rel: str, direction: str, other: str, label: str, *, rel_var: str) -> str:
    # Always start from the bound variable: the embedded store is far slower otherwise.
    if direction == "out":
        return f"({var})-[{rel_var}:{rel}]->({other}:{label})"
    return f"({var})<-[{rel_var}:{rel}]-({other}:{label})"


def _key(name: str) -> str:
    """Quote a key or property name so that Cypher keywords (``value``...) are safe."""
    return f"`{name}`"
