"""The arrangement around one intervention as nodes and edges, for a graph view.

Node keys are ``Label:id`` because ids are unique per label, not across labels.
"""

from __future__ import annotations

from typing import Any, Final

from service.plans.graph_items import plain_item
from service.store import Store


def _statement(properties: bool) -> str:
    """The statement, each node's and edge's map with its properties or without."""

    def node(label: str, var: str, name: str) -> str:
        listed = f", properties: properties({var})" if properties else ""
        return (
            f"{{key: '{label}:' + {var}.id, id: {var}.id, label: '{label}', name: {name}{listed}}}"
        )

    def edge(rel: str, source: str, source_label: str, target: str, target_label: str) -> str:
        listed = f", properties: properties({rel})" if properties else ""
        return (
            f"{{type: type({rel}), source: '{source_label}:' + {source}.id, "
            f"target: '{target_label}:' + {target}.id{listed}}}"
        )

    return f"""
MATCH (i:Intervention {{id: $id}})
RETURN {node("Intervention", "i", "i.name")} AS centre,
  COLLECT {{
    MATCH (i)<-[r:PARTICIPATES_IN|DELIVERS|FUNDS|DEVELOPED]-(a:Agency)
    WITH i, r, a ORDER BY a.name, a.id, type(r)
    RETURN {{node: {node("Agency", "a", "a.name")},
            edge: {edge("r", "a", "Agency", "i", "Intervention")}}} AS item
  }} AS agencies,
  COLLECT {{
    MATCH (i)<-[r:EVALUATES]-(s:Study)
    WITH i, r, s ORDER BY s.year DESC, s.id
    RETURN {{node: {node("Study", "s", "s.title")},
            edge: {edge("r", "s", "Study", "i", "Intervention")}}} AS item
  }} AS studies,
  COLLECT {{
    MATCH (i)-[r:TARGETS]->(o:Outcome)
    WITH i, r, o ORDER BY o.name, o.id
    RETURN {{node: {node("Outcome", "o", "o.name")},
            edge: {edge("r", "i", "Intervention", "o", "Outcome")}}} AS item
  }} AS outcomes,
  COLLECT {{
    MATCH (i)<-[r:RATES]-(g:Rating)
    WITH i, r, g ORDER BY g.ratedOn DESC, g.id
    RETURN {{node: {node("Rating", "g", "g.scheme + ' ' + g.value")},
            edge: {edge("r", "g", "Rating", "i", "Intervention")}}} AS item
  }} AS ratings,
  COLLECT {{
    MATCH (i)<-[:RATES]-(g:Rating)<-[r:ISSUED]-(c:Agency)
    WITH r, g, c ORDER BY c.name, g.id
    RETURN {{node: {node("Agency", "c", "c.name")},
            edge: {edge("r", "c", "Agency", "g", "Rating")}}} AS item
  }} AS issuers
"""


NETWORK: Final = _statement(properties=True)
# A graph view that draws only keys and names (as the compiled path asks,
# schema/compiled_views.py) spares the store reading every property of every item.
WITHOUT_PROPERTIES: Final = _statement(properties=False)
_GROUPS: Final = ("agencies", "studies", "outcomes", "ratings", "issuers")


async def network(
    store: Store, *, intervention_id: str, properties: bool = True
) -> dict[str, Any] | None:
    """Nodes (deduplicated by key) and edges around the intervention, or None if unknown;
    without ``properties`` their maps leave them out."""
    statement = NETWORK if properties else WITHOUT_PROPERTIES
    rows = await store.read(statement, {"id": intervention_id})
    if not rows:
        return None
    row = rows[0]
    plain = plain_item if properties else _as_read
    nodes: dict[str, dict[str, Any]] = {row["centre"]["key"]: plain(row["centre"])}
    edges = []
    for group in _GROUPS:
        for item in row[group]:
            nodes.setdefault(item["node"]["key"], plain(item["node"]))
            edges.append(plain(item["edge"]))
    return {"nodes": list(nodes.values()), "edges": edges}


def _as_read(item: dict[str, Any]) -> dict[str, Any]:
    return item
