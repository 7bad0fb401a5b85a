"""Factory functions that build test data through the write API (GraphQL mutations).

Each takes the ``WriteApi`` of an app and keyword arguments, and fails the test if the
mutation reports an error. Give every id the test's own prefix so data from different
tests never meets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

SOURCE = "tests/evidence_factories.py"


class WriteApi:
    """Posts mutations with a write key and checks they succeeded."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self._client = client
        self._headers = {"authorization": f"Bearer {token}"}

    async def mutate(self, field: str, query: str, **variables: Any) -> dict[str, Any]:
        response = await self._client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self._headers
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        payload: dict[str, Any] = body["data"][field]
        assert payload["errors"] == [], payload["errors"]
        return payload


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


async def _link(api: WriteApi, rel: str, from_id: str, to_id: str) -> None:
    await api.mutate(
        "link",
        "mutation($t: PlainLinkKind!, $f: ID!, $to: ID!, $s: String!) "
        "{ link(type: $t, fromId: $f, toId: $to, source: $s) { errors { code field message } } }",
        t=rel,
        f=from_id,
        to=to_id,
        s=SOURCE,
    )


async def create_intervention(
    api: WriteApi,
    *,
    id: str,
    name: str,
    kind: str = "PROGRAMME",
    cost_rating: int | None = None,
    uk_tested: bool | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    level_of_need: str | None = None,
    variant_of: str | None = None,
) -> None:
    values = {
        "id": id,
        "name": name,
        "kind": kind,
        "costRating": cost_rating,
        "ukTested": uk_tested,
        "minAge": min_age,
        "maxAge": max_age,
        "levelOfNeed": level_of_need,
        "source": SOURCE,
    }
    await api.mutate(
        "upsertIntervention",
        "mutation($i: InterventionInput!) { upsertIntervention(input: $i) { errors { code field message } } }",
        i=_present(values),
    )
    if variant_of:
        await _link(api, "VARIANT_OF", id, variant_of)


async def create_agency(
    api: WriteApi,
    *,
    id: str,
    name: str,
    sector: str = "LOCAL_GOVERNMENT",
    area_type: str | None = None,
) -> None:
    await api.mutate(
        "upsertAgency",
        "mutation($i: AgencyInput!) { upsertAgency(input: $i) { errors { code field message } } }",
        i=_present(
            {"id": id, "name": name, "sector": sector, "areaType": area_type, "source": SOURCE}
        ),
    )


async def create_outcome(
    api: WriteApi, *, id: str, name: str, domain: str, part_of: str | None = None
) -> None:
    await api.mutate(
        "upsertOutcome",
        "mutation($i: OutcomeInput!) { upsertOutcome(input: $i) { errors { code field message } } }",
        i=_present(
            {"id": id, "name": name, "domain": domain, "partOfId": part_of, "source": SOURCE}
        ),
    )


async def create_study(
    api: WriteApi,
    *,
    id: str,
    title: str,
    year: int,
    design: str,
    status: str = "COMPLETED",
    design_rating: str | None = None,
    country: str | None = None,
    independent: bool | None = None,
    evaluates: Iterable[str] = (),
    conducted_by: Iterable[str] = (),
) -> None:
    values = {
        "id": id,
        "title": title,
        "year": year,
        "design": design,
        "status": status,
        "designRating": design_rating,
        "country": country,
        "independent": independent,
        "interventionIds": list(evaluates),
        "source": SOURCE,
    }
    await api.mutate(
        "upsertStudy",
        "mutation($i: StudyInput!) { upsertStudy(input: $i) { errors { code field message } } }",
        i=_present(values),
    )
    for agency in conducted_by:
        await api.mutate(
            "linkStudyRole",
            "mutation($i: StudyRoleInput!) { linkStudyRole(input: $i) { errors { code field message } } }",
            i={"agencyId": agency, "studyId": id, "role": "evaluator", "source": SOURCE},
        )


async def create_finding(
    api: WriteApi,
    *,
    id: str,
    study: str,
    intervention: str,
    outcomes: Iterable[str],
    measure: str,
    direction: str | None = None,
    significant: bool | None = None,
    follow_up_months: int | None = None,
) -> None:
    values = {
        "id": id,
        "studyId": study,
        "interventionId": intervention,
        "outcomeIds": list(outcomes),
        "measure": measure,
        "direction": direction,
        "significant": significant,
        "followUpMonths": follow_up_months,
        "source": SOURCE,
    }
    await api.mutate(
        "upsertFinding",
        "mutation($i: FindingInput!) { upsertFinding(input: $i) { errors { code field message } } }",
        i=_present(values),
    )


async def create_rating(
    api: WriteApi,
    *,
    id: str,
    scheme: str,
    value: str,
    rated_on: str,
    intervention: str,
    topic: str | None = None,
    issuer: str = "tests-clearinghouse",
) -> None:
    values = {
        "id": id,
        "scheme": scheme,
        "value": value,
        "ratedOn": rated_on,
        "topic": topic,
        "issuerId": issuer,
        "interventionId": intervention,
        "source": SOURCE,
    }
    await api.mutate(
        "upsertRating",
        "mutation($i: RatingInput!) { upsertRating(input: $i) { errors { code field message } } }",
        i=_present(values),
    )


async def add_delivery(
    api: WriteApi, *, agency: str, intervention: str, status: str | None = None
) -> None:
    await api.mutate(
        "linkDelivery",
        "mutation($i: DeliveryInput!) { linkDelivery(input: $i) { errors { code field message } } }",
        i=_present(
            {"agencyId": agency, "interventionId": intervention, "status": status, "source": SOURCE}
        ),
    )


async def add_funding(
    api: WriteApi, *, funder: str, intervention: str, amount: float, currency: str = "GBP"
) -> None:
    await api.mutate(
        "linkFunding",
        "mutation($i: FundingInput!) { linkFunding(input: $i) { errors { code field message } } }",
        i={
            "funderId": funder,
            "interventionId": intervention,
            "amount": amount,
            "currency": currency,
            "source": SOURCE,
        },
    )


async def add_participation(api: WriteApi, *, agency: str, intervention: str, role: str) -> None:
    await api.mutate(
        "linkParticipation",
        "mutation($i: ParticipationInput!) { linkParticipation(input: $i) { errors { code field message } } }",
        i={"agencyId": agency, "interventionId": intervention, "role": role, "source": SOURCE},
    )


async def add_target(api: WriteApi, *, intervention: str, outcome: str) -> None:
    await _link(api, "TARGETS", intervention, outcome)
