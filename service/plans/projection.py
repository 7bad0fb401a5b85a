"""Turns a selection into one Cypher map expression over a bound node.

Nested relationships become ``COLLECT {}`` subqueries anchored on the bound node (fast
on both stores, and ordered). Maps are always written as literals with explicit keys:
the embedded store mishandles map projections nested inside map literals.
"""

from __future__ import annotations

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


def node_map(label: str, var: str, selection: Selection, depth: int = 0) -> str:
    """A Cypher map literal with the selected fields of the node bound to ``var``."""
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
            entries[name] = f"{_key(name)}: {_node_link(link, var, sub, depth)}"
        elif isinstance(link, EdgeLink):
            entries[name] = f"{_key(name)}: {_edge_link(label, link, var, sub, depth)}"
        else:
            raise UnknownField(f"{label} has no field {name!r}")
    return "{" + ", ".join(entries.values()) + "}"


def order_by(label: str, var: str) -> str:
    return ", ".join(
        f"{var}.{_key(prop)}{' DESC' if descending else ''}"
        for prop, descending in NESTED_ORDER[label]
    )


def _node_link(link: NodeLink, var: str, selection: Selection, depth: int) -> str:
    other = f"n{depth + 1}"
    pattern = _pattern(var, link.rel, link.direction, other, link.target, rel_var="")
    collected = (
        f"COLLECT {{ MATCH {pattern} WITH {other} ORDER BY {order_by(link.target, other)} "
        f"RETURN {node_map(link.target, other, selection, depth + 1)} AS item }}"
    )
    return collected if link.many else f"head({collected})"


def _edge_link(label: str, link: EdgeLink, var: str, selection: Selection, depth: int) -> str:
    shape = EDGE_SHAPES[link.shape]
    near_side = "from" if link.direction == "out" else "to"
    near_fields = [
        field for field, side, end_label in shape.ends if side == near_side and end_label == label
    ]
    far_ends = [(field, end_label) for field, side, end_label in shape.ends if side != near_side]
    parts = [
        _edge_link_to(shape, link, var, near_fields, far_field, far_label, selection, depth)
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
) -> str:
    other, rel = f"n{depth + 1}", f"r{depth + 1}"
    ends = {field: (var, _label_of(shape, field)) for field in near_fields}
    ends[far_field] = (other, far_label)
    entries = edge_map(link.shape, rel, ends, selection, depth + 2)
    pattern = _pattern(var, shape.rel, link.direction, other, far_label, rel_var=rel)
    return (
        f"COLLECT {{ MATCH {pattern} WITH {var}, {rel}, {other} "
        f"ORDER BY {order_by(far_label, other)} RETURN {entries} AS item }}"
    )


def edge_map(
    shape_name: str,
    rel: str,
    ends: dict[str, tuple[str, str]],
    selection: Selection,
    depth: int = 0,
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
            entries.append(f"{_key(name)}: {node_map(label, var, sub, depth)}")
        elif name in {end for end, _, _ in shape.ends}:
            entries.append(f"{_key(name)}: null")
        else:
            raise UnknownField(f"{shape_name} has no field {name!r}")
    return "{" + ", ".join(entries) + "}"


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
