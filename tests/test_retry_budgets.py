"""Failures are retried by kind, each within its own budget; the driver's pool settings
come from the service's settings."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j.exceptions import Neo4jError

from service.settings import Settings
from service.store import Store, Transaction
from tests.conftest import WriteClient

NOT_A_LEADER = "Neo.ClientError.Cluster.NotALeader"
READ_ONLY = "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase"


def _error(code: str) -> Neo4jError:
    return Neo4jError._hydrate_neo4j(code=code, message="injected by the test")


def _failing(times: int, code: str) -> tuple[Any, list[int]]:
    """Work that fails with ``code`` its first ``times`` runs, then writes nothing."""
    runs: list[int] = []

    async def work(tx: Transaction) -> str:
        runs.append(1)
        if len(runs) <= times:
            raise _error(code)
        await tx.run("RETURN 1 AS one")
        return "done"

    return work, runs


@pytest.mark.parametrize("code", [NOT_A_LEADER, READ_ONLY])
async def test_a_leader_switch_is_retried_within_its_own_budget(
    writes: WriteClient, code: str
) -> None:
    store: Store = writes.store.for_request()
    store.retry_time = 0.0  # the connection budget does not cover a leader switch
    work, runs = _failing(3, code)
    assert await store.write(work) == "done"
    assert len(runs) == 4


async def test_a_leader_switch_past_its_budget_is_raised(writes: WriteClient) -> None:
    store: Store = writes.store.for_request()
    store.leader_retry_time = 0.0
    work, runs = _failing(1, NOT_A_LEADER)
    with pytest.raises(Neo4jError):
        await store.write(work)
    assert len(runs) == 1


async def test_a_conflict_is_not_charged_to_the_leader_budget(writes: WriteClient) -> None:
    store: Store = writes.store.for_request()
    store.leader_retry_time = 0.0
    store.retry_time = 0.0
    work, runs = _failing(2, "Neo.TransientError.Transaction.DeadlockDetected")
    assert await store.write(work) == "done"
    assert len(runs) == 3


def test_pool_settings_default_to_values_that_suit_aura() -> None:
    """Aura closes connections idle for 60 minutes: none lives that long."""
    settings = Settings()
    assert settings.store_max_connection_lifetime < 3600
    assert settings.store_liveness_check_timeout is not None
    assert settings.store_liveness_check_timeout < 3600


async def test_the_driver_uses_the_pool_settings(writes: WriteClient) -> None:
    store = Store.connect(
        uri=writes.embedded.uri,
        user="u",
        password="p",
        database="d",
        metrics=writes.store._metrics,
        connect_timeout=1,
        acquire_timeout=1,
        max_connection_lifetime=1234,
        max_connection_pool_size=7,
        liveness_check_timeout=56,
    )
    try:
        config = store._driver._pool.pool_config  # type: ignore[attr-defined]
        assert (
            config.max_connection_lifetime,
            config.max_connection_pool_size,
            config.liveness_check_timeout,
        ) == (1234, 7, 56)
    finally:
        await store.close()
