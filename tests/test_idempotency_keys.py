"""Idempotency keys: kept for their window, shared by concurrent resends, checked for form."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from service.store import Transaction
from service.writes.idempotency import WriteKey, write_once
from tests.conftest import WriteClient

UPSERT = """mutation($input: InterventionInput!) {
  upsertIntervention(input: $input) { intervention { id updatedAt } errors { code } } }"""


async def test_an_answer_is_replayed_within_the_window_and_not_after(writes: WriteClient) -> None:
    key = WriteKey.of(client="test", request_key=str(uuid.uuid4()), ordinal=1, request=["same"])
    runs: list[str] = []

    def work(answer: str) -> Callable[[Transaction], Awaitable[str]]:
        async def run(tx: Transaction) -> str:
            runs.append(answer)
            return answer

        return run

    def once(answer: str, window: float) -> Awaitable[str]:
        return write_once(writes.store, key, work(answer), encode=str, decode=str, window=window)

    assert await once("first", window=3600) == "first"
    assert await once("second", window=3600) == "first", "within the window: the first answer"
    await asyncio.sleep(0.05)
    assert await once("third", window=0.01) == "third", "past the window the key starts afresh"
    assert runs == ["first", "third"]


async def test_concurrent_resends_with_one_key_take_effect_once_and_get_one_answer(
    writes: WriteClient,
) -> None:
    node_id, key = f"test-key-race-{uuid.uuid4().hex[:8]}", f'"{uuid.uuid4()}"'
    payload = {"id": node_id, "name": "Race", "kind": "SERVICE", "source": "x"}
    responses = await asyncio.gather(
        *(
            writes.http.post(
                "/graphql",
                json={"query": UPSERT, "variables": {"input": payload}},
                headers={
                    "authorization": f"Bearer {writes.tokens['writer']}",
                    "idempotency-key": key,
                },
            )
            for _ in range(8)
        )
    )
    answers = [r.json()["data"] for r in responses]
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0]["upsertIntervention"]["errors"] == []
    count = "MATCH (c:Change {entityId: $id}) RETURN count(c) AS n"
    assert await writes.count(count, id=node_id) == 1


async def test_a_malformed_key_is_refused_before_anything_runs(writes: WriteClient) -> None:
    response = await writes.http.post(
        "/graphql",
        json={"query": UPSERT, "variables": {"input": {"id": "x", "source": "x"}}},
        headers={
            "authorization": f"Bearer {writes.tokens['writer']}",
            "idempotency-key": '"has a space"',
        },
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"][0]["message"]
