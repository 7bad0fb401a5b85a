"""Root mutations: idempotent upserts, links, unlinks and deletes, each in one transaction.

Every mutation needs the evidence:write scope. The same call sent twice changes nothing
the second time. Refusals come back as typed errors and leave nothing written.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, cast

import strawberry
from strawberry.types import Info

from schema.context import Context
from schema.inputs import (
    AgencyInput,
    CaveatInput,
    DeliveryInput,
    FindingInput,
    FundingInput,
    InterventionInput,
    OutcomeInput,
    ParticipationInput,
    PersonInput,
    RatingInput,
    StudyInput,
    StudyRoleInput,
    TrialInput,
)
from schema.links import LinkKind, NodeKind, PlainLinkKind, labels_for
from schema.payloads import (
    AgencyPayload,
    CaveatPayload,
    DeletePayload,
    DeliveryPayload,
    FindingPayload,
    FundingPayload,
    InterventionPayload,
    LinkPayload,
    OutcomePayload,
    ParticipationPayload,
    PersonPayload,
    RatingPayload,
    StudyPayload,
    StudyRolePayload,
    TrialPayload,
    UnlinkPayload,
)
from schema.permissions import CanWrite
from schema.write_steps import (
    delivery,
    funding_to_intervention,
    funding_to_study,
    participation,
    study_role,
    upsert_finding,
    upsert_outcome,
    upsert_rating,
    upsert_simple,
    upsert_study,
    write_payload,
)
from service.store import Transaction
from service.writes.links import link, unlink
from service.writes.nodes import delete_node
from service.writes.outcome import ErrorCode, Writer

ContextInfo = Info[Context, None]

_EXISTS: Final = "RETURN EXISTS {{ MATCH (n:{label} {{id: $id}}) }} AS found"


async def _label_of(tx: Transaction, labels: list[str], node_id: str) -> str:
    """Which of the labels a relationship end allows the node has (QUALIFIES reaches a
    rating, an intervention or a study); the first when none does, so that the write
    reports the node as missing."""
    if len(labels) > 1:
        for label in labels:
            [row] = await tx.run(_EXISTS.format(label=label), {"id": node_id})
            if row["found"]:
                return label
    return labels[0]


def _mutation(description: str | None = None) -> Any:
    """A mutation field that needs the evidence:write scope."""
    return strawberry.mutation(permission_classes=[CanWrite], description=description)


@strawberry.type
class WriteMutation:
    """Writes for partner agencies: every part of the model, keyed on id, retry-safe."""

    @_mutation()
    async def upsert_intervention(
        self, info: ContextInfo, input: InterventionInput
    ) -> InterventionPayload:
        return cast(
            InterventionPayload, await upsert_simple("Intervention", "intervention")(info, input)
        )

    @_mutation()
    async def upsert_agency(self, info: ContextInfo, input: AgencyInput) -> AgencyPayload:
        return cast(AgencyPayload, await upsert_simple("Agency", "agency")(info, input))

    @_mutation()
    async def upsert_outcome(self, info: ContextInfo, input: OutcomeInput) -> OutcomePayload:
        return cast(OutcomePayload, await upsert_outcome(info, input))

    @_mutation()
    async def upsert_study(self, info: ContextInfo, input: StudyInput) -> StudyPayload:
        return cast(StudyPayload, await upsert_study(info, input))

    @_mutation()
    async def upsert_finding(self, info: ContextInfo, input: FindingInput) -> FindingPayload:
        return cast(FindingPayload, await upsert_finding(info, input))

    @_mutation()
    async def upsert_rating(self, info: ContextInfo, input: RatingInput) -> RatingPayload:
        return cast(RatingPayload, await upsert_rating(info, input))

    @_mutation()
    async def upsert_trial(self, info: ContextInfo, input: TrialInput) -> TrialPayload:
        return cast(TrialPayload, await upsert_simple("Trial", "trial")(info, input))

    @_mutation("Create or update a caveat; QUALIFIES links it to what it qualifies.")
    async def upsert_caveat(self, info: ContextInfo, input: CaveatInput) -> CaveatPayload:
        return cast(CaveatPayload, await upsert_simple("Caveat", "caveat")(info, input))

    @_mutation("Create or update a person; DEVELOPED links them to an intervention.")
    async def upsert_person(self, info: ContextInfo, input: PersonInput) -> PersonPayload:
        return cast(PersonPayload, await upsert_simple("Person", "person")(info, input))

    @_mutation()
    async def link_participation(
        self, info: ContextInfo, input: ParticipationInput
    ) -> ParticipationPayload:
        return cast(ParticipationPayload, await participation(info, input))

    @_mutation()
    async def link_delivery(self, info: ContextInfo, input: DeliveryInput) -> DeliveryPayload:
        return cast(DeliveryPayload, await delivery(info, input))

    @_mutation()
    async def link_study_role(self, info: ContextInfo, input: StudyRoleInput) -> StudyRolePayload:
        return cast(StudyRolePayload, await study_role(info, input))

    @_mutation()
    async def link_funding(self, info: ContextInfo, input: FundingInput) -> FundingPayload:
        data: Any = input
        if (data.intervention_id is None) == (data.study_id is None):
            error = {
                "code": ErrorCode.VALIDATION,
                "field": "interventionId",
                "message": "give exactly one of interventionId and studyId",
            }
            return cast(FundingPayload, {"funding": None, "errors": [error]})
        if data.study_id is not None:
            return cast(FundingPayload, await funding_to_study(info, data))
        return cast(FundingPayload, await funding_to_intervention(info, data))

    @_mutation(description="Link two nodes by a relationship that has no properties of its own.")
    async def link(
        self,
        info: ContextInfo,
        type: PlainLinkKind,
        from_id: strawberry.ID,
        to_id: strawberry.ID,
        citation: Annotated[
            str, strawberry.argument(name="source", description="URL or citation of the fact.")
        ],
    ) -> LinkPayload:
        pairs = labels_for(type.value)

        async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
            from_label = await _label_of(tx, sorted({a for a, _ in pairs}), from_id)
            to_label = await _label_of(tx, sorted({b for _, b in pairs}), to_id)
            return await link(
                tx,
                rel_type=type.value,
                from_label=from_label,
                from_id=from_id,
                to_label=to_label,
                to_id=to_id,
                values={},
                source=citation,
                writer=writer,
            )

        return cast(LinkPayload, await write_payload(info, "link", work))

    @_mutation(description="Remove a relationship; removing one that is not there is not an error.")
    async def unlink(
        self, info: ContextInfo, type: LinkKind, from_id: strawberry.ID, to_id: strawberry.ID
    ) -> UnlinkPayload:
        async def work(tx: Transaction, writer: Writer) -> bool:
            removed = False
            for from_label, to_label in labels_for(type.value):
                removed = (
                    await unlink(
                        tx,
                        rel_type=type.value,
                        from_label=from_label,
                        from_id=from_id,
                        to_label=to_label,
                        to_id=to_id,
                        writer=writer,
                    )
                    or removed
                )
            return removed

        return cast(UnlinkPayload, _removed(await write_payload(info, "removed", work)))

    @_mutation(
        description="Delete a node and its relationships. Refused with CONFLICT while other facts "
        "depend on it (an intervention with studies...) unless force is true; a study takes its findings with it."
    )
    async def delete(
        self, info: ContextInfo, kind: NodeKind, id: strawberry.ID, force: bool = False
    ) -> DeletePayload:
        async def work(tx: Transaction, writer: Writer) -> bool:
            return await delete_node(tx, label=kind.value, node_id=id, force=force, writer=writer)

        return cast(
            DeletePayload, _removed(await write_payload(info, "deleted", work), key="deleted")
        )


def _removed(payload: dict[str, Any], key: str = "removed") -> dict[str, Any]:
    """A refused unlink or delete removed nothing: report false, never null."""
    return {**payload, key: bool(payload[key])}
