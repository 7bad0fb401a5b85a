"""Answers a caller can act on, never "Unexpected error.": fields of evidence views that
the query plans left unfilled, and filter text typed in another Unicode normal form than
the stored names."""

from __future__ import annotations

import unicodedata

from tests.conftest import GraphQL, WriteClient


async def test_co_participation_arrangements_carry_their_kind(gql: GraphQL) -> None:
    data = await gql("{ coParticipation { weight arrangements { id name kind } } }")
    arrangements = [a for pair in data["coParticipation"] for a in pair["arrangements"]]
    assert arrangements
    assert {a["kind"] for a in arrangements} <= {
        "PROGRAMME",
        "PRACTICE_MODEL",
        "SYSTEM_ARRANGEMENT",
        "SERVICE",
        None,
    }
    assert any(a["kind"] == "SYSTEM_ARRANGEMENT" for a in arrangements), "MASH is one"


async def test_practice_gap_credits_a_variant_with_its_kind(gql: GraphQL) -> None:
    data = await gql(
        """{ practiceGap { wellEvidencedRarelyUsed { interventionId
              evidence { viaVariant { id name kind } } } } }"""
    )
    via = data["practiceGap"]["wellEvidencedRarelyUsed"][0]["evidence"]["viaVariant"]
    assert via["id"] == "incredible-years-preschool-basic"
    assert via["kind"] == "PROGRAMME"


async def test_filter_text_finds_names_typed_in_another_normal_form(writes: WriteClient) -> None:
    created = await writes(
        """mutation { upsertIntervention(input: {id: "nfc-jose", name: "Programa José",
             kind: PROGRAMME, source: "https://example.org/nfc"}) { errors { code } } }"""
    )
    assert created["upsertIntervention"]["errors"] == []
    decomposed = unicodedata.normalize("NFD", "programa josé")
    assert decomposed != "programa josé"
    found = await writes(
        "query($text: String!) { interventions(filter: {nameContains: $text}) { edges { node { id } } } }",
        token=None,
        text=decomposed,
    )
    assert [e["node"]["id"] for e in found["interventions"]["edges"]] == ["nfc-jose"]
