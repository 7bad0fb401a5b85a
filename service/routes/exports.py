"""GET /exports/{format}: the whole graph or a subgraph as GraphML, GEXF, Cytoscape.js JSON
or neo4j-admin import CSV (a zip)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from service.auth.reads import refuse_closed_read
from service.exports.cytoscape import cytoscape_json
from service.exports.graph_files import gexf, graphml
from service.exports.neo4j_import import neo4j_import_zip
from service.exports.source import GraphSource, Subgraph, WholeGraph
from service.model import LABELS, RELATIONSHIP_TYPES
from service.plans import subgraph as subgraph_plan
from service.plans.errors import BadQueryInput
from service.plans.graph_items import check_names

logger = logging.getLogger(__name__)

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
    ids: Annotated[list[str] | None, Query(description="Seed node keys, Label:id.")] = None,
    depth: int = subgraph_plan.DEFAULT_SUBGRAPH_DEPTH,
    relationship_types: Annotated[list[str] | None, Query(alias="relationshipTypes")] = None,
    labels: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """With ``ids``: the subgraph the GraphQL ``subgraph`` field gives for the same
    arguments (and its bounds). Without: the whole graph, limited to ``labels`` and
    ``relationshipTypes`` when given, read in batches and streamed."""
    if refused := await refuse_closed_read(request):
        return refused
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
        return JSONResponse(
            {"error": str(error), "code": "BAD_USER_INPUT", "argument": error.argument},
            status_code=400,
        )
    except (ServiceUnavailable, SessionExpired) as error:
        logger.warning("store unavailable: %s", error)
        return JSONResponse(
            {
                "error": "The database is unavailable; try again shortly.",
                "code": "STORE_UNAVAILABLE",
            },
            status_code=503,
        )
    return StreamingResponse(
        writer(source),
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{stem}.{extension}"'},
    )
