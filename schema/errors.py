"""Expected failures as GraphQL errors with a code; anything else is masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from service.plans.errors import BadQueryInput
from service.store import CommitOutcomeUnknown, StoreTimeout, StoreUnavailable
from service.writes.idempotency import KeyReused

logger = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."


@contextmanager
def expected_errors() -> Iterator[None]:
    """Turn errors a caller can act on into GraphQL errors with an extension code."""
    try:
        yield
    except BadQueryInput as error:
        raise GraphQLError(
            str(error), extensions={"code": "BAD_USER_INPUT", "argument": error.argument}
        ) from None
    except KeyReused as error:
        raise GraphQLError(str(error), extensions={"code": "IDEMPOTENCY_KEY_REUSED"}) from None
    except CommitOutcomeUnknown as error:
        logger.warning("write outcome unknown: %s", error)
        raise GraphQLError(
            "The database connection broke while the write was committing; it may have taken "
            "effect. Resend it with the same Idempotency-Key to learn what it did.",
            extensions={"code": "STORE_UNAVAILABLE"},
        ) from None
    except StoreUnavailable as error:
        logger.warning("store unavailable: %s", error)
        raise GraphQLError(
            "The database is unavailable; try again shortly.",
            extensions={"code": "STORE_UNAVAILABLE"},
        ) from None
    except StoreTimeout as error:
        logger.warning("store timeout: %s", error)
        raise GraphQLError(
            "The database did not answer in time; try again shortly, or ask for less.",
            extensions={"code": "STORE_TIMEOUT"},
        ) from None


def should_mask(error: GraphQLError) -> bool:
    """Mask anything that is not a GraphQLError raised on purpose (bugs, driver faults)."""
    return error.original_error is not None and not isinstance(error.original_error, GraphQLError)
