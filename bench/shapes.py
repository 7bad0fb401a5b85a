"""The request shapes the benchmark compares: a GraphQL document and hand-written Cypher.

Each shape asks for the same information both ways. ``answer`` turns the GraphQL
response's ``data`` into the rows the hand-written statement returns, so the two can be
compared before anything is timed. Nested lists keep the service's documented order
(agencies by name, studies newest first, findings by measure, outcomes by name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from bench.view_shapes import view_shapes

Rows = list[dict[str, Any]]

_PARTICIPANTS: Final = (
    "COLLECT { MATCH (i)<-[p:PARTICIPATES_IN]-(a:Agency) WITH p, a ORDER BY a.name, a.id "
    "RETURN {role: p.role, agency: {id: a.id, name: a.name, sector: a.sector}} }"
)
_STUDIES_FLAT: Final = (
    "COLLECT { MATCH (i)<-[:EVALUATES]-(s:Study) WITH s ORDER BY s.year DESC, s.title, s.id "
    "RETURN {id: s.id, title: s.title, year: s.year, design: s.design} }"
)
_STUDIES_DEEP: Final = (
    "COLLECT { MATCH (i)<-[:EVALUATES]-(s:Study) WITH s ORDER BY s.year DESC, s.title, s.id "
    "RETURN {id: s.id, title: s.title, findings: COLLECT { MATCH (s)-[:REPORTS]->(f:Finding) "
    "WITH f ORDER BY f.measure, f.id RETURN {id: f.id, direction: f.direction, "
    "effectSize: f.effectSize, outcomes: COLLECT { MATCH (f)-[:ON_OUTCOME]->(o:Outcome) "
    "WITH o ORDER BY o.name, o.id RETURN {id: o.id, name: o.name} }} }} }"
)
_DEEP_SELECTION: Final = (
    "id name studies { id title findings { id direction effectSize outcomes { id name } } }"
)
C_IDS: Final = [f"i-{n}" for n in range(100, 2000, 190)]


@dataclass(frozen=True)
class Shape:
    key: str
    title: str
    query: str
    variables: dict[str, Any]
    cypher: str
    params: dict[str, Any]
    # The GraphQL ``data`` as the hand-written statement's rows.
    answer: Callable[[dict[str, Any]], Rows]
    # Needs a feature older versions of the service lack; skipped when it does not validate.
    optional: bool = False
    # A mutation: sent with a writer's API key; the statement runs in a write transaction.
    write: bool = False
    # A whole-graph view: its hand-written statement takes seconds to minutes, so it runs
    # at BENCH_VIEW_CONCURRENCY (bench/run.py) rather than at every BENCH_CONCURRENCY.
    whole_graph: bool = False


def _by_id(rows: Rows) -> Rows:
    return sorted(rows, key=lambda row: str(row["id"]))


SHAPES: tuple[Shape, ...] = (
    Shape(
        key="a",
        title="a: one intervention by id + participants (role, agency) + studies",
        query="query A($id: ID!) { intervention(id: $id) { id name kind "
        "participants { role agency { id name sector } } studies { id title year design } } }",
        variables={"id": "i-500"},
        cypher=(
            "MATCH (i:Intervention {id: $id}) RETURN i.id AS id, i.name AS name, i.kind AS kind, "
            f"{_PARTICIPANTS} AS participants, {_STUDIES_FLAT} AS studies"
        ),
        params={"id": "i-500"},
        answer=lambda data: [data["intervention"]],
    ),
    Shape(
        key="b",
        title="b: 20 interventions of a kind, by name, each with its participating agencies",
        query="query B($kind: InterventionKind!) { interventions(first: 20, "
        "filter: {kindIn: [$kind]}, sort: NAME) { edges { node { id name "
        "participants { role agency { id name sector } } } } } }",
        variables={"kind": "PROGRAMME"},
        cypher=(
            "MATCH (i:Intervention) WHERE i.kind = $kind WITH i ORDER BY i.name, i.id LIMIT 20 "
            f"RETURN i.id AS id, i.name AS name, {_PARTICIPANTS} AS participants"
        ),
        params={"kind": "PROGRAMME"},
        answer=lambda data: [edge["node"] for edge in data["interventions"]["edges"]],
    ),
    Shape(
        key="c-aliases",
        title="c: 10 interventions → studies → findings → outcomes, as 10 aliased root fields",
        query="{ "
        + " ".join(
            f'i{n}: intervention(id: "{id_}") {{ {_DEEP_SELECTION} }}'
            for n, id_ in enumerate(C_IDS)
        )
        + " }",
        variables={},
        cypher=(
            "MATCH (i:Intervention) WHERE i.id IN $ids "
            f"RETURN i.id AS id, i.name AS name, {_STUDIES_DEEP} AS studies"
        ),
        params={"ids": C_IDS},
        answer=lambda data: _by_id(list(data.values())),
    ),
    Shape(
        key="c-ids",
        title="c: the same 10 interventions in one list field, by `ids`",
        query="query C($ids: [ID!]) { interventions(first: 10, filter: {ids: $ids}) "
        f"{{ edges {{ node {{ {_DEEP_SELECTION} }} }} }} }}",
        variables={"ids": C_IDS},
        cypher=(
            "MATCH (i:Intervention) WHERE i.id IN $ids "
            f"RETURN i.id AS id, i.name AS name, {_STUDIES_DEEP} AS studies"
        ),
        params={"ids": C_IDS},
        answer=lambda data: _by_id([edge["node"] for edge in data["interventions"]["edges"]]),
        optional=True,
    ),
    *view_shapes(Shape),
)


_AGENCY: Final = {"id": "bench-agency", "name": "Bench Agency", "sector": "CHARITY"}
SHAPES += (
    Shape(
        key="m",
        title="m: upsert one agency (the same one again: checked, nothing changes)",
        query="mutation M($input: AgencyInput!) { upsertAgency(input: $input) "
        "{ agency { id name sector } } }",
        variables={"input": {**_AGENCY, "source": "https://example.org/bench"}},
        cypher=(
            "MERGE (a:Agency {id: $id}) ON CREATE SET a.createdAt = datetime() "
            "SET a.name = $name, a.sector = $sector, a.source = $source, "
            "a.recordedBy = 'bench', a.updatedAt = datetime() "
            "RETURN a.id AS id, a.name AS name, a.sector AS sector"
        ),
        params={**_AGENCY, "source": "https://example.org/bench"},
        answer=lambda data: [data["upsertAgency"]["agency"]],
        write=True,
    ),
)


def raw_answer(shape: Shape, rows: Rows) -> Rows:
    """The hand-written statement's rows in the order ``answer`` gives the service's."""
    return _by_id(rows) if shape.key.startswith("c") else rows
