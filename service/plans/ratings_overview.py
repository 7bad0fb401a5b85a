"""Every clearinghouse rating of one intervention: current per scheme and topic, history,
and whether the schemes disagree (service/rules/rating_scale.py)."""

from __future__ import annotations

from typing import Any

from service.plans.projection import node_map
from service.plans.selection import Selection
from service.rules.judgement import current_rating_caveats
from service.rules.rating_scale import label_of, summarise
from service.store import Store

_NEEDED = ("scheme", "value", "topic", "rated_on")
# Every rating's caveats are read, selected or not: the overview lists them beside it.
_CAVEATS = Selection({"caveats": Selection({"kind": Selection(), "text": Selection()})})


def ratings_statement(rating_selection: Selection) -> str:
    fields = dict(_merge(rating_selection, _CAVEATS).fields)
    for name in _NEEDED:
        fields.setdefault(name, Selection())
    rating = node_map("Rating", "n1", Selection(fields), depth=1)
    return (
        "MATCH (n0:Intervention {id: $id}) "
        "RETURN n0.id AS id, n0.name AS name, "
        "COLLECT { MATCH (n0)<-[:RATES]-(n1:Rating) WITH n1 ORDER BY n1.ratedOn DESC, n1.id "
        f"RETURN {rating} AS item }} AS ratings"
    )


async def ratings_overview(
    store: Store, *, intervention_id: str, selection: Selection
) -> dict[str, Any] | None:
    """``selection`` is the overview's own selection (current/history hold Rating fields)."""
    rating_selection = Selection()
    for part in ("current", "history"):
        if (sub := selection.get(part)) is not None:
            rating_selection = _merge(rating_selection, sub)
    rows = await store.read(ratings_statement(rating_selection), {"id": intervention_id})
    if not rows:
        return None
    summary = summarise(rows[0]["ratings"])
    return {
        "intervention_id": rows[0]["id"],
        "intervention_name": rows[0]["name"],
        "current": summary.current,
        "history": summary.history,
        "schemes_disagree": summary.schemes_disagree,
        "caveats": current_rating_caveats(summary),
        "by_scheme": [
            {"scheme": scheme, "common_scale": level, "common_scale_label": label_of(level)}
            for scheme, level in sorted(summary.best_by_scheme.items())
        ],
    }


def _merge(a: Selection, b: Selection) -> Selection:
    fields = dict(a.fields)
    for name, sub in b.fields.items():
        fields[name] = _merge(fields[name], sub) if name in fields else sub
    return Selection(fields)
