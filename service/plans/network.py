"""The arrangement around one intervention as nodes and edges, for a graph view.

Node keys are ``Label:id`` because ids are unique per label, not across labels.
"""

from __future__ import annotations

from typing import Any, Final

from service.plans.graph_items import plain_item
from service.store import Store

_NODE: Final = "{{key: '{label}:' + {v}.id, id: {v}.id, label: '{label}', name: {name}, properties: properties({v})}}"


def _node(label: str, var: str, name: str) -> str:
    return _NODE.format(label=label, v=var, name=name)


def _edge(rel: str, source: str, source_label: str, target: str, target_label: str) -> str:
    return (
        f"{{type: type({rel}), source: '{source_label}:' + {source}.id, "
        f"target: '{target_label}:' + {target}.id, properties: properties({rel})}}"
    )


NETWORK: Final = f"""
MATCH (i:Intervention {{id: $id}})
RETURN {_node("Intervention", "i", "i.name")} AS centre,
  COLLECT {{
    MATCH (i)<-[r:PARTICIPATES_IN|DELIVERS|FUNDS|DEVELOPED]-(a:Agency)
    WITH i, r, a ORDER BY a.name, a.id, type(r)
    RETURN {{node: {_node("Agency", "a", "a.name")},
            edge: {_edge("r", "a", "Agency", "i", "Intervention")}}} AS item
  }} AS agencies,
  COLLECT {{
    MATCH (i)<-[r:EVALUATES]-(s:Study)
    WITH i, r, s ORDER BY s.year DESC, s.id
    RETURN {{node: {_node("Study", "s", "s.title")},
            edge: {_edge("r", "s", "Study", "i", "Intervention")}}} AS item
  }} AS studies,
  COLLECT {{
    MATCH (i)-[r:TARGETS]->(o:Outcome)
    WITH i, r, o ORDER BY o.name, o.id
    RETURN {{node: {_node("Outcome", "o", "o.name")},
            edge: {_edge("r", "i", "Intervention", "o", "Outcome")}}} AS item
  }} AS outcomes,
  COLLECT {{
    MATCH (i)<-[r:RATES]-(g:Rating)
    WITH i, r, g ORDER BY g.ratedOn DESC, g.id
    RETURN {{node: {_node("Rating", "g", "g.scheme + ' ' + g.value")},
            edge: {_edge("r", "g", "Rating", "i", "Intervention")}}} AS item
  }} AS ratings,
  COLLECT {{
    MATCH (i)<-[:RATES]-(g:Rating)<-[r:ISSUED]-(c:Agency)
    WITH r, g, c ORDER BY c.name, g.id
    RETURN {{node: {_node("Agency", "c", "c.name")},
            edge: {_edge("r", "c", "Agency", "g", "Rating")}}} AS item
  }} AS issuers
"""

_GROUPS: Final = ("agencies", "studies", "outcomes", "ratings", "issuers")


async def network(store: Store, *, intervention_id: str) -> dict[str, Any] | None:
    """Nodes (deduplicated by key) and edges around the intervention, or None if unknown."""
    rows = await store.read(NETWORK, {"id": intervention_id})
    if not rows:
        return None
    row = rows[0]
    nodes: dict[str, dict[str, Any]] = {row["centre"]["key"]: plain_item(row["centre"])}
    edges = []
    for group in _GROUPS:
        for item in row[group]:
            nodes.setdefault(item["node"]["key"], plain_item(item["node"]))
            edges.append(plain_item(item["edge"]))
    return {"nodes": list(nodes.values()), "edges": edges}
