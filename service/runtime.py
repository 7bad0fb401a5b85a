"""What the app holds while it runs: the store (and the embedded store process, if any).

Start-up order: embedded store (when no NEO4J_URI) → driver → connectivity check →
migrations → example data (into an empty database only). Shutdown reverses it.

An external store (NEO4J_URI) that cannot be reached at start-up does not stop the
service: it starts anyway, reports not-ready, and finishes preparing the store (the
migrations and example data) in the background as soon as the store answers. Requests
meanwhile get STORE_UNAVAILABLE. The embedded store is part of the service, so a failure
to start it stays a one-line set-up error.

The embedded store is supervised: when its process dies the service is not ready, starts
it again after a short wait (doubling each time, at most EMBEDDED_RESTART_ATTEMPTS tries,
each logged) and is ready again once the store answers. When every try has failed the
service cannot recover by itself: ``alive`` turns false and the liveness check fails, so
the supervisor of the service (systemd, Kubernetes) restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from neo4j.exceptions import AuthError, Neo4jError

from service.auth.authenticate import Authenticator
from service.auth.jwt_tokens import JwtSettings, JwtVerifier
from service.embedded_store import EmbeddedStore, start_embedded_store
from service.errors import SetupError
from service.graph_load import CATALOGUE_DATA, EXAMPLE_DATA, load_example_data_if_empty
from service.metrics import Metrics
from service.migrations import apply_migrations, migrations_are_current
from service.plans import evidence_files, evidence_index
from service.plans.evidence_warmup import return_freed_memory, warm_up
from service.plans.search import detect_full_text
from service.settings import Settings
from service.store import Store, StoreTimeout, StoreUnavailable
from service.store_registry import find_running
from service.write_gate import WriteGate

logger = logging.getLogger(__name__)

# Waits between attempts to reach a store that was down at start-up: quick at first,
# then no more often than every few seconds.
_FIRST_RETRY_DELAY = 0.5
_MAX_RETRY_DELAY = 5.0
# Seconds after start-up before the whole-graph views are warmed: the first requests
# (readiness probes, a user's first page) go first.
_WARMUP_DELAY = 1.0
_WARMUP_ATTEMPTS = 3
# At most this long for a snapshot file to be loaded before the process listens: well
# within the time a worker process has to say it listens (service/workers.py).
_HELD_LOAD_TIMEOUT = 60.0
# How often the embedded store's process is looked at, and the first wait before starting
# it again (doubled after each failed try).
SUPERVISE_INTERVAL = 0.5
FIRST_RESTART_DELAY = 0.5


@dataclass
class Runtime:
    store: Store
    embedded: EmbeddedStore | None
    settings: Settings
    authenticator: Authenticator
    # True once migrations and example data are in place; readiness needs it.
    prepared: bool = False
    # Why preparing the store last failed (shown by readiness), or None.
    problem: str | None = None
    # False once the service cannot recover by itself (the liveness check fails).
    alive: bool = True
    restarts: int = 0
    _background: asyncio.Task[None] | None = field(default=None, repr=False)
    _supervisor: asyncio.Task[None] | None = field(default=None, repr=False)
    _warmup: asyncio.Task[None] | None = field(default=None, repr=False)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        metrics: Metrics,
        *,
        wait_for_store: bool = False,
        attach: bool = False,
    ) -> Runtime:
        """Open the store and prepare it.

        With ``wait_for_store`` an external store that cannot be reached is prepared in
        the background once it answers; without it that is a SetupError (``migrate``).
        With ``attach`` (the commands) an embedded store that a running service started
        on the same DATA_DIR is used instead of starting another.
        """
        jwt_verifier = jwt_verifier_for(settings)  # bad key settings fail before anything starts
        embedded = None
        on_embedded_store = settings.uses_embedded_store
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
        store = _open_store(settings, embedded, metrics)
        if settings.evidence_snapshot_files:
            store.evidence_snapshots = settings.data_dir.resolve() / evidence_files.FOLDER
        serialize = settings.serialize_writes
        if serialize if serialize is not None else on_embedded_store:
            store.write_gate = WriteGate(settings.data_dir.resolve())
        runtime = cls(
            store=store,
            embedded=embedded,
            settings=settings,
            authenticator=Authenticator(
                store, jwt_verifier, api_key_cache_seconds=settings.api_key_cache_seconds
            ),
        )
        try:
            await runtime._prepare()
        except (StoreUnavailable, StoreTimeout, OSError) as error:
            if embedded or not wait_for_store:
                await runtime.stop()
                raise SetupError(
                    f"cannot reach the store at {_uri(settings, embedded)} ({error}); check NEO4J_URI"
                ) from None
            runtime.problem = f"store unavailable: {error}"
            logger.warning(
                "the store at %s cannot be reached (%s); starting anyway and retrying",
                settings.neo4j_uri,
                error,
            )
            runtime._background = asyncio.create_task(runtime._prepare_when_store_answers())
        except BaseException:
            await runtime.stop()
            raise
        if embedded is not None and wait_for_store:
            runtime._supervisor = asyncio.create_task(runtime._supervise(embedded))
        return runtime

    @property
    def live(self) -> bool:
        """False when the service cannot recover by itself and should be restarted."""
        supervisor = self._supervisor
        return self.alive and not (supervisor is not None and supervisor.done())

    @property
    def evidence_warmup(self) -> asyncio.Task[None] | None:
        """The warm-up of the whole-graph views, once started."""
        return self._warmup

    async def load_evidence_snapshot(self) -> None:
        """Load the whole-graph views' snapshot from its file before the process listens,
        when the warm-up is on and a file this graph can use is there: seconds, which
        the first whole-graph view after a restart would otherwise wait for. Without a
        file nothing is built here (the warm-up builds it in the background); a store
        that cannot say its version, or a load that takes too long, is left to the
        warm-up as well."""
        store = self.store
        if not (self.settings.evidence_warmup and self.prepared and store.evidence_snapshots):
            return
        try:
            loaded = await asyncio.wait_for(evidence_index.load_held(store), _HELD_LOAD_TIMEOUT)
        except (StoreUnavailable, StoreTimeout, Neo4jError, OSError, TimeoutError) as error:
            logger.warning("loading the evidence snapshot file before start-up failed: %r", error)
            return
        if loaded is not None:
            return_freed_memory()
            logger.info("evidence snapshot at version %d loaded from its file", loaded.version)

    def start_evidence_warmup(self) -> None:
        """Warm the whole-graph views in the background once the store is prepared
        (service/plans/evidence_warmup.py); the app calls it, not the parent of worker
        processes, which answers no requests."""
        if self.settings.evidence_warmup and self._warmup is None:
            self._warmup = asyncio.create_task(self._warm_when_prepared())

    async def _warm_when_prepared(self) -> None:
        delay = _WARMUP_DELAY
        for attempt in range(1, _WARMUP_ATTEMPTS + 1):
            while not self.prepared:
                await asyncio.sleep(_MAX_RETRY_DELAY)
            try:
                await warm_up(self.store, delay=delay)
            except (StoreUnavailable, StoreTimeout, Neo4jError, OSError) as error:
                # A store busy enough to time out may answer a little later. Nothing is
                # lost if it never does: the first whole-graph view builds what it needs.
                logger.warning(
                    "warming the whole-graph evidence views failed (try %d of %d): %s",
                    attempt,
                    _WARMUP_ATTEMPTS,
                    error,
                )
                delay = _MAX_RETRY_DELAY * attempt
                continue
            return

    async def stop(self) -> None:
        for task in (self._warmup, self._supervisor, self._background):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.store.close()
        if self.store.write_gate is not None:
            self.store.write_gate.close()
        if self.embedded:
            await self.embedded.stop()

    async def _prepare(self) -> None:
        """Check the store answers, apply pending migrations, load example data if empty."""
        try:
            await self.store.verify()
        except AuthError:
            raise SetupError(
                f"the store at {_uri(self.settings, self.embedded)} refused the credentials; "
                "check NEO4J_USER and NEO4J_PASSWORD"
            ) from None
        except Neo4jError as error:
            reason = " ".join(str(error).split())  # the driver's messages span several lines
            raise StoreUnavailable(reason) from None
        if not self.settings.apply_migrations:
            # Another process (the parent of worker processes) migrates; this one is
            # prepared once it has.
            if not await migrations_are_current(self.store):
                raise StoreUnavailable("waiting for the migrations to be applied")
        else:
            report = await apply_migrations(self.store)
            if report.applied:
                logger.info("applied migrations %s", ", ".join(f"V{v:04d}" for v in report.applied))
        if self.settings.load_example_data:
            files = [EXAMPLE_DATA] + ([CATALOGUE_DATA] if self.settings.load_catalogue else [])
            await load_example_data_if_empty(self.store, files)
        self.store.full_text_search = await detect_full_text(self.store)
        logger.info(
            "search: %s",
            "the full-text index evidence_search"
            if self.store.full_text_search
            else "substring matching (this store has no full-text indexes)",
        )
        self.prepared = True
        self.problem = None

    async def _prepare_when_store_answers(self) -> None:
        delay = _FIRST_RETRY_DELAY
        while not self.prepared:
            await asyncio.sleep(delay)
            try:
                await self._prepare()
            except (StoreUnavailable, StoreTimeout, OSError) as error:
                self.problem = f"store unavailable: {error}"
            except (SetupError, Neo4jError) as error:
                # Wrong credentials or a changed migration: needs an operator, but the
                # process stays up (not ready) so the problem shows in readiness and logs.
                self.problem = str(error)
                logger.error("cannot prepare the store: %s", error)
            else:
                logger.info("the store answers again; migrations and example data are in place")
                return
            delay = min(delay * 2, _MAX_RETRY_DELAY)

    async def _supervise(self, embedded: EmbeddedStore) -> None:
        """Start the embedded store again whenever its process dies."""
        while True:
            await asyncio.sleep(SUPERVISE_INTERVAL)
            code = embedded.exit_code()
            if code is None:
                continue
            self.prepared = False
            self.problem = f"the embedded store exited (code {code}); restarting it"
            logger.error("the embedded store (pid %d) exited with code %s", embedded.pid, code)
            if not await self._restart(embedded):
                attempts = self.settings.embedded_restart_attempts
                self.alive = False
                self.problem = (
                    f"the embedded store could not be restarted in {attempts} tries; "
                    f"restart the service (see {embedded.log_path})"
                )
                logger.critical("%s", self.problem)
                return

    async def _restart(self, embedded: EmbeddedStore) -> bool:
        attempts = self.settings.embedded_restart_attempts
        delay = FIRST_RESTART_DELAY
        for attempt in range(1, attempts + 1):
            logger.warning(
                "restarting the embedded store in %.1f s (try %d of %d)", delay, attempt, attempts
            )
            await asyncio.sleep(delay)
            try:
                await embedded.restart()
                await self._prepare()
            except (SetupError, StoreUnavailable, StoreTimeout, Neo4jError, OSError) as error:
                self.problem = f"restarting the embedded store failed: {error}"
                logger.error(
                    "try %d of %d to restart the embedded store failed: %s",
                    attempt,
                    attempts,
                    error,
                )
                delay *= 2
                continue
            self.restarts += 1
            logger.info("the embedded store is back (pid %d) after %d tries", embedded.pid, attempt)
            return True
        return False


def _uri(settings: Settings, embedded: EmbeddedStore | None) -> str:
    uri = embedded.uri if embedded else settings.neo4j_uri
    assert uri is not None
    return uri


def _open_store(settings: Settings, embedded: EmbeddedStore | None, metrics: Metrics) -> Store:
    """A store on a driver that connects lazily: nothing is sent until the first call."""
    return Store.connect(
        uri=_uri(settings, embedded),
        user=embedded.user if embedded else settings.neo4j_user,
        password=embedded.password if embedded else settings.neo4j_password,
        database=settings.database,
        metrics=metrics,
        connect_timeout=settings.store_connect_timeout,
        acquire_timeout=settings.store_acquire_timeout,
        retry_time=settings.store_retry_time,
        leader_retry_time=settings.store_leader_retry_time,
        query_timeout=settings.store_query_timeout,
        max_connection_lifetime=settings.store_max_connection_lifetime,
        max_connection_pool_size=settings.store_max_connection_pool_size,
        liveness_check_timeout=settings.store_liveness_check_timeout,
    )


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
