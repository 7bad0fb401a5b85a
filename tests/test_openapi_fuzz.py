"""Schemathesis against the live service: requests generated from /v1/openapi.json (valid
and invalid ones) never get a 5xx, and every answer conforms to the document: a
documented status, a documented content type, a body that fits its schema, and the
headers it promises.

The service runs as its own process on a loopback port (real HTTP, as partners call it),
over the suite's store. Requests carry no credentials: writes are refused before they
touch the shared data, so the imports endpoint is checked for its refusals; the
authenticated import path has its own tests (tests/test_http_contract.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from service.store import Store
from tests.conftest import StoreAddress
from tests.service_process import running_service

EXAMPLES = int(os.environ.get("OPENAPI_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def live_service(
    embedded: StoreAddress, store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The service over the suite's store (example data loaded by the ``store`` fixture)."""
    log = tmp_path_factory.mktemp("openapi-fuzz") / "service.log"
    with running_service(embedded, log, rate_limit_requests="0") as url:
        yield url


@pytest.fixture(scope="module")
def contract(live_service: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{live_service}/v1/openapi.json")


def _check(operation: schemathesis.APIOperation, mode: GenerationMode) -> None:
    """Generated requests of one operation; the first failure Hypothesis finds (shrunk)
    is raised with the curl command that reproduces it."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(timeout=30)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_documented_answers(
    contract: schemathesis.BaseSchema, mode: GenerationMode
) -> None:
    operations = [result.ok() for result in contract.get_all_operations()]
    assert {op.label for op in operations} >= {"POST /v1/imports", "GET /healthz"}
    checked = []
    for operation in operations:
        try:
            _check(operation, mode)
        except Unsatisfiable:
            # Nothing to make invalid: an operation without parameters or body.
            assert mode is GenerationMode.NEGATIVE
            assert not list(operation.iter_parameters()) and not operation.body
            continue
        checked.append(operation.label)
    assert len(checked) >= 3, checked
