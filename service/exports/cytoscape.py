"""Cytoscape.js JSON (``{"elements": {"nodes": [...], "edges": [...]}}``), streamed.

Element data mirrors the GraphQL ``network`` and ``subgraph`` types: nodes carry ``id``
(the key ``Label:id``), ``label``, ``name`` and ``properties``; edges carry ``id``,
``source``, ``target``, ``type`` and ``properties``. Properties stay nested because
Cytoscape.js reserves ``id``, ``source`` and ``target``, which are also property names.
See https://js.cytoscape.org/#notation/elements-json for the element format.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from service.exports.graph_files import edge_ids
from service.exports.source import GraphSource


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def cytoscape_json(source: GraphSource) -> AsyncIterator[bytes]:
    yield b'{"elements":{"nodes":['
    first = True
    async for _label, nodes in source.nodes():
        batch = [
            _json(
                {
                    "data": {
                        "id": node["key"],
                        "label": node["label"],
                        "name": node["name"],
                        "properties": node["properties"],
                    }
                }
            )
            for node in nodes
        ]
        yield (b"" if first else b",") + b",".join(batch)
        first = False
    yield b'],"edges":['
    first = True
    async for _group, edges in source.edges():
        batch = [_json({"data": {"id": edge_id, **edge}}) for edge_id, edge in edge_ids(edges)]
        yield (b"" if first else b",") + b",".join(batch)
        first = False
    yield b"]}}\n"
