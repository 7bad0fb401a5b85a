"""docs/graph-model.md: it names the whole model, and each example query returns the
rows stated here when run on the example data."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Final

import pytest

from service.model import LABELS, NODE_PROPERTIES, RELATIONSHIP_TYPES
from service.store import Store

DOC: Final = Path(__file__).resolve().parent.parent / "docs" / "graph-model.md"
_QUESTION: Final = re.compile(r"^### (\d+)\. (.+?)\n\n```cypher\n(.*?)```", re.M | re.S)

DFE = "Department for Education"
KCL = "King's College London (Health and Social Care Workforce Research Unit)"
WWCSC = "What Works for Children's Social Care (now part of Foundations)"
EIF_REVIEW = "Improving the effectiveness of the child protection system: Overview"
FGC = "Family group conferencing"
IY = "Incredible Years"
IY_PRESCHOOL = "Incredible Years Preschool (BASIC)"
MASH = "Multi-Agency Safeguarding Hub"
PCIT = "Parent-Child Interaction Therapy"
SOS = "Signs of Safety"

EXPECTED: Final[dict[int, list[dict[str, Any]]]] = {
    1: [
        {"agency": DFE, "involvements": 2},
        {"agency": KCL, "involvements": 2},
        {"agency": WWCSC, "involvements": 2},
    ],
    2: [{"design": "EVIDENCE_REVIEW", "studies": 1, "titles": [EIF_REVIEW]}],
    3: [
        {"intervention": FGC, "design": "EVIDENCE_REVIEW", "studies": 1},
        {"intervention": FGC, "design": "MIXED_METHODS", "studies": 1},
        {"intervention": FGC, "design": "RCT", "studies": 1},
        {"intervention": IY, "design": "EVIDENCE_REVIEW", "studies": 1},
        {"intervention": IY_PRESCHOOL, "design": "RCT", "studies": 1},
        {"intervention": MASH, "design": "EVIDENCE_REVIEW", "studies": 1},
        {"intervention": PCIT, "design": "EVIDENCE_REVIEW", "studies": 1},
        {"intervention": PCIT, "design": "RCT", "studies": 1},
        {"intervention": SOS, "design": "EVIDENCE_REVIEW", "studies": 1},
        {"intervention": SOS, "design": "MIXED_METHODS", "studies": 2},
    ],
    5: [
        {"intervention": FGC, "trials": 1, "findings": 1},
        {"intervention": IY_PRESCHOOL, "trials": 1, "findings": 2},
        {"intervention": PCIT, "trials": 1, "findings": 1},
    ],
    6: [{"intervention": "Family group decision making"}, {"intervention": "Family therapy"}],
    7: [
        {"funder": "Adoption Support Fund", "funds": "Intervention", "what": "Family therapy"},
        {"funder": DFE, "funds": "Study", "what": "Evaluation of Signs of Safety in 10 pilots"},
        {
            "funder": DFE,
            "funds": "Intervention",
            "what": SOS,
            "amount": 4_800_000,
            "currency": "GBP",
        },
        {
            "funder": WWCSC,
            "funds": "Study",
            "what": "Impact of Family Group Conference Referrals at Pre-Proceedings Stage on "
            "Child Outcomes: A Randomised Controlled Trial",
        },
    ],
    8: [
        {
            "outcome": "Child maltreatment",
            "intervention": PCIT,
            "year": 2017,
            "direction": "FAVOURABLE",
        },
        {"outcome": "Child maltreatment", "intervention": SOS, "year": 2017, "direction": None},
        {
            "outcome": "Re-report of physical abuse",
            "intervention": PCIT,
            "year": 2004,
            "direction": "FAVOURABLE",
        },
    ],
    9: [
        {
            "intervention": IY_PRESCHOOL,
            "scheme": "EIF",
            "rating": "4",
            "ratedOn": dt.date(2016, 7, 11),
            "issuer": "Early Intervention Foundation",
        },
        {
            "intervention": PCIT,
            "scheme": "TITLE_IV_E",
            "rating": "Well-supported",
            "ratedOn": dt.date(2020, 2, 1),  # the later of its two Title IV-E ratings
            "issuer": "Title IV-E Prevention Services Clearinghouse",
        },
    ],
    10: [
        {"council": "Bristol City Council", "areaType": "URBAN"},
        {"council": "Leicestershire County Council", "areaType": "MIXED"},
        {"council": "Lincolnshire County Council", "areaType": "RURAL"},
        {"council": "London Borough of Brent", "areaType": "URBAN"},
        {"council": "London Borough of Tower Hamlets", "areaType": "URBAN"},
        {"council": "Norfolk County Council", "areaType": "RURAL"},
        {"council": "Suffolk County Council", "areaType": "RURAL"},
        {"council": "Wakefield Council", "areaType": "URBAN"},
        {"council": "West Sussex County Council", "areaType": "MIXED"},
        {"council": "Wokingham Borough Council", "areaType": "MIXED"},
    ],
    11: [{"path": ["Local police force", MASH, EIF_REVIEW, PCIT], "hops": 3}],
    12: [{"intervention": "Family therapy"}, {"intervention": MASH}, {"intervention": SOS}],
    13: [
        {"intervention": IY, "outcome": "Child conduct problems"},
        {"intervention": IY_PRESCHOOL, "outcome": "Parenting practices"},
        {"intervention": PCIT, "outcome": "Child conduct problems"},
        {"intervention": PCIT, "outcome": "Parenting practices"},
        {"intervention": SOS, "outcome": "Entry to care"},
    ],
    14: [
        {"intervention": FGC, "variant": "Family group decision making"},
        {"intervention": IY, "variant": IY_PRESCHOOL},
    ],
}


def _questions() -> dict[int, tuple[str, str]]:
    return {
        int(number): (title, query)
        for number, title, query in _QUESTION.findall(DOC.read_text(encoding="utf-8"))
    }


def test_every_question_in_the_doc_has_expected_rows_here() -> None:
    questions = _questions()
    assert len(questions) >= 12
    assert set(questions) == set(EXPECTED) | {4}
    assert DOC.read_text(encoding="utf-8").count("```cypher") == len(questions)


@pytest.mark.parametrize("number", sorted(EXPECTED))
async def test_example_query_returns_the_expected_rows(store: Store, number: int) -> None:
    title, query = _questions()[number]
    rows = await store.read(query)
    expected = EXPECTED[number]
    # Rows list only the columns worth stating; the others must be null.
    assert [
        {k: row[k] for k in row if row[k] is not None or k in exp}
        for row, exp in zip(rows, expected, strict=True)
    ] == expected, title


async def test_mash_members_come_with_their_sector_and_role(store: Store) -> None:
    """Question 4: roles are long sentences, so they are checked by sector and shape."""
    _title, query = _questions()[4]
    rows = await store.read(query)
    assert [row["sector"] for row in rows] == [
        "CHILDRENS_SOCIAL_CARE",
        "POLICE",
        "HEALTH",
        "PROBATION",
        "EDUCATION",
    ]
    assert all(len(row["role"]) > 40 for row in rows)


def test_the_doc_names_every_label_type_and_property() -> None:
    text = DOC.read_text(encoding="utf-8")
    for label in LABELS:
        section = text.split(f"### `{label}`", 1)[1].split("###", 1)[0]
        for prop in NODE_PROPERTIES[label]:
            assert f"`{prop.name}`" in section, (label, prop.name)
    for name, rel in RELATIONSHIP_TYPES.items():
        [line] = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
        for prop in rel.properties:
            assert f"`{prop.name}`" in line, (name, prop.name)
