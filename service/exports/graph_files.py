"""GraphML and GEXF, written by networkx.

Node attributes: ``label`` (the display name, which Gephi, Cytoscape and yEd show),
``labels`` (``:Intervention``, the convention Neo4j's APOC GraphML export and import use)
and every stored property but ``id`` (the node id is ``Label:id``). Edge attributes:
``label`` (the relationship type) and its properties. Lists become JSON array strings:
neither format has a list type.

networkx builds the document from a graph held in memory, so these two formats are read
from the store in batches but assembled whole before the first byte goes out; CSV and
Cytoscape.js JSON stream all the way. Building the graph and the document is seconds of
CPU for a large graph, so it runs in a worker thread, a batch or a chunk at a time: the
event loop keeps answering other requests meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

import networkx as nx

from service.exports.properties import EDGE_COLUMNS, NODE_COLUMNS, flat, typed_properties
from service.exports.source import GraphSource, Item

_CHUNK_BYTES: Final = 64 * 1024


def node_attributes(label: str, node: Item) -> dict[str, Any]:
    properties = typed_properties(node["properties"], NODE_COLUMNS[label])
    return {
        "label": node["name"] or node["key"],
        "labels": f":{label}",
        **{name: flat(value) for name, value in properties.items()},
    }


def edge_attributes(edge: Item) -> dict[str, Any]:
    properties = typed_properties(edge["properties"], EDGE_COLUMNS[edge["type"]])
    return {"label": edge["type"], **{name: flat(value) for name, value in properties.items()}}


def edge_ids(edges: list[Item]) -> Iterator[tuple[str, Item]]:
    """``source|TYPE|target``, numbered when the same pair has two relationships of a type.

    Every edge of a start node is in the same batch, so numbering within it is enough.
    """
    seen: dict[str, int] = {}
    for edge in edges:
        base = f"{edge['source']}|{edge['type']}|{edge['target']}"
        seen[base] = seen.get(base, 0) + 1
        yield (base if seen[base] == 1 else f"{base}|{seen[base]}"), edge


async def read_graph(source: GraphSource, *, gexf: bool = False) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    # One batch at a time, each awaited before the next: the graph is never shared.
    async for label, nodes in source.nodes():
        await asyncio.to_thread(_add_nodes, graph, label, nodes)
    async for _group, edges in source.edges():
        await asyncio.to_thread(_add_edges, graph, edges, gexf=gexf)
    return graph


def _add_nodes(graph: nx.MultiDiGraph[str], label: str, nodes: list[Item]) -> None:
    for node in nodes:
        graph.add_node(node["key"], **node_attributes(label, node))


def _add_edges(graph: nx.MultiDiGraph[str], edges: list[Item], *, gexf: bool) -> None:
    for edge_id, edge in edge_ids(edges):
        extra = {"id": edge_id} if gexf else {}  # GEXF takes edge ids from an attribute
        graph.add_edge(
            edge["source"], edge["target"], key=edge_id, **edge_attributes(edge), **extra
        )


async def _from_thread(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The chunks, each produced in a worker thread (the first builds the whole document)."""
    while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
        yield chunk


def _chunks(lines: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line + "\n")
        size += len(line) + 1
        if size >= _CHUNK_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


async def graphml(source: GraphSource) -> AsyncIterator[bytes]:
    graph = await read_graph(source)
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
    async for chunk in _from_thread(_chunks(nx.generate_graphml(graph))):
        yield chunk


async def gexf(source: GraphSource) -> AsyncIterator[bytes]:
    graph = await read_graph(source, gexf=True)
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
    async for chunk in _from_thread(_chunks(nx.generate_gexf(graph))):
        yield chunk
