"""What each mutation does inside its one write transaction, and the payload it returns.

Composite writes (a study with its findings, a rating with its issuer and scope) run as
several steps of one transaction, so a refusal at any step leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, TypeVar

from strawberry.types import Info

from schema.context import Context
from schema.errors import expected_errors
from schema.inputs import (
    values_of,
)
from schema.selection import selection_of
from service.model import NODE_PROPERTIES, RELATIONSHIP_TYPES
from service.plans.projection import edge_map, node_map
from service.plans.selection import Selection
from service.plans.shapes import EDGE_SHAPES
from service.store import Transaction
from service.writes.idempotency import WriteKey
from service.writes.links import link
from service.writes.nodes import upsert_node
from service.writes.outcome import ErrorCode, WriteProblem, Writer, WriteRefused
from service.writes.retry import write_merging

ContextInfo = Info[Context, None]
T = TypeVar("T")


async def write_payload(
    info: ContextInfo, key: str, work: Callable[[Transaction, Writer], Awaitable[T]]
) -> dict[str, Any]:
    """Run ``work`` in one write transaction; payload {key: result, errors: [...]}."""
    context = info.context
    principal = context.principal
    assert principal is not None, "CanWrite lets no anonymous caller through"
    writer = Writer.of(principal, context.request_key)
    # The n-th mutation of a request, and what it asks for: a resend with the same
    # Idempotency-Key is answered from the first run, a different request refused.
    write_key = WriteKey.of(
        client=principal.client_id,
        request_key=context.request_key,
        ordinal=context.next_write_ordinal(),
        request=[info.field_name, [asdict(field) for field in info.selected_fields]],
    )
    try:
        with expected_errors():
            result = await write_merging(
                context.store,
                lambda tx: work(tx, writer),
                key=write_key,
                window=context.settings.idempotency_window,
            )
    except WriteRefused as refused:
        return {key: None, "errors": [_error(p) for p in refused.problems]}
    return {key: result, "errors": []}


def _error(problem: WriteProblem) -> dict[str, Any]:
    return {"code": problem.code, "field": problem.field, "message": problem.message}


def _sub(info: ContextInfo, key: str) -> Selection:
    return selection_of(info).get(key) or Selection()


async def _read_node(
    tx: Transaction, label: str, node_id: str, selection: Selection
) -> dict[str, Any]:
    [row] = await tx.run(
        f"MATCH (n:{label} {{id: $id}}) RETURN {node_map(label, 'n', selection)} AS node",
        {"id": node_id},
    )
    return dict(row["node"])


async def _prefixed(prefix: str, step: Awaitable[T]) -> T:
    """Run a nested step, naming its refused fields after their place in the input."""
    try:
        return await step
    except WriteRefused as refused:
        raise WriteRefused(
            [
                WriteProblem(
                    p.code, f"{prefix}.{p.field}" if p.field else prefix, f"{prefix}: {p.message}"
                )
                for p in refused.problems
            ]
        ) from None


async def _link_to(
    tx: Transaction,
    writer: Writer,
    *,
    node: tuple[str, str],
    rel: str,
    other: tuple[str, str],
    outgoing: bool,
    source: str,
    field: str,
) -> None:
    """Link the node being written to another node named by the input ``field``."""
    (a_label, a_id), (b_label, b_id) = (node, other) if outgoing else (other, node)
    await link(
        tx,
        rel_type=rel,
        from_label=a_label,
        from_id=a_id,
        to_label=b_label,
        to_id=b_id,
        values={},
        source=source,
        writer=writer,
        from_field=field,
        to_field=field,
    )


async def _upsert_plain(
    tx: Transaction, writer: Writer, label: str, data: Any, source: str
) -> None:
    await upsert_node(
        tx,
        label=label,
        node_id=data.id,
        values=values_of(data, NODE_PROPERTIES[label]),
        source=source,
        writer=writer,
        selection=Selection(),
    )


def upsert_simple(label: str, key: str) -> Callable[..., Awaitable[dict[str, Any]]]:
    async def resolve(info: ContextInfo, data: Any) -> dict[str, Any]:
        async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
            return await upsert_node(
                tx,
                label=label,
                node_id=data.id,
                values=values_of(data, NODE_PROPERTIES[label]),
                source=data.source,
                writer=writer,
                selection=_sub(info, key),
            )

        return await write_payload(info, key, work)

    return resolve


async def upsert_outcome(info: ContextInfo, data: Any) -> dict[str, Any]:
    async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
        await _upsert_plain(tx, writer, "Outcome", data, data.source)
        if data.part_of_id:
            await _link_to(
                tx,
                writer,
                node=("Outcome", data.id),
                rel="PART_OF",
                other=("Outcome", data.part_of_id),
                outgoing=True,
                source=data.source,
                field="partOfId",
            )
        return await _read_node(tx, "Outcome", data.id, _sub(info, "outcome"))

    return await write_payload(info, "outcome", work)


async def _write_finding(
    tx: Transaction, writer: Writer, *, data: Any, study_id: str, source: str
) -> None:
    if not data.outcome_ids:
        raise WriteRefused.one(
            ErrorCode.VALIDATION, "outcomeIds", "a finding needs at least one outcome"
        )
    await _upsert_plain(tx, writer, "Finding", data, source)
    node = ("Finding", data.id)
    await _link_to(
        tx,
        writer,
        node=node,
        rel="REPORTS",
        other=("Study", study_id),
        outgoing=False,
        source=source,
        field="studyId",
    )
    await _link_to(
        tx,
        writer,
        node=node,
        rel="OF",
        other=("Intervention", data.intervention_id),
        outgoing=True,
        source=source,
        field="interventionId",
    )
    for outcome_id in data.outcome_ids:
        await _link_to(
            tx,
            writer,
            node=node,
            rel="ON_OUTCOME",
            other=("Outcome", outcome_id),
            outgoing=True,
            source=source,
            field="outcomeIds",
        )


async def upsert_study(info: ContextInfo, data: Any) -> dict[str, Any]:
    async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
        await _upsert_plain(tx, writer, "Study", data, data.source)
        for intervention_id in data.intervention_ids or []:
            await _link_to(
                tx,
                writer,
                node=("Study", data.id),
                rel="EVALUATES",
                other=("Intervention", intervention_id),
                outgoing=True,
                source=data.source,
                field="interventionIds",
            )
        for index, finding in enumerate(data.findings or []):
            await _prefixed(
                f"findings[{index}]",
                _write_finding(tx, writer, data=finding, study_id=data.id, source=data.source),
            )
        return await _read_node(tx, "Study", data.id, _sub(info, "study"))

    return await write_payload(info, "study", work)


async def upsert_finding(info: ContextInfo, data: Any) -> dict[str, Any]:
    async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
        await _write_finding(tx, writer, data=data, study_id=data.study_id, source=data.source)
        return await _read_node(tx, "Finding", data.id, _sub(info, "finding"))

    return await write_payload(info, "finding", work)


async def upsert_rating(info: ContextInfo, data: Any) -> dict[str, Any]:
    async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
        await _upsert_plain(tx, writer, "Rating", data, data.source)
        node = ("Rating", data.id)
        await _link_to(
            tx,
            writer,
            node=node,
            rel="ISSUED",
            other=("Agency", data.issuer_id),
            outgoing=False,
            source=data.source,
            field="issuerId",
        )
        await _link_to(
            tx,
            writer,
            node=node,
            rel="RATES",
            other=("Intervention", data.intervention_id),
            outgoing=True,
            source=data.source,
            field="interventionId",
        )
        for outcome_id in data.outcome_ids or []:
            await _link_to(
                tx,
                writer,
                node=node,
                rel="SCOPED_TO",
                other=("Outcome", outcome_id),
                outgoing=True,
                source=data.source,
                field="outcomeIds",
            )
        return await _read_node(tx, "Rating", data.id, _sub(info, "rating"))

    return await write_payload(info, "rating", work)


def _edge_writer(
    shape_name: str, key: str, from_field: str, to_field: str, to_label: str | None = None
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """A link mutation for an edge with properties, reading the end ids from the input."""
    shape = EDGE_SHAPES[shape_name]
    definition = RELATIONSHIP_TYPES[shape.rel]
    from_label = definition.from_labels[0]
    target_label = to_label or definition.to_labels[0]
    from_end = next(field for field, side, _ in shape.ends if side == "from")
    to_end = next(
        field for field, side, label in shape.ends if side == "to" and label == target_label
    )

    async def resolve(info: ContextInfo, data: Any) -> dict[str, Any]:
        projection = edge_map(
            shape_name,
            "r",
            {from_end: ("a", from_label), to_end: ("b", target_label)},
            _sub(info, key),
        )

        async def work(tx: Transaction, writer: Writer) -> dict[str, Any]:
            return await link(
                tx,
                rel_type=shape.rel,
                from_label=from_label,
                from_id=getattr(data, from_field),
                to_label=target_label,
                to_id=getattr(data, to_field),
                values=values_of(data, definition.properties),
                source=data.source,
                writer=writer,
                projection=projection,
                from_field=_camel(from_field),
                to_field=_camel(to_field),
            )

        return await write_payload(info, key, work)

    return resolve


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


participation = _edge_writer("Participation", "participation", "agency_id", "intervention_id")
delivery = _edge_writer("Delivery", "delivery", "agency_id", "intervention_id")
study_role = _edge_writer("StudyRole", "study_role", "agency_id", "study_id")
funding_to_intervention = _edge_writer("Funding", "funding", "funder_id", "intervention_id")
funding_to_study = _edge_writer("Funding", "funding", "funder_id", "study_id", to_label="Study")
