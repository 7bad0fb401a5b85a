"""Fixtures: one embedded store for the session (real ArcadeDB over Bolt, no mocks),
an app on it loaded with the example data, and an HTTP client for that app.

With ``NEO4J_TEST_URI`` (and ``NEO4J_TEST_USER``, ``NEO4J_TEST_PASSWORD``,
``NEO4J_TEST_DATABASE``) the session store is that Neo4j instead, which must hold an
empty database: the suite applies the migrations and loads the example data into it.
Tests that need a store of their own (``fresh_store``, restarts, set-up errors) still
start embedded ones.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, LiteralString, Protocol

import httpx
import pytest
from fastapi import FastAPI

from service.app import create_app
from service.embedded_store import start_embedded_store
from service.metrics import Metrics
from service.migrations import apply_migrations
from service.settings import Settings
from service.store import Store, Transaction, observe_statements
from tests.cypher_lint import StatementCollector, lint


def embedded_settings(data_dir: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data_dir, **overrides)


class StoreAddress(Protocol):
    """Where a running store is and how to log in: an EmbeddedStore or a Neo4jUnderTest."""

    @property
    def uri(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def password(self) -> str: ...
    @property
    def database(self) -> str: ...


@dataclass(frozen=True)
class Neo4jUnderTest:
    uri: str
    user: str
    password: str
    database: str


def neo4j_under_test() -> Neo4jUnderTest | None:
    """The Neo4j named by NEO4J_TEST_URI, or None to use the embedded store."""
    uri = os.environ.get("NEO4J_TEST_URI")
    if not uri:
        return None
    return Neo4jUnderTest(
        uri=uri,
        user=os.environ.get("NEO4J_TEST_USER", "neo4j"),
        password=os.environ.get("NEO4J_TEST_PASSWORD", ""),
        database=os.environ.get("NEO4J_TEST_DATABASE", "neo4j"),
    )


def settings_for(embedded: StoreAddress, **overrides: Any) -> Settings:
    """Settings that point the service at an already running store.

    No rate limit unless a test asks for one: the suite comes from one address. No
    warm-up of the whole-graph views and no snapshot files unless a test asks: a
    background build would add statements to the counts tests take.
    """
    return Settings(
        **{
            "rate_limit_requests": 0,
            "evidence_warmup": False,
            "evidence_snapshot_files": False,
            # The address of an embedded store hides that it is one from the service.
            "serialize_writes": not isinstance(embedded, Neo4jUnderTest),
            "neo4j_uri": embedded.uri,
            "neo4j_user": embedded.user,
            "neo4j_password": embedded.password,
            "neo4j_database": embedded.database,
            **overrides,
        }
    )


@pytest.fixture(scope="session")
async def embedded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[StoreAddress]:
    """The session's store: embedded, or the Neo4j named by NEO4J_TEST_URI."""
    external = neo4j_under_test()
    if external:
        yield external
        return
    store = await start_embedded_store(embedded_settings(tmp_path_factory.mktemp("store")))
    yield store
    await store.stop()


@pytest.fixture(scope="session")
async def app(embedded: StoreAddress) -> AsyncIterator[FastAPI]:
    # No rate limit: the whole suite comes from one address within a minute.
    # The suite reads the example data alone (its tests count what it holds); the starter
    # catalogue's own tests load it into a store of their own.
    application = create_app(
        settings_for(embedded, load_example_data=True, load_catalogue=False, rate_limit_requests=0)
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(scope="session")
async def store(app: FastAPI) -> Store:
    """The store the app uses (migrations applied, example data loaded)."""
    runtime_store: Store = app.state.runtime.store
    return runtime_store


@pytest.fixture(scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", follow_redirects=True
    ) as http:
        yield http


class GraphQL:
    """Posts queries to /graphql and counts the Cypher statements each one ran."""

    def __init__(self, client: httpx.AsyncClient, store: Store) -> None:
        self._client = client
        self._store = store
        self.statements = 0

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.raw(query, **variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def raw(self, query: str, **variables: Any) -> dict[str, Any]:
        before = self._store.statements_run
        response = await self._client.post(
            "/graphql", json={"query": query, "variables": variables}
        )
        self.statements = self._store.statements_run - before
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
async def gql(client: httpx.AsyncClient, store: Store) -> GraphQL:
    return GraphQL(client, store)


@pytest.fixture
async def fresh_store(tmp_path: Path) -> AsyncIterator[Store]:
    """A store of its own, on an empty database, for tests that change what others read."""
    async with own_store(tmp_path / "own-store") as store:
        yield store


@asynccontextmanager
async def own_store(directory: Path) -> AsyncIterator[Store]:
    """An embedded store of its own in ``directory``, connected; stopped on leaving."""
    embedded = await start_embedded_store(embedded_settings(directory))
    store = Store.connect(
        uri=embedded.uri,
        user=embedded.user,
        password=embedded.password,
        database=embedded.database,
        metrics=Metrics(),
        connect_timeout=5,
        acquire_timeout=10,
    )
    try:
        yield store
    finally:
        await store.close()
        await embedded.stop()


async def migrated(store: Store) -> Store:
    await apply_migrations(store)
    return store


class WriteClient:
    """An app on a store of its own (so writes disturb no read test), with API keys."""

    def __init__(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        tokens: dict[str, str],
        embedded: StoreAddress,
    ) -> None:
        self.app = app
        self.embedded = embedded
        self.http = client
        self.tokens = tokens
        self.statements = 0

    @property
    def store(self) -> Store:
        store: Store = self.app.state.runtime.store
        return store

    async def post(
        self, query: str, *, token: str | None = "writer", **variables: Any
    ) -> httpx.Response:
        headers = {}
        if token is not None:
            headers["authorization"] = f"Bearer {self.tokens.get(token, token)}"
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def __call__(
        self, query: str, *, token: str | None = "writer", **variables: Any
    ) -> dict[str, Any]:
        response = await self.post(query, token=token, **variables)
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def count(self, cypher: str = "MATCH (n) RETURN count(n) AS n", **params: Any) -> int:
        rows = await self.store.read(cypher, params)
        return int(rows[0]["n"])


@pytest.fixture
def sent_statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every statement a write transaction runs from here to the test's end,
    in order; each is still sent to the store as usual."""
    sent: list[str] = []
    original_run = Transaction.run

    async def recording(
        self: Transaction, query: LiteralString, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        sent.append(query)
        return await original_run(self, query, params)

    monkeypatch.setattr(Transaction, "run", recording)
    return sent


@pytest.fixture(scope="session")
async def writes(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WriteClient]:
    from service.auth.api_keys import issue_key

    store = await start_embedded_store(embedded_settings(tmp_path_factory.mktemp("write-store")))
    application = create_app(settings_for(store, load_example_data=True, load_catalogue=False))
    try:
        async with application.router.lifespan_context(application):
            runtime_store = application.state.runtime.store
            tokens = {
                "writer": (
                    await issue_key(
                        runtime_store,
                        name="eif-loader",
                        agency_id="agency-eif",
                        scopes=["evidence:write"],
                    )
                ).token,
                "reader": (
                    await issue_key(
                        runtime_store,
                        name="eif-reader",
                        agency_id="agency-eif",
                        scopes=["evidence:read"],
                    )
                ).token,
                "admin": (
                    await issue_key(
                        runtime_store, name="eif-admin", agency_id="agency-eif", scopes=["admin"]
                    )
                ).token,
            }
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver", follow_redirects=True
            ) as http:
                yield WriteClient(application, http, tokens, store)
    finally:
        await store.stop()


# Every statement any store sends during the session, for Neo4j's linter at the end.
CYPHER = StatementCollector()


def pytest_configure(config: pytest.Config) -> None:
    observe_statements(CYPHER)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not CYPHER.statements:
        return
    try:
        flagged = lint(sorted(CYPHER.statements))
    except RuntimeError as error:
        flagged = [{"statement": "(linter)", "problems": [{"message": str(error)}]}]
    session.config.stash[_LINT_REPORT] = (len(CYPHER.statements), flagged)
    if flagged:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    report = config.stash.get(_LINT_REPORT, None)
    if report is None:
        return
    checked, flagged = report
    terminalreporter.section("Cypher lint (Neo4j 5, @neo4j-cypher/language-support)")
    terminalreporter.write_line(
        f"{checked} distinct statements checked, {len(flagged)} with problems"
    )
    for item in flagged:
        terminalreporter.write_line(
            f"FLAGGED: {' '.join(item['statement'].split())[:300]}", red=True
        )
        for problem in item["problems"]:
            terminalreporter.write_line(f"    {problem.get('severity', '')}: {problem['message']}")


_LINT_REPORT = pytest.StashKey[tuple[int, list[dict[str, Any]]]]()
