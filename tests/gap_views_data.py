"""The small graph the gap-view tests read, built with the evidence factories.

Four interventions (ids prefixed ``gv-``): a hub delivered widely with only a review
finding, a heavily funded practice model with a null quasi-experiment and an ongoing
study, a programme with two rigorous 12-month trials, a newcomer with only an ongoing
trial and a CEBC rating; plus a second arrangement and a programme too costly to offer.

``gap_views_app`` serves it from an embedded store of its own, for the tests that read it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from service.app import create_app
from service.auth.api_keys import issue_key
from service.embedded_store import EmbeddedStore, start_embedded_store
from service.metrics import Metrics
from service.store import Store
from tests import evidence_factories as make
from tests.conftest import embedded_settings, settings_for
from tests.evidence_factories import WriteApi

P = "gv-"


@dataclass
class GapViewsApp:
    """An app holding the gap-view graph on an embedded store of its own (no example data)."""

    embedded: EmbeddedStore
    store: Store
    client: httpx.AsyncClient
    api: WriteApi
    _connections: list[Store] = field(default_factory=list)

    def connect(self) -> Store:
        """A new connection to the same store, so views snapshotted apart from the app's;
        closed when the app stops."""
        store = Store.connect(
            uri=self.embedded.uri,
            user=self.embedded.user,
            password=self.embedded.password,
            database=self.embedded.database,
            metrics=Metrics(),
            connect_timeout=5,
            acquire_timeout=10,
        )
        self._connections.append(store)
        return store

    async def close_connections(self) -> None:
        for store in self._connections:
            await store.close()


@asynccontextmanager
async def gap_views_app(data_dir: Path) -> AsyncIterator[GapViewsApp]:
    """The app on a store started in ``data_dir``, the graph written through its API with
    the key of a test loader (its agency and a clearinghouse are the only seeded nodes)."""
    embedded = await start_embedded_store(embedded_settings(data_dir))
    app = create_app(settings_for(embedded, load_example_data=False))
    built: GapViewsApp | None = None
    try:
        async with app.router.lifespan_context(app):
            store: Store = app.state.runtime.store
            await store.write_one(
                "MERGE (:Agency {id: 'tests-loader', name: 'Test loader', sector: 'OTHER'}) "
                "MERGE (:Agency {id: 'tests-clearinghouse', name: 'Test clearinghouse', "
                "sector: 'CLEARINGHOUSE'})"
            )
            issued = await issue_key(
                store, name="gap-view-tests", agency_id="tests-loader", scopes=["evidence:write"]
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                built = GapViewsApp(embedded, store, client, WriteApi(client, issued.token))
                await build_gap_views(built.api)
                yield built
    finally:
        if built:
            await built.close_connections()
        await embedded.stop()


async def build_gap_views(api: WriteApi) -> None:
    await make.create_outcome(api, id=f"{P}safety", name="Safety", domain="CHILD_SAFETY")
    await make.create_outcome(
        api,
        id=f"{P}maltreatment",
        name="Maltreatment",
        domain="CHILD_SAFETY",
        part_of=f"{P}safety",
    )
    await make.create_outcome(api, id=f"{P}behaviour", name="Behaviour", domain="CHILD_BEHAVIOUR")
    for key, sector in (
        ("police", "POLICE"),
        ("csc", "CHILDRENS_SOCIAL_CARE"),
        ("health", "HEALTH"),
    ):
        name = {"police": "GV Police", "csc": "GV Social Care", "health": "GV Health"}[key]
        await make.create_agency(api, id=f"{P}{key}", name=name, sector=sector)
    await make.create_agency(api, id=f"{P}funder", name="GV Fund", sector="FUNDER")
    await make.create_agency(api, id=f"{P}city", name="GV City", area_type="URBAN")
    for n in range(6):
        await make.create_agency(
            api, id=f"{P}council-{n}", name=f"GV Council {n}", area_type="RURAL"
        )

    # A hub: widely delivered, one review finding with no direction on the broad outcome.
    await make.create_intervention(api, id=f"{P}hub", name="Hub", kind="SYSTEM_ARRANGEMENT")
    await make.add_target(api, intervention=f"{P}hub", outcome=f"{P}safety")
    for n in range(6):
        await make.add_delivery(api, agency=f"{P}council-{n}", intervention=f"{P}hub")
    for key, role in (
        ("police", "shares intelligence"),
        ("csc", "decides"),
        ("health", "shares records"),
    ):
        await make.add_participation(api, agency=f"{P}{key}", intervention=f"{P}hub", role=role)
    await make.create_intervention(api, id=f"{P}panel", name="Panel", kind="SYSTEM_ARRANGEMENT")
    for key in ("police", "csc"):
        await make.add_participation(
            api, agency=f"{P}{key}", intervention=f"{P}panel", role="member"
        )
    await make.create_study(
        api,
        id=f"{P}review",
        title="Review",
        year=2017,
        design="EVIDENCE_REVIEW",
        evaluates=[f"{P}hub"],
    )
    await make.create_finding(
        api,
        id=f"{P}f-hub",
        study=f"{P}review",
        intervention=f"{P}hub",
        outcomes=[f"{P}safety"],
        measure="Impact on safety",
    )

    # A practice model: heavily funded, a null unrated QED, and an ongoing study.
    await make.create_intervention(api, id=f"{P}model", name="Model", kind="PRACTICE_MODEL")
    await make.add_target(api, intervention=f"{P}model", outcome=f"{P}safety")
    for n in range(2):
        await make.add_delivery(api, agency=f"{P}council-{n}", intervention=f"{P}model")
    await make.add_delivery(api, agency=f"{P}council-5", intervention=f"{P}model", status="ENDED")
    await make.add_funding(api, funder=f"{P}funder", intervention=f"{P}model", amount=2_000_000)
    await make.create_study(
        api,
        id=f"{P}qed",
        title="QED",
        year=2020,
        design="QED",
        country="United Kingdom",
        evaluates=[f"{P}model"],
    )
    await make.create_finding(
        api,
        id=f"{P}f-model",
        study=f"{P}qed",
        intervention=f"{P}model",
        outcomes=[f"{P}maltreatment"],
        measure="Maltreatment reports",
        direction="NO_EFFECT",
    )
    await make.create_study(
        api,
        id=f"{P}model-ongoing",
        title="Model trial",
        year=2024,
        design="MIXED_METHODS",
        status="ONGOING",
        evaluates=[f"{P}model"],
    )

    # A programme: two rigorous trials with 12-month effects, delivered by one agency.
    await make.create_intervention(
        api, id=f"{P}programme", name="Programme", cost_rating=2, min_age=3, max_age=8
    )
    await make.add_target(api, intervention=f"{P}programme", outcome=f"{P}behaviour")
    await make.add_delivery(api, agency=f"{P}city", intervention=f"{P}programme")
    for n in (1, 2):
        await make.create_study(
            api,
            id=f"{P}rct-{n}",
            title=f"Trial {n}",
            year=2010 + n,
            design="RCT",
            design_rating="HIGH",
            country="United States",
            independent=True,
            evaluates=[f"{P}programme"],
            conducted_by=[f"{P}city"],
        )
        await make.create_finding(
            api,
            id=f"{P}f-rct-{n}",
            study=f"{P}rct-{n}",
            intervention=f"{P}programme",
            outcomes=[f"{P}behaviour"],
            measure=f"Conduct problems {n}",
            direction="FAVOURABLE",
            significant=True,
            follow_up_months=12,
        )

    # A newcomer: only an ongoing trial, and a CEBC rating.
    await make.create_intervention(api, id=f"{P}newcomer", name="Newcomer")
    await make.add_target(api, intervention=f"{P}newcomer", outcome=f"{P}behaviour")
    await make.create_study(
        api,
        id=f"{P}newcomer-rct",
        title="Newcomer trial",
        year=2025,
        design="RCT",
        status="ONGOING",
        evaluates=[f"{P}newcomer"],
    )
    await make.create_rating(
        api,
        id=f"{P}cebc",
        scheme="CEBC",
        value="3",
        rated_on="2022-05-01",
        intervention=f"{P}newcomer",
        topic="Parent training",
    )

    # Too costly for the council that asks.
    await make.create_intervention(api, id=f"{P}pricey", name="Pricey", cost_rating=5)
    await make.create_study(
        api,
        id=f"{P}pricey-rct",
        title="Pricey trial",
        year=2015,
        design="RCT",
        design_rating="HIGH",
        country="United Kingdom",
        evaluates=[f"{P}pricey"],
    )
    await make.create_finding(
        api,
        id=f"{P}f-pricey",
        study=f"{P}pricey-rct",
        intervention=f"{P}pricey",
        outcomes=[f"{P}behaviour"],
        measure="Behaviour",
        direction="FAVOURABLE",
        significant=True,
    )
