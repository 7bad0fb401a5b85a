"""What the app holds while it runs: the store (and the embedded store process, if any).

Start-up order: embedded store (when no NEO4J_URI) → driver → connectivity check →
migrations → example data (into an empty database only). Shutdown reverses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

from service.auth.authenticate import Authenticator
from service.auth.jwt_tokens import JwtSettings, JwtVerifier
from service.embedded_store import EmbeddedStore, start_embedded_store
from service.errors import SetupError
from service.graph_load import load_example_data_if_empty
from service.metrics import Metrics
from service.migrations import apply_migrations
from service.settings import Settings
from service.store import Store
from service.store_registry import find_running

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    store: Store
    embedded: EmbeddedStore | None
    authenticator: Authenticator

    @classmethod
    async def start(cls, settings: Settings, metrics: Metrics, *, attach: bool = False) -> Runtime:
        """Start everything; ``attach`` reuses an embedded store a running service owns."""
        jwt_verifier = jwt_verifier_for(settings)  # bad key settings fail before anything starts
        embedded = None
        if settings.uses_embedded_store:
            running = find_running(settings.data_dir.resolve()) if attach else None
            if running is not None:
                settings = settings.model_copy(
                    update={
                        "neo4j_uri": running.uri,
                        "neo4j_user": "root",
                        "neo4j_password": settings.embedded_password,
                        "neo4j_database": running.database,
                    }
                )
            else:
                embedded = await start_embedded_store(settings)
        try:
            store = await _connect(settings, embedded, metrics)
        except BaseException:
            if embedded:
                await embedded.stop()
            raise
        runtime = cls(
            store=store, embedded=embedded, authenticator=Authenticator(store, jwt_verifier)
        )
        try:
            report = await apply_migrations(store)
            if report.applied:
                logger.info("applied migrations %s", ", ".join(f"V{v:04d}" for v in report.applied))
            if settings.load_example_data:
                await load_example_data_if_empty(store)
        except BaseException:
            await runtime.stop()
            raise
        return runtime

    async def stop(self) -> None:
        await self.store.close()
        if self.embedded:
            await self.embedded.stop()


async def _connect(settings: Settings, embedded: EmbeddedStore | None, metrics: Metrics) -> Store:
    uri = embedded.uri if embedded else settings.neo4j_uri
    assert uri is not None
    store = Store.connect(
        uri=uri,
        user=embedded.user if embedded else settings.neo4j_user,
        password=embedded.password if embedded else settings.neo4j_password,
        database=settings.database,
        metrics=metrics,
        connect_timeout=settings.store_connect_timeout,
        acquire_timeout=settings.store_acquire_timeout,
    )
    try:
        await store.verify()
    except AuthError:
        await store.close()
        raise SetupError(
            f"the store at {uri} refused the credentials; check NEO4J_USER and NEO4J_PASSWORD"
        ) from None
    except (ServiceUnavailable, Neo4jError, OSError) as error:
        await store.close()
        reason = " ".join(str(error).split())  # the driver's messages span several lines
        raise SetupError(f"cannot reach the store at {uri} ({reason}); check NEO4J_URI") from None
    return store


def jwt_verifier_for(settings: Settings) -> JwtVerifier | None:
    """The JWT checker when an issuer is configured; None means API keys only."""
    if settings.auth_jwt_issuer is None:
        return None
    if not settings.auth_jwt_audience:
        raise SetupError(
            "AUTH_JWT_ISSUER is set but AUTH_JWT_AUDIENCE is not; set the audience tokens must carry"
        )
    return JwtVerifier(
        JwtSettings(
            issuer=settings.auth_jwt_issuer,
            audience=settings.auth_jwt_audience,
            algorithms=tuple(
                a.strip() for a in settings.auth_jwt_algorithms.split(",") if a.strip()
            ),
            agency_claim=settings.auth_jwt_agency_claim,
            leeway_seconds=settings.auth_jwt_leeway_seconds,
            jwks_file=settings.auth_jwt_jwks_file,
            public_key_file=settings.auth_jwt_public_key_file,
        )
    )
