"""Mutations: round trips, idempotency, validation before writing, and the change log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from service.store import Store
from tests.conftest import WriteClient

UPSERT_INTERVENTION = """
mutation($input: InterventionInput!) {
  upsertIntervention(input: $input) {
    intervention { id name kind costRating aliases source recordedBy updatedAt description }
    errors { code field message }
  }
}
"""
CHANGES = """
query($id: ID!) { changes(entityId: $id, first: 100) {
  totalCount edges { node { operation client agency entityType before after source } } } }
"""
SOURCE = "https://example.org/evidence/report-2026"


async def _changes(writes: WriteClient, entity_id: str) -> list[dict[str, Any]]:
    data = await writes(CHANGES, token=None, id=entity_id)
    return [edge["node"] for edge in data["changes"]["edges"]]


async def test_upsert_creates_then_updates_and_logs_both(writes: WriteClient) -> None:
    created = (
        await writes(
            UPSERT_INTERVENTION,
            input={
                "id": "test-roundtrip",
                "name": "Round trip",
                "kind": "PROGRAMME",
                "costRating": 2,
                "source": SOURCE,
            },
        )
    )["upsertIntervention"]
    assert created["errors"] == []
    assert created["intervention"]["recordedBy"] == "eif-loader"
    assert created["intervention"]["source"] == SOURCE
    updated = (
        await writes(
            UPSERT_INTERVENTION,
            input={
                "id": "test-roundtrip",
                "costRating": 3,
                "description": None,
                "aliases": ["RT"],
                "source": SOURCE,
            },
        )
    )["upsertIntervention"]["intervention"]
    assert (updated["name"], updated["costRating"], updated["aliases"]) == ("Round trip", 3, ["RT"])
    read = await writes(
        '{ intervention(id: "test-roundtrip") { name costRating aliases } }', token=None
    )
    assert read["intervention"] == {"name": "Round trip", "costRating": 3, "aliases": ["RT"]}
    log = await _changes(writes, "test-roundtrip")
    assert [c["operation"] for c in log] == ["CREATE", "UPDATE"]
    assert log[0]["before"] is None
    assert log[1]["before"]["costRating"] == 2 and log[1]["after"]["costRating"] == 3
    assert {c["client"] for c in log} == {"eif-loader"}
    assert {c["agency"] for c in log} == {"agency-eif"}


async def test_the_same_call_twice_changes_nothing_the_second_time(writes: WriteClient) -> None:
    payload = {"id": "test-twice", "name": "Twice", "kind": "SERVICE", "source": SOURCE}
    first = (await writes(UPSERT_INTERVENTION, input=payload))["upsertIntervention"]["intervention"]
    second = (await writes(UPSERT_INTERVENTION, input=payload))["upsertIntervention"][
        "intervention"
    ]
    assert first == second, "updatedAt and everything else unchanged"
    assert [c["operation"] for c in await _changes(writes, "test-twice")] == ["CREATE"]


async def test_unicode_is_normalised_so_two_spellings_are_one_name(writes: WriteClient) -> None:
    composed, decomposed = "Jos\u00e9 programme", "Jose\u0301 programme"
    await writes(
        UPSERT_INTERVENTION,
        input={"id": "test-nfc", "name": decomposed, "kind": "PROGRAMME", "source": SOURCE},
    )
    data = await writes(
        UPSERT_INTERVENTION,
        input={"id": "test-nfc", "name": composed, "kind": "PROGRAMME", "source": SOURCE},
    )
    assert data["upsertIntervention"]["intervention"]["name"] == composed
    assert len(await _changes(writes, "test-nfc")) == 1, "the second spelling is no change"


EVIDENCE_NODES = (
    "MATCH (n) WHERE NOT n:Change AND NOT n:ApiClient AND NOT n:Migration"
    " AND NOT n:WriteRequest AND NOT n:ChangeSequence RETURN count(n) AS n"
)


@pytest.mark.parametrize(
    "text",
    [
        "x'}) MATCH (n) DETACH DELETE n //",
        "MATCH (n) RETURN n; DROP CONSTRAINT intervention_id",
        "{name: $id} `backticks` \\u0000 $param",
        "Robert'); DROP TABLE interventions;--",
    ],
)
async def test_cypher_looking_strings_are_stored_verbatim(writes: WriteClient, text: str) -> None:
    """Injection-looking text round-trips exactly, and the graph gains exactly one node."""
    before = await writes.count(EVIDENCE_NODES)
    node_id = f"test-injection-{abs(hash(text)) % 10_000}"
    data = await writes(
        UPSERT_INTERVENTION,
        input={
            "id": node_id,
            "name": text[:300],
            "kind": "SERVICE",
            "description": text,
            "source": SOURCE,
        },
    )
    node = data["upsertIntervention"]["intervention"]
    assert (node["name"], node["description"]) == (text, text)
    assert await writes.count(EVIDENCE_NODES) == before + 1
    constraints = await writes.store.read(
        "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names"
    )
    assert "intervention_id" in constraints[0]["names"]


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"costRating": 7}, "costRating", "must lie between 1 and 5"),
        ({"minAge": 12, "maxAge": 5}, "minAge", "must not exceed maxAge"),
        ({"name": "Bell\u0007"}, "name", "contains a control character"),
        ({"name": "   "}, "name", "must not be empty"),
        ({"name": "x" * 301}, "name", "is longer than 300 characters"),
        ({"aliases": ["a"] * 51}, "aliases", "has more than 50 items"),
    ],
)
async def test_invalid_values_are_refused_with_nothing_written(
    writes: WriteClient, fields: dict[str, Any], field: str, reason: str
) -> None:
    before = await writes.count()
    data = await writes(
        UPSERT_INTERVENTION,
        input={
            "id": "test-invalid",
            "name": "Invalid",
            "kind": "PROGRAMME",
            "source": SOURCE,
            **fields,
        },
    )
    [error] = data["upsertIntervention"]["errors"]
    assert error["code"] == "VALIDATION" and error["field"] == field and reason in error["message"]
    assert data["upsertIntervention"]["intervention"] is None
    assert await writes.count() == before


async def test_a_lone_surrogate_is_refused(writes: WriteClient) -> None:
    """Refused at the HTTP layer already (400), and by validation for other doors (test_validation)."""
    raw = (
        '{"query": "mutation($i: InterventionInput!) { upsertIntervention(input: $i) { errors { field message } } }", '
        '"variables": {"i": {"id": "test-surrogate", "name": "Bad \\ud800 text", "kind": "PROGRAMME", "source": "x"}}}'
    )
    response = await writes.http.post(
        "/graphql",
        content=raw,
        headers={
            "content-type": "application/json",
            "authorization": f"Bearer {writes.tokens['writer']}",
        },
    )
    assert response.status_code == 400
    assert "lone surrogate" in response.json()["errors"][0]["message"]
    assert (
        await writes.count("MATCH (n:Intervention {id: 'test-surrogate'}) RETURN count(n) AS n")
        == 0
    )


async def test_a_new_node_needs_its_required_fields_and_a_source(writes: WriteClient) -> None:
    data = await writes(
        UPSERT_INTERVENTION, input={"id": "test-incomplete", "name": "No kind", "source": SOURCE}
    )
    assert [e["field"] for e in data["upsertIntervention"]["errors"]] == ["kind"]
    data = await writes(
        UPSERT_INTERVENTION,
        input={"id": "Not A Slug", "name": "n", "kind": "SERVICE", "source": SOURCE},
    )
    assert data["upsertIntervention"]["errors"][0]["field"] == "id"
    data = await writes(
        UPSERT_INTERVENTION,
        input={"id": "test-nosource", "name": "n", "kind": "SERVICE", "source": " "},
    )
    assert data["upsertIntervention"]["errors"][0]["field"] == "source"
    assert (
        await writes.count(
            "MATCH (n:Intervention) WHERE n.id IN ['test-incomplete', 'test-nosource'] RETURN count(n) AS n"
        )
        == 0
    )


async def test_personal_data_fields_do_not_exist(writes: WriteClient) -> None:
    response = await writes.post(
        UPSERT_INTERVENTION,
        input={
            "id": "test-pii",
            "name": "n",
            "kind": "SERVICE",
            "source": SOURCE,
            "childName": "Alice",
        },
    )
    [error] = response.json()["errors"]
    assert "childName" in error["message"]
    assert await writes.count("MATCH (n:Intervention {id: 'test-pii'}) RETURN count(n) AS n") == 0


async def test_study_with_findings_is_written_in_one_go(writes: WriteClient) -> None:
    data = await writes(
        """mutation($input: StudyInput!) { upsertStudy(input: $input) {
             study { id year interventions { id } findings { id direction effectSize outcomes { id } intervention { id } } }
             errors { code field message } } }""",
        input={
            "id": "test-study",
            "title": "A trial",
            "year": 2020,
            "design": "RCT",
            "status": "COMPLETED",
            "source": SOURCE,
            "interventionIds": ["pcit"],
            "findings": [
                {
                    "id": "test-finding-1",
                    "measure": "Re-reports",
                    "direction": "FAVOURABLE",
                    "effectSize": -0.3,
                    "effectSizeType": "COHENS_D",
                    "interventionId": "pcit",
                    "outcomeIds": ["outcome-child-maltreatment"],
                }
            ],
        },
    )
    study = data["upsertStudy"]["study"]
    assert data["upsertStudy"]["errors"] == []
    assert study["interventions"] == [{"id": "pcit"}]
    assert study["findings"] == [
        {
            "id": "test-finding-1",
            "direction": "FAVOURABLE",
            "effectSize": -0.3,
            "outcomes": [{"id": "outcome-child-maltreatment"}],
            "intervention": {"id": "pcit"},
        }
    ]


async def test_a_bad_finding_rolls_back_its_whole_study(writes: WriteClient) -> None:
    data = await writes(
        """mutation($input: StudyInput!) { upsertStudy(input: $input) { study { id } errors { code field message } } }""",
        input={
            "id": "test-study-rollback",
            "title": "T",
            "year": 2021,
            "design": "QED",
            "status": "COMPLETED",
            "source": SOURCE,
            "findings": [
                {
                    "id": "test-finding-bad",
                    "measure": "m",
                    "pValue": 3,
                    "interventionId": "pcit",
                    "outcomeIds": ["outcome-child-maltreatment"],
                }
            ],
        },
    )
    [error] = data["upsertStudy"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", "findings[0].pValue")
    assert (
        await writes.count(
            "MATCH (n) WHERE n.id IN ['test-study-rollback', 'test-finding-bad'] RETURN count(n) AS n"
        )
        == 0
    )


async def test_links_with_properties_round_trip_from_both_ends(writes: WriteClient) -> None:
    data = await writes(
        """mutation { linkParticipation(input: {agencyId: "agency-coram", interventionId: "mash",
                 role: "Advocacy for families", since: "2019-04-01", source: "https://example.org/mash"}) {
               participation { role since agency { id } intervention { id } recordedBy } errors { code } } }"""
    )
    assert data["linkParticipation"]["participation"] == {
        "role": "Advocacy for families",
        "since": "2019-04-01",
        "agency": {"id": "agency-coram"},
        "intervention": {"id": "mash"},
        "recordedBy": "eif-loader",
    }
    seen = await writes(
        '{ agency(id: "agency-coram") { participations { role intervention { id } } } }', token=None
    )
    assert {"role": "Advocacy for families", "intervention": {"id": "mash"}} in seen["agency"][
        "participations"
    ]
    funding = await writes(
        """mutation { linkFunding(input: {funderId: "agency-dfe", studyId: "study-chaffin-2004", amount: 1000,
                 currency: "GBP", source: "https://example.org/grant"}) {
               funding { amount funder { id } study { id } intervention { id } } errors { code } } }"""
    )
    assert funding["linkFunding"]["funding"] == {
        "amount": 1000.0,
        "funder": {"id": "agency-dfe"},
        "study": {"id": "study-chaffin-2004"},
        "intervention": None,
    }
    both = await writes(
        """mutation { linkFunding(input: {funderId: "agency-dfe", studyId: "study-chaffin-2004",
                 interventionId: "pcit", source: "x"}) { funding { amount } errors { code field } } }"""
    )
    assert both["linkFunding"] == {
        "funding": None,
        "errors": [{"code": "VALIDATION", "field": "interventionId"}],
    }


async def test_linking_to_an_unknown_node_is_not_found(writes: WriteClient) -> None:
    data = await writes(
        """mutation { linkDelivery(input: {agencyId: "agency-nobody", interventionId: "pcit", source: "x"}) {
               delivery { status } errors { code field message } } }"""
    )
    assert data["linkDelivery"]["errors"] == [
        {"code": "NOT_FOUND", "field": "agencyId", "message": "no Agency has id 'agency-nobody'"}
    ]


@pytest.mark.parametrize(
    ("mutation", "field", "errors"),
    [
        (
            'link(type: TARGETS, fromId: "nobody-a", toId: "outcome-re-referral", source: "x")',
            "link",
            [("NOT_FOUND", "fromId")],
        ),
        (
            'link(type: TARGETS, fromId: "family-therapy", toId: "nobody-b", source: "x")',
            "link",
            [("NOT_FOUND", "toId")],
        ),
        (
            'link(type: TARGETS, fromId: "nobody-a", toId: "nobody-b", source: "x")',
            "link",
            [("NOT_FOUND", "fromId"), ("NOT_FOUND", "toId")],
        ),
        (
            'linkFunding(input: {funderId: "nobody-a", studyId: "nobody-b", source: "x"})',
            "linkFunding",
            [("NOT_FOUND", "funderId"), ("NOT_FOUND", "studyId")],
        ),
        (
            'linkFunding(input: {funderId: "agency-dfe", interventionId: "nobody-b", source: "x"})',
            "linkFunding",
            [("NOT_FOUND", "interventionId")],
        ),
        (
            'linkStudyRole(input: {agencyId: "agency-dfe", studyId: "nobody-b", source: "x"})',
            "linkStudyRole",
            [("NOT_FOUND", "studyId")],
        ),
        (
            'linkStudyRole(input: {agencyId: "nobody-a", studyId: "nobody-b", source: "x"})',
            "linkStudyRole",
            [("NOT_FOUND", "agencyId"), ("NOT_FOUND", "studyId")],
        ),
    ],
)
async def test_links_to_missing_nodes_are_not_found_not_unexpected(
    writes: WriteClient, mutation: str, field: str, errors: list[tuple[str, str]]
) -> None:
    data = await writes(f"mutation {{ {mutation} {{ errors {{ code field message }} }} }}")
    got = data[field]["errors"]
    assert [(e["code"], e["field"]) for e in got] == errors, got
    assert all("no " in e["message"] for e in got)


async def test_generic_link_and_unlink_are_idempotent(writes: WriteClient) -> None:
    link = """mutation { link(type: TARGETS, fromId: "family-therapy", toId: "outcome-re-referral", source: "x") {
                 link { type fromId toId } errors { code } } }"""
    assert (await writes(link))["link"]["link"] == {
        "type": "TARGETS",
        "fromId": "family-therapy",
        "toId": "outcome-re-referral",
    }
    await writes(link)
    count = "MATCH (:Intervention {id: 'family-therapy'})-[r:TARGETS]->(:Outcome {id: 'outcome-re-referral'}) RETURN count(r) AS n"
    assert await writes.count(count) == 1
    unlink = """mutation { unlink(type: TARGETS, fromId: "family-therapy", toId: "outcome-re-referral") { removed errors { code } } }"""
    assert (await writes(unlink))["unlink"] == {"removed": True, "errors": []}
    assert (await writes(unlink))["unlink"] == {"removed": False, "errors": []}
    assert await writes.count(count) == 0
    log = await _changes(writes, "family-therapy->outcome-re-referral")
    assert [c["operation"] for c in log] == ["LINK", "UNLINK"]


async def test_a_node_to_itself_is_refused(writes: WriteClient) -> None:
    data = await writes(
        'mutation { link(type: VARIANT_OF, fromId: "pcit", toId: "pcit", source: "x") { errors { code field } } }'
    )
    assert data["link"]["errors"] == [{"code": "VALIDATION", "field": "toId"}]


async def test_deleting_what_others_depend_on_needs_force(writes: WriteClient) -> None:
    await writes(
        UPSERT_INTERVENTION,
        input={"id": "test-doomed", "name": "Doomed", "kind": "PROGRAMME", "source": SOURCE},
    )
    await writes("""mutation { upsertStudy(input: {id: "test-doomed-study", title: "S", year: 2019, design: RCT,
                    status: COMPLETED, source: "x", interventionIds: ["test-doomed"]}) { errors { code } } }""")
    refused = await writes(
        'mutation { delete(kind: INTERVENTION, id: "test-doomed") { deleted errors { code message } } }'
    )
    [error] = refused["delete"]["errors"]
    assert error["code"] == "CONFLICT" and "1 studies evaluate it" in error["message"]
    assert refused["delete"]["deleted"] is False
    forced = await writes(
        'mutation { delete(kind: INTERVENTION, id: "test-doomed", force: true) { deleted errors { code } } }'
    )
    assert forced["delete"] == {"deleted": True, "errors": []}
    again = await writes(
        'mutation { delete(kind: INTERVENTION, id: "test-doomed", force: true) { deleted errors { code } } }'
    )
    assert again["delete"] == {"deleted": False, "errors": []}
    log = await _changes(writes, "test-doomed")
    assert [c["operation"] for c in log] == ["CREATE", "DELETE"]
    assert log[1]["before"]["name"] == "Doomed", "history keeps what was deleted"


async def test_rating_and_outcome_upserts_link_their_ends(writes: WriteClient) -> None:
    outcome = await writes("""mutation { upsertOutcome(input: {id: "test-outcome", name: "Test outcome", domain: OTHER,
                 partOfId: "outcome-child-safety", source: "x"}) { outcome { partOf { id } } errors { code } } }""")
    assert outcome["upsertOutcome"]["outcome"] == {"partOf": {"id": "outcome-child-safety"}}
    rating = await writes("""mutation { upsertRating(input: {id: "test-rating", scheme: CEBC, value: "1",
                 ratedOn: "2024-05-01", issuerId: "agency-wwcsc", interventionId: "pcit", outcomeIds: ["test-outcome"],
                 source: "x"}) { rating { issuer { id } intervention { id } outcomes { id } } errors { code } } }""")
    assert rating["upsertRating"]["rating"] == {
        "issuer": {"id": "agency-wwcsc"},
        "intervention": {"id": "pcit"},
        "outcomes": [{"id": "test-outcome"}],
    }


async def test_fifty_concurrent_creates_of_one_id_make_one_node(writes: WriteClient) -> None:
    payload = {"id": "test-concurrent", "name": "Concurrent", "kind": "PROGRAMME", "source": SOURCE}
    results = await asyncio.gather(*(writes(UPSERT_INTERVENTION, input=payload) for _ in range(50)))
    assert all(r["upsertIntervention"]["errors"] == [] for r in results)
    assert (
        await writes.count("MATCH (n:Intervention {id: 'test-concurrent'}) RETURN count(n) AS n")
        == 1
    )
    assert [c["operation"] for c in await _changes(writes, "test-concurrent")] == ["CREATE"]


async def test_fifty_concurrent_links_make_one_relationship(writes: WriteClient) -> None:
    query = """mutation { linkDelivery(input: {agencyId: "agency-norfolk", interventionId: "pcit", status: ACTIVE,
                 source: "x"}) { errors { code } } }"""
    results = await asyncio.gather(*(writes(query) for _ in range(50)))
    assert all(r["linkDelivery"]["errors"] == [] for r in results)
    count = "MATCH (:Agency {id: 'agency-norfolk'})-[r:DELIVERS]->(:Intervention {id: 'pcit'}) RETURN count(r) AS n"
    assert await writes.count(count) == 1
    assert [c["operation"] for c in await _changes(writes, "agency-norfolk->pcit")] == ["LINK"]


async def test_a_resend_after_a_timeout_makes_no_duplicate(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer is lost after the commit (as on a network timeout); the resend is a no-op."""
    real_write = Store.write

    async def commit_then_time_out(self: Store, work: Any, **options: Any) -> Any:
        await real_write(self, work, **options)
        raise TimeoutError("answer lost on the way back")

    payload = {"id": "test-timeout", "name": "Timeout", "kind": "SERVICE", "source": SOURCE}
    monkeypatch.setattr(Store, "write", commit_then_time_out)
    lost = await writes.post(UPSERT_INTERVENTION, input=payload)
    assert lost.json()["errors"][0]["message"] == "Unexpected error."
    monkeypatch.undo()
    resent = await writes(UPSERT_INTERVENTION, input=payload)
    assert resent["upsertIntervention"]["intervention"]["name"] == "Timeout"
    assert (
        await writes.count("MATCH (n:Intervention {id: 'test-timeout'}) RETURN count(n) AS n") == 1
    )
    assert [c["operation"] for c in await _changes(writes, "test-timeout")] == ["CREATE"]
