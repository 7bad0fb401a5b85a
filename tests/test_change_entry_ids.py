"""Change-log entry ids: UUIDs (version 4 layout), unique within a transaction and with a
random part of their own per transaction."""

from __future__ import annotations

import uuid
from typing import Any

from service.store_transaction import Transaction
from service.writes.changelog import new_change


def _transaction() -> Transaction:
    # The ids are made without a statement: no store transaction is needed underneath.
    def count(*_: Any) -> None:
        return None

    return Transaction(None, count)  # type: ignore[arg-type]


def test_entry_ids_are_version_4_uuids_unique_in_their_transaction() -> None:
    tx = _transaction()
    ids = [new_change(tx, f"entity-{n}")[0] for n in range(5000)]
    assert len(set(ids)) == len(ids)
    parsed = [uuid.UUID(i) for i in ids]
    assert {u.version for u in parsed} == {4}
    assert {u.variant for u in parsed} == {uuid.RFC_4122}
    assert [str(u) for u in parsed] == ids
    # Unnumbered (no sequence held): each is queued to be numbered at commit, in order.
    assert [entry["id"] for entry in tx.unnumbered_changes] == ids


def test_two_transactions_share_no_entry_id() -> None:
    first, second = _transaction(), _transaction()
    made = [new_change(tx, "entity")[0] for tx in (first, second, first, second)]
    assert len(set(made)) == 4
    assert made[0][:24] != made[1][:24], "each transaction draws its own random part"
