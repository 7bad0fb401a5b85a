"""The whole-graph views as benchmark shapes: the gap map, the practice gap, recommend, and
the network around one intervention, each with hand-written Cypher for the same facts.

The views' judgements (evidence levels, caveats, scores) are rules in Python that Cypher
cannot state, so each hand-written statement computes what the view is built from —
cells and their counts, usage, the candidates and who is excluded — and the check
before timing compares those. The rows are ordered the same way on both sides (by id
where the view orders by a judgement). The benchmark graph has no ongoing studies, so the
hand-written gap map leaves out the ONLY_ONGOING cells a graph with them would have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from bench.shapes import Rows, Shape

_CELL_SELECTION: Final = (
    "interventionId outcomeId status studyCount findingCount "
    "findingsByDirection { direction count }"
)
# Cells with a completed finding on the outcome or one beneath it, row by row (by name)
# and column by column (by domain, then name), as the service lists them.
_CELLS: Final = """
MATCH (i:Intervention)<-[:OF]-(f:Finding)-[:ON_OUTCOME]->(:Outcome)-[:PART_OF*0..4]->(o:Outcome)
WHERE ($kinds IS NULL OR i.kind IN $kinds) AND ($outcomeIds IS NULL OR o.id IN $outcomeIds)
MATCH (f)<-[:REPORTS]-(s:Study) WHERE s.status IS NULL OR s.status <> 'ONGOING'
WITH i, o, collect(DISTINCT f) AS findings, count(DISTINCT s) AS studies
UNWIND findings AS f
WITH i, o, studies, size(findings) AS findingCount,
  coalesce(f.direction, 'NOT_REPORTED') AS direction, count(*) AS n
ORDER BY direction
WITH i, o, studies, findingCount, collect({direction: direction, count: n}) AS byDirection
ORDER BY i.name, i.id, o.domain, o.name, o.id
RETURN i.id AS interventionId, o.id AS outcomeId, 'EVIDENCE' AS status,
  studies AS studyCount, findingCount, byDirection AS findingsByDirection
"""
_SLICE_KINDS: Final = ["SERVICE"]
_SLICE_OUTCOMES: Final = [f"o-{n}" for n in range(0, 500, 10)]
_RECOMMEND_OUTCOME: Final = "o-3"
_RECOMMEND_MAX_COST: Final = 3
_NETWORK_ID: Final = "i-500"


def _evidence_cells(data: dict[str, Any]) -> Rows:
    return [c for c in data["evidenceGapMap"]["cells"] if c["status"] != "ABSOLUTE_GAP"]


def _usage(data: dict[str, Any]) -> Rows:
    return sorted(data["practiceGap"]["ranking"], key=lambda row: str(row["interventionId"]))


def _candidates(data: dict[str, Any]) -> Rows:
    found = data["recommend"]
    rows = [
        {"interventionId": r["interventionId"], "excluded": False} for r in found["recommendations"]
    ]
    rows += [{"interventionId": r["interventionId"], "excluded": True} for r in found["excluded"]]
    return sorted(rows, key=lambda row: str(row["interventionId"]))


def _network(data: dict[str, Any]) -> Rows:
    network = data["network"]
    return [
        {
            "nodes": sorted(network["nodes"], key=lambda n: str(n["key"])),
            "edges": sorted(network["edges"], key=lambda e: (e["type"], e["source"], e["target"])),
        }
    ]


def view_shapes(shape: type[Shape]) -> tuple[Shape, ...]:
    """The view shapes, built with the benchmark's Shape (passed in: no import cycle)."""
    return (
        shape(
            key="gapmap",
            whole_graph=True,
            title="gap map: the whole graph, cells with evidence only (sparse)",
            query="{ evidenceGapMap(filter: {absoluteGaps: false}) "
            f"{{ cells {{ {_CELL_SELECTION} }} }} }}",
            variables={},
            cypher=_CELLS,
            params={"kinds": None, "outcomeIds": None},
            answer=_evidence_cells,
            # Older services list every cell (1,000,000 here) and have no such filter.
            optional=True,
        ),
        shape(
            key="gapmap-slice",
            whole_graph=True,
            title="gap map: one kind of intervention (~500) by 50 outcomes, every cell",
            query="query ($kinds: [InterventionKind!], $outcomes: [ID!]) { evidenceGapMap("
            "filter: {interventionKinds: $kinds, outcomeIds: $outcomes}) "
            f"{{ cells {{ {_CELL_SELECTION} }} }} }}",
            variables={"kinds": _SLICE_KINDS, "outcomes": _SLICE_OUTCOMES},
            cypher=_CELLS,
            params={"kinds": _SLICE_KINDS, "outcomeIds": _SLICE_OUTCOMES},
            answer=_evidence_cells,
        ),
        shape(
            key="practicegap",
            whole_graph=True,
            title="practice gap: every intervention's use and funding, against its evidence",
            query="{ practiceGap { ranking { interventionId kind deliveringAgencies funders } } }",
            variables={},
            cypher="""
MATCH (i:Intervention)
WITH i ORDER BY i.id
RETURN i.id AS interventionId, i.kind AS kind,
  COUNT { (i)<-[d:DELIVERS]-(:Agency) WHERE d.status IS NULL OR d.status <> 'ENDED' }
    AS deliveringAgencies,
  size(COLLECT { MATCH (i)<-[:FUNDS]-(a:Agency) RETURN DISTINCT a.id AS id }) AS funders
""",
            params={},
            answer=_usage,
        ),
        shape(
            key="recommend",
            whole_graph=True,
            title="recommend: interventions for one outcome (and those beneath it), cost ≤ 3",
            query="query ($outcome: ID!, $cost: Int) { recommend(context: "
            "{outcomeIds: [$outcome], maxCostRating: $cost}) "
            "{ recommendations { interventionId } excluded { interventionId } } }",
            variables={"outcome": _RECOMMEND_OUTCOME, "cost": _RECOMMEND_MAX_COST},
            cypher="""
MATCH (:Outcome {id: $outcome})<-[:PART_OF*0..4]-(n:Outcome)
WITH collect(n.id) AS wanted
MATCH (i:Intervention)
WHERE EXISTS { MATCH (i)<-[:OF]-(:Finding)-[:ON_OUTCOME]->(o:Outcome) WHERE o.id IN wanted }
   OR EXISTS { MATCH (i)-[:TARGETS]->(o:Outcome) WHERE o.id IN wanted }
WITH i ORDER BY i.id
RETURN i.id AS interventionId, coalesce(i.costRating > $cost, false) AS excluded
""",
            params={"outcome": _RECOMMEND_OUTCOME, "cost": _RECOMMEND_MAX_COST},
            answer=_candidates,
        ),
        shape(
            key="network",
            title="network: one intervention's agencies, studies, outcomes and ratings",
            query="query ($id: ID!) { network(interventionId: $id) "
            "{ nodes { key name } edges { type source target } } }",
            variables={"id": _NETWORK_ID},
            cypher="""
MATCH (i:Intervention {id: $id})
WITH i, [{key: 'Intervention:' + i.id, name: i.name}]
  + COLLECT { MATCH (i)<-[:PARTICIPATES_IN|DELIVERS|FUNDS|DEVELOPED]-(a:Agency)
              RETURN {key: 'Agency:' + a.id, name: a.name} AS n }
  + COLLECT { MATCH (i)<-[:EVALUATES]-(s:Study) RETURN {key: 'Study:' + s.id, name: s.title} AS n }
  + COLLECT { MATCH (i)-[:TARGETS]->(o:Outcome) RETURN {key: 'Outcome:' + o.id, name: o.name} AS n }
  + COLLECT { MATCH (i)<-[:RATES]-(g:Rating)
              RETURN {key: 'Rating:' + g.id, name: g.scheme + ' ' + g.value} AS n }
  + COLLECT { MATCH (i)<-[:RATES]-(:Rating)<-[:ISSUED]-(c:Agency)
              RETURN {key: 'Agency:' + c.id, name: c.name} AS n } AS nodes,
  COLLECT { MATCH (i)<-[r:PARTICIPATES_IN|DELIVERS|FUNDS|DEVELOPED]-(a:Agency)
            RETURN {type: type(r), source: 'Agency:' + a.id, target: 'Intervention:' + i.id} AS e }
  + COLLECT { MATCH (i)<-[r:EVALUATES]-(s:Study)
              RETURN {type: type(r), source: 'Study:' + s.id, target: 'Intervention:' + i.id} AS e }
  + COLLECT { MATCH (i)-[r:TARGETS]->(o:Outcome)
              RETURN {type: type(r), source: 'Intervention:' + i.id, target: 'Outcome:' + o.id} AS e }
  + COLLECT { MATCH (i)<-[r:RATES]-(g:Rating)
              RETURN {type: type(r), source: 'Rating:' + g.id, target: 'Intervention:' + i.id} AS e }
  + COLLECT { MATCH (i)<-[:RATES]-(g:Rating)<-[r:ISSUED]-(c:Agency)
              RETURN {type: type(r), source: 'Agency:' + c.id, target: 'Rating:' + g.id} AS e }
    AS edges
CALL (nodes) {
  UNWIND nodes AS n WITH DISTINCT n ORDER BY n.key RETURN collect(n) AS uniqueNodes
}
CALL (edges) {
  UNWIND edges AS e WITH e ORDER BY e.type, e.source, e.target RETURN collect(e) AS sortedEdges
}
RETURN uniqueNodes AS nodes, sortedEdges AS edges
""",
            params={"id": _NETWORK_ID},
            answer=_network,
        ),
    )
