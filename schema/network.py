"""The multi-agency arrangement around an intervention, as nodes and edges."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON


@strawberry.type
class NetworkNode:
    key: str = strawberry.field(description="Unique in the network: Label:id.")
    id: strawberry.ID
    label: str
    name: str | None
    properties: JSON


@strawberry.type
class NetworkEdge:
    type: str
    source: str = strawberry.field(description="Key of the node the relationship starts at.")
    target: str = strawberry.field(description="Key of the node the relationship ends at.")
    properties: JSON


@strawberry.type
class Network:
    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
