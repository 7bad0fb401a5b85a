"""Reading the caller's API key costs no statement per request, and revocation still holds."""

from __future__ import annotations

import pytest

from service.auth.api_keys import ApiKeys, issue_key, revoke_key
from service.auth.principal import AuthenticationFailed
from tests.conftest import WriteClient


async def test_a_key_is_read_once_per_interval_and_revocation_holds_after_it(
    writes: WriteClient,
) -> None:
    now = [1000.0]
    keys = ApiKeys(writes.store, cache_seconds=30, clock=lambda: now[0])
    issued = await issue_key(
        writes.store, name="cached", agency_id="agency-lga", scopes=["evidence:read"]
    )
    before = writes.store.statements_run
    assert (await keys.verify(issued.token)).client_id == "cached"
    for _ in range(5):
        assert (await keys.verify(issued.token)).client_id == "cached"
    assert writes.store.statements_run == before + 1, "one read for six requests"

    wrong_secret = issued.token.rsplit("_", 1)[0] + "_not-the-secret"
    with pytest.raises(AuthenticationFailed, match="not valid"):
        await keys.verify(wrong_secret)

    await revoke_key(writes.store, key_id=issued.key_id)
    now[0] += 29
    assert (await keys.verify(issued.token)).client_id == "cached", "within the stated 30 s"
    now[0] += 2
    with pytest.raises(AuthenticationFailed, match="revoked"):
        await keys.verify(issued.token)


async def test_unknown_key_ids_are_not_kept(writes: WriteClient) -> None:
    keys = ApiKeys(writes.store, cache_seconds=30, max_entries=2)
    for n in range(5):
        with pytest.raises(AuthenticationFailed):
            await keys.verify(f"egk_unknown{n}_secret")
    assert not keys._records
