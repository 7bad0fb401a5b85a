"""A synthetic graph of a chosen size, shaped like the real one, for the benchmark."""

from __future__ import annotations

import random
from dataclasses import dataclass

from service.graph_file import GraphFile, NodeRecord, RelationshipRecord

SOURCE = "Synthetic benchmark data (bench/generate.py)"
SECTORS = ["POLICE", "CHILDRENS_SOCIAL_CARE", "HEALTH", "EDUCATION", "PROBATION", "CHARITY"]
KINDS = ["PROGRAMME", "PRACTICE_MODEL", "SYSTEM_ARRANGEMENT", "SERVICE"]
DESIGNS = ["RCT", "QED", "PRE_POST", "OBSERVATIONAL", "QUALITATIVE"]
DIRECTIONS = ["FAVOURABLE", "NO_EFFECT", "UNFAVOURABLE", "MIXED"]


@dataclass(frozen=True)
class Size:
    interventions: int = 1_000
    agencies: int = 2_000
    studies_per_intervention: int = 3
    # A fraction means some studies report one finding more (3.5: three or four).
    findings_per_study: float = 3
    outcomes: int = 200
    participants_per_intervention: int = 6


def synthetic_graph(size: Size, seed: int = 7) -> GraphFile:
    rng = random.Random(seed)
    nodes: list[NodeRecord] = []
    rels: list[RelationshipRecord] = []

    def node(label: str, node_id: str, **properties: object) -> None:
        nodes.append(NodeRecord(label, node_id, SOURCE, dict(properties)))

    def rel(kind: str, a: tuple[str, str], b: tuple[str, str], **properties: object) -> None:
        rels.append(RelationshipRecord(kind, a[1], a[0], b[1], b[0], SOURCE, dict(properties)))

    outcomes = [("Outcome", f"o-{n}") for n in range(size.outcomes)]
    for n, outcome in enumerate(outcomes):
        node(*outcome, name=f"Outcome {n:04d}", domain="OTHER")
        if n >= 10:
            rel("PART_OF", outcome, outcomes[n % 10])
    agencies = [("Agency", f"a-{n}") for n in range(size.agencies)]
    for n, agency in enumerate(agencies):
        node(
            *agency,
            name=f"Agency {n:05d}",
            sector=rng.choice(SECTORS),
            areaType=rng.choice(["URBAN", "RURAL", "MIXED"]),
        )
    for n in range(size.interventions):
        intervention = ("Intervention", f"i-{n}")
        node(
            *intervention,
            name=f"Intervention {n:05d}",
            kind=rng.choice(KINDS),
            costRating=rng.randint(1, 5),
        )
        for agency in rng.sample(agencies, size.participants_per_intervention):
            rel("PARTICIPATES_IN", agency, intervention, role="member")
        for outcome in rng.sample(outcomes, 3):
            rel("TARGETS", intervention, outcome)
        for s in range(size.studies_per_intervention):
            study = ("Study", f"s-{n}-{s}")
            node(
                *study,
                title=f"Study {n}-{s}",
                year=rng.randint(1990, 2025),
                design=rng.choice(DESIGNS),
                status="COMPLETED",
            )
            rel("EVALUATES", study, intervention)
            rel("CONDUCTED", rng.choice(agencies), study, role="evaluator")
            whole = int(size.findings_per_study)
            extra = (
                whole < size.findings_per_study and rng.random() < size.findings_per_study - whole
            )
            for f in range(whole + extra):
                finding = ("Finding", f"f-{n}-{s}-{f}")
                node(
                    *finding,
                    measure=f"Measure {f}",
                    direction=rng.choice(DIRECTIONS),
                    effectSize=round(rng.uniform(-0.5, 1.0), 2),
                )
                rel("REPORTS", study, finding)
                rel("OF", finding, intervention)
                rel("ON_OUTCOME", finding, rng.choice(outcomes))
    return GraphFile(nodes=nodes, relationships=rels)
