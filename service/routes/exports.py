"""GET /exports/{format}: the whole graph or a subgraph as GraphML, GEXF, Cytoscape.js JSON
or neo4j-admin import CSV (a zip)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from service.auth.authenticate import reader
from service.auth.principal import Principal
from service.exports.cytoscape import cytoscape_json
from service.exports.graph_files import gexf, graphml
from service.exports.neo4j_import import neo4j_import_zip
from service.exports.source import EdgeGroup, GraphSource, Item, Subgraph, WholeGraph
from service.http_problems import Problem
from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans import subgraph as subgraph_plan
from service.plans.errors import BadQueryInput
from service.plans.graph_items import check_names

router = APIRouter()


class ExportFormat(StrEnum):
    GRAPHML = "graphml"
    GEXF = "gexf"
    CYTOSCAPE = "cytoscape"
    CSV = "csv"


Writer = Callable[[GraphSource], AsyncIterator[bytes]]

# (writer, content type, file extension) per format.
_FORMATS: Final[dict[ExportFormat, tuple[Writer, str, str]]] = {
    ExportFormat.GRAPHML: (graphml, "application/graphml+xml; charset=utf-8", "graphml"),
    ExportFormat.GEXF: (gexf, "application/gexf+xml; charset=utf-8", "gexf"),
    ExportFormat.CYTOSCAPE: (cytoscape_json, "application/json", "cyjs.json"),
    ExportFormat.CSV: (neo4j_import_zip, "application/zip", "neo4j-import.zip"),
}


@router.get("/exports/{export_format}", summary="Export the graph or a subgraph")
async def export(
    request: Request,
    export_format: ExportFormat,
    _: Annotated[Principal | None, Depends(reader)],
    ids: Annotated[list[str] | None, Query(description="Seed node keys, Label:id.")] = None,
    depth: int = subgraph_plan.DEFAULT_SUBGRAPH_DEPTH,
    relationship_types: Annotated[list[str] | None, Query(alias="relationshipTypes")] = None,
    labels: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """With ``ids``: the subgraph the GraphQL ``subgraph`` field gives for the same
    arguments (and its bounds). Without: the whole graph, limited to ``labels`` and
    ``relationshipTypes`` when given, read in batches and streamed.

    Nothing is sent before the first bytes of the file exist, so a store that fails at
    once is a 503 problem; one that fails later cuts the transfer off (the request
    boundary drops the connection), never a short file that looks complete."""
    store = request.app.state.runtime.store
    writer, media_type, extension = _FORMATS[export_format]
    try:
        source: GraphSource
        if ids:
            subgraph = await subgraph_plan.subgraph(
                store,
                request=subgraph_plan.SubgraphRequest(
                    ids=ids, depth=depth, relationship_types=relationship_types, labels=labels
                ),
            )
            source, stem = Subgraph(subgraph), "evidence-graph-subgraph"
        else:
            source = WholeGraph(
                store,
                labels=check_names(labels, LABELS, argument="labels"),
                types=check_names(
                    relationship_types, tuple(RELATIONSHIP_TYPES), argument="relationshipTypes"
                ),
            )
            stem = "evidence-graph"
    except BadQueryInput as error:
        raise Problem(400, str(error), code="BAD_USER_INPUT", argument=error.argument) from None
    answered = _Answered(source)
    return StreamingResponse(
        await _started(writer(answered), answered),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{stem}.{extension}"'},
    )


class _Answered:
    """The source, noting when the store has first answered it."""

    def __init__(self, source: GraphSource) -> None:
        self._source = source
        self.answered = False

    async def nodes(self) -> AsyncIterator[tuple[str, list[Item]]]:
        async for batch in self._source.nodes():
            self.answered = True
            yield batch
        self.answered = True

    async def edges(self) -> AsyncIterator[tuple[EdgeGroup, list[Item]]]:
        async for batch in self._source.edges():
            self.answered = True
            yield batch
        self.answered = True


async def _started(chunks: AsyncIterator[bytes], source: _Answered) -> AsyncIterator[bytes]:
    """``chunks`` with what it produces before the store first answers already produced:
    an error up to then is raised here, while an error answer can still be sent."""
    head: list[bytes] = []
    async for chunk in chunks:
        head.append(chunk)
        if source.answered:
            break

    async def whole() -> AsyncIterator[bytes]:
        for chunk in head:
            yield chunk
        async for chunk in chunks:
            yield chunk

    return whole()
