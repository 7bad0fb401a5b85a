"""Nodes and edges as a graph view sees them: keys ``Label:id``, a display name, properties.

Ids are unique per label, not across labels, so a node is named by its key. The Cypher
fragments here build the same node and edge maps the ``network`` plan returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from service.model import LABELS
from service.plans.errors import BadQueryInput

# What a graph view shows on a node of each label; Ratings have no name of their own.
LABEL_NAMES: Final = {
    "Intervention": "{v}.name",
    "Agency": "{v}.name",
    "Study": "{v}.title",
    "Finding": "{v}.measure",
    "Outcome": "{v}.name",
    "Rating": "{v}.scheme + ' ' + {v}.value",
    "Trial": "{v}.name",
    "Caveat": "{v}.kind + ': ' + {v}.text",
    "Person": "{v}.name",
}
# The same when the label is only known at run time.
DISPLAY_NAME: Final = (
    "CASE WHEN {v}:Rating THEN {v}.scheme + ' ' + {v}.value "
    "WHEN {v}:Caveat THEN {v}.kind + ': ' + {v}.text "
    "ELSE coalesce({v}.name, {v}.title, {v}.measure) END"
)
# The node's label from the registry (Neo4j nodes may carry labels the model does not know).
MODEL_LABEL: Final = "[l IN labels({v}) WHERE l IN $modelLabels][0]"


def node_map(var: str, label: str | None = None) -> str:
    """A map literal for node ``var``; pass the ``label`` (from the registry) when the
    statement already knows it, which spares the store working it out per node."""
    if label is not None:
        return (
            f"{{key: '{label}:' + {var}.id, id: {var}.id, label: '{label}', "
            f"name: {LABEL_NAMES[label].format(v=var)}, properties: properties({var})}}"
        )
    label = MODEL_LABEL.format(v=var)
    name = DISPLAY_NAME.format(v=var)
    return (
        f"{{key: {label} + ':' + {var}.id, id: {var}.id, label: {label}, "
        f"name: {name}, properties: properties({var})}}"
    )


def edge_map(rel: str, start: str, end: str, labels: tuple[str, str, str] | None = None) -> str:
    """A map literal for relationship ``rel`` from node ``start`` to node ``end``; pass
    ``labels`` (type, start label, end label, from the registry) when they are known."""
    if labels is not None:
        rel_type, start_label, end_label = labels
        return (
            f"{{type: '{rel_type}', source: '{start_label}:' + {start}.id, "
            f"target: '{end_label}:' + {end}.id, properties: properties({rel})}}"
        )
    return (
        f"{{type: type({rel}), source: {MODEL_LABEL.format(v=start)} + ':' + {start}.id, "
        f"target: {MODEL_LABEL.format(v=end)} + ':' + {end}.id, properties: properties({rel})}}"
    )


def model_labels() -> dict[str, Any]:
    """The ``$modelLabels`` parameter the fragments above read."""
    return {"modelLabels": list(LABELS)}


def parse_key(key: str, *, argument: str) -> tuple[str, str]:
    """Split ``Label:id`` into the registry's label and the id, or refuse it."""
    label, sep, node_id = key.partition(":")
    if not sep or not node_id:
        raise BadQueryInput(f"{key!r} is not a node key of the form Label:id", argument=argument)
    if label not in LABELS:
        raise BadQueryInput(
            f"{key!r} names an unknown label; known: {', '.join(LABELS)}", argument=argument
        )
    return LABELS[LABELS.index(label)], node_id


def check_names(
    names: Sequence[str] | None, known: Sequence[str], *, argument: str
) -> tuple[str, ...]:
    """The named labels or types, or all of them for None; unknown names are refused."""
    if names is None:
        return tuple(known)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise BadQueryInput(
            f"{argument} has unknown names: {', '.join(unknown)}", argument=argument
        )
    return tuple(name for name in known if name in names)


def plain_item(item: dict[str, Any]) -> dict[str, Any]:
    """Make ``properties`` JSON-ready: dates and times as ISO 8601 strings, keys sorted."""
    properties = {
        key: value.isoformat() if isinstance(value, dt.date | dt.time) else value
        for key, value in sorted(item["properties"].items())
    }
    return {**item, "properties": properties}
