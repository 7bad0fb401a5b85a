"""What one write changes on one node or relationship, and where each property comes from.

Every write names its source. The properties it changes are attributed to that source
(or to the citation the write gives for one property); the properties it leaves as they
were keep the citation they had. ``source`` on the node or relationship is the citation
of its latest write, and ``propertySources`` (JSON text: property name to citation, since
Neo4j properties cannot hold maps) lists only the properties whose citation differs from
it, so a fact written once from one source carries no extra property. So re-importing a
programme from a second source that corrects one property relabels that property alone.

Mutations and imports both decide here, so a record already in the graph as given counts
as unchanged on either path and their change-log entries hold the same fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

PROPERTY_SOURCES: Final = "propertySources"
# Stored beside the facts but not facts themselves: provenance and the store's bookkeeping.
NOT_FACTS: Final = frozenset(
    {
        "id",
        "source",
        "sources",
        PROPERTY_SOURCES,
        "recordedBy",
        "createdAt",
        "updatedAt",
        "recordedAt",
    }
)


class Status(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Plan:
    """What a write does to one node or relationship (``before`` its stored properties)."""

    status: Status
    changed: tuple[str, ...]  # facts whose value this write sets or removes
    kept: tuple[str, ...]  # facts already there that it leaves, with their citations
    citations: dict[str, str] = field(default_factory=dict)  # the new ``propertySources``

    @property
    def stored_citations(self) -> str | None:
        """``propertySources`` as stored: JSON text, or None (removed) when empty."""
        return json.dumps(self.citations, sort_keys=True) if self.citations else None


def facts(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        k: v
        for k, v in (stored or {}).items()
        if k not in NOT_FACTS and not k.startswith("_") and v is not None
    }


def citations(stored: Mapping[str, Any] | None) -> dict[str, str]:
    """The stored ``propertySources`` as a map (empty when every fact comes from ``source``)."""
    text = (stored or {}).get(PROPERTY_SOURCES)
    if not isinstance(text, str) or not text:
        return {}
    parsed = json.loads(text)
    return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}


def plan(
    before: Mapping[str, Any] | None,
    values: Mapping[str, Any],
    *,
    source: str,
    given_citations: Mapping[str, str] | None = None,
) -> Plan:
    """Decide what writing checked ``values`` from ``source`` does.

    ``values`` may hold None (remove the property) and ``sources`` (every citation of the
    record). ``given_citations`` names, per property, a citation other than ``source``
    (a graph file's per-property sources).
    """
    old = facts(before)
    given = given_citations or {}
    changed = tuple(sorted(k for k, v in values.items() if k not in NOT_FACTS and old.get(k) != v))
    kept = tuple(sorted(k for k in old if k not in changed))
    old_citations = citations(before)
    old_source = (before or {}).get("source")
    sources_changed = "sources" in values and (before or {}).get("sources") != values["sources"]
    if before is not None and not changed and old_source == source and not sources_changed:
        return Plan(Status.UNCHANGED, changed, kept, old_citations)
    cited: dict[str, str | None] = {k: old_citations.get(k, old_source) for k in kept}
    cited.update({k: given.get(k, source) for k in changed if values[k] is not None})
    return Plan(
        Status.CREATED if before is None else Status.UPDATED,
        changed,
        kept,
        {k: c for k, c in sorted(cited.items()) if c is not None and c != source},
    )
