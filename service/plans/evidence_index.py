"""The whole graph's evidence facts and their judgements, kept per graph version.

The gap map, the practice gap and recommendations over the whole graph read every
intervention's findings: on a graph of 2,000 interventions and 70,000 findings that is
seconds of store time and, judged afresh, a minute of Python per request. So each
service process keeps the facts (evidence_facts.intervention_facts, per intervention),
and memoises what the views derive from them (judgements, gap-map cells, practice-gap
rows), for the graph version they were read at. Every request first asks the store for
the changes since that version (one statement, evidence_sync.SINCE) which also brings
the facts of the interventions those changes reach; an unchanged graph costs that one
small statement. Writes that bypass the change log (hand-run Cypher) are not seen until
the next logged write.

A snapshot is never changed once published (a view may be reading it in a worker
thread); an update builds a new one that shares the unchanged interventions and their
memos. The first snapshot is read in flat statements (evidence_read.py): seconds on
the benchmark graph, but it may still take longer than a request may: it runs as a
task of its own, which a request that times out leaves running, and later requests use.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Final

from service import collector
from service.plans import evidence_facts, evidence_files, evidence_read, evidence_sync
from service.plans.evidence_facts import EvidenceFacts
from service.store import Store
from service.store_faults import StoreTimeout

logger = logging.getLogger(__name__)

# Interventions per statement: a fraction of a second of store time each on the
# benchmark graph, and a few seconds on a loaded machine, within STORE_QUERY_TIMEOUT.
CHUNK: Final = 40
# More changes than this since the snapshot: reading everything again is cheaper.
MAX_CHANGES: Final = 500
# A snapshot loaded from a file this many versions older is written to a file of its
# own version (keep): well before the older file has too many changes to trace.
REWRITE_AFTER: Final = 100
# Where an entry keeps its gap-map cells (gap_map.py) and its practice-gap row
# (practice_gap.py); a snapshot file holds both, so that neither view works them out
# again after a restart (the practice gap's rows took 1.5 s of one core to work out).
GAP_MAP_CELLS: Final = "gap_map_cells"
PRACTICE_GAP_ROW: Final = "practice_gap_row"
_KEPT_IN_FILES: Final = (GAP_MAP_CELLS, PRACTICE_GAP_ROW)


@dataclass
class Entry:
    """One intervention's facts and what has been worked out from them so far."""

    facts: dict[str, Any]
    mentions: frozenset[str]
    judgements: dict[tuple[str, ...], dict[str, Any]] = field(default_factory=dict)
    # Depend on the outcome taxonomy as well: a new taxonomy gets a new Entry.
    derived: dict[Any, Any] = field(default_factory=dict)
    working: threading.Lock = field(default_factory=threading.Lock)
    # The parts the judgements have in common (see _pooled).
    pool: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot(EvidenceFacts):
    """The evidence facts of the whole graph at one version, with memoised judgements."""

    version: int = 0
    # The id of the change log's entry at ``version`` (evidence_files.py).
    last_change: str | None = None
    # The version of the file this snapshot (or the one it updated) was loaded from.
    file_version: int | None = None
    entries: Mapping[str, Entry] = field(default_factory=dict)
    above: Mapping[str, frozenset[str]] = field(default_factory=dict)

    # Worked out from the whole snapshot when first asked for (see reaching).
    derived: dict[str, Any] = field(default_factory=dict)

    def outcomes_over(self, outcome_ids: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set().union(*(self.above.get(o, frozenset()) for o in outcome_ids))
        return [o for o in self.outcomes if o["id"] in wanted]

    def reaching(self, outcome_ids: Iterable[str]) -> list[dict[str, Any]]:
        by_outcome = self.derived.get("reaching")
        if by_outcome is None:
            by_outcome = self.derived["reaching"] = _reaching(self.interventions)
        wanted = set().union(*(by_outcome.get(o, ()) for o in outcome_ids))
        return [i for i in self.interventions if i["id"] in wanted]

    def judge(
        self, findings: Sequence[Mapping[str, Any]], intervention: Mapping[str, Any]
    ) -> dict[str, Any]:
        # A variant's facts nested in its parent's were read with its own (a change to a
        # variant refetches its parent), so both share the variant's memo.
        entry = self.entries.get(intervention["id"])
        if entry is None:
            return super().judge(findings, intervention)
        key = tuple(f["id"] for f in findings)
        found = entry.judgements.get(key)
        if found is None:
            found = entry.judgements[key] = _pooled(
                super().judge(findings, intervention), entry.pool
            )
            self.remembered()
        return found

    def memo(self, intervention_id: str) -> dict[Any, Any]:
        """What views derive from one intervention, kept for this snapshot's taxonomy."""
        entry = self.entries.get(intervention_id)
        return {} if entry is None else entry.derived

    def remembered(self) -> None:
        self.derived["unsettled"] = True

    def working_on(self, intervention_id: str) -> AbstractContextManager[object]:
        entry = self.entries.get(intervention_id)
        return nullcontext() if entry is None else entry.working


def _pooled(judgement: dict[str, Any], pool: dict[Any, Any]) -> dict[str, Any]:
    """``judgement`` sharing what it has in common with the intervention's other
    judgements: a finding decides the cell of its outcome and of each outcome above,
    and the same caveats and reasons recur in them, so one copy of each is kept (about
    half of what the judgements of the benchmark graph held). Each key names all that
    its value is computed from, so a shared part equals the one it replaces."""
    judgement["deciding_findings"] = [
        pool.setdefault(("finding", f["id"]), f) for f in judgement["deciding_findings"]
    ]
    # A trial's entry is computed from its findings in the cell alone.
    judgement["deciding_trials"] = [
        pool.setdefault(("trial", t["id"], *t["finding_ids"]), t)
        for t in judgement["deciding_trials"]
    ]
    judgement["caveats"] = [
        pool.setdefault(("caveat", c["code"], c["text"]), c) for c in judgement["caveats"]
    ]
    judgement["reasons"] = [pool.setdefault(("reason", r), r) for r in judgement["reasons"]]
    consistency = judgement["consistency"]
    judgement["consistency"] = pool.setdefault(("consistency", *consistency.items()), consistency)
    return judgement


def settle(facts: EvidenceFacts) -> None:
    """Take a snapshot and what views remembered from it out of the garbage collector's
    full walks, once they are built. They are millions of objects that live as long as
    a graph version, and a full collection walking them stalled requests for seconds;
    frozen, they are still freed by reference counting when replaced (they hold no
    cycles). Called after a view's work, so that only what was new is frozen."""
    if isinstance(facts, Snapshot) and facts.derived.pop("unsettled", False):
        gc.freeze()


@dataclass
class _State:
    snapshot: Snapshot | None = None
    building: asyncio.Task[Snapshot] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# Per driver and database: each request reads through a view of the store of its own
# (Store.for_request), and every view of one store shares its driver.
_states: weakref.WeakKeyDictionary[object, dict[str, _State]] = weakref.WeakKeyDictionary()


def _state_of(store: Store) -> _State:
    by_database = _states.setdefault(store._driver, {})
    return by_database.setdefault(store.database, _State())


async def current(store: Store) -> Snapshot:
    """The whole graph's evidence facts, up to date with every logged write."""
    state = _state_of(store)
    while True:
        known = state.snapshot
        if known is None:
            async with state.lock:
                if state.snapshot is None:
                    built, fresh = await _run(state, partial(_build, store, state))
                    if fresh:
                        return built
            continue
        [row] = await store.read(
            evidence_sync.SINCE,
            {"known": known.version, "maxChanges": MAX_CHANGES, "chunk": CHUNK},
        )
        if row["version"] == known.version:
            return known
        async with state.lock:
            latest = state.snapshot or known
            if row["version"] is not None and latest.version >= row["version"]:
                return latest  # brought up to date while this request waited
            if _untraceable(row, known):
                updated, fresh = await _run(state, partial(_build, store, state))
            else:
                updated, fresh = await _run(state, partial(_update, store, state, latest, row))
            if fresh:
                return updated


async def load_held(store: Store) -> Snapshot | None:
    """The snapshot a present file holds, brought up to date, made current; None (and
    nothing read from the store but its version) when there is no file this graph can
    use. For the process to load before it listens (service/runtime.py): seconds, where
    building the snapshot without a file takes half a minute or more, and is left to
    the warm-up."""
    state = _state_of(store)
    async with state.lock:
        if state.snapshot is None:
            held = await _from_file(store, state, at_once=True)
            if held is not None:
                held.remembered()
                state.snapshot = held
        return state.snapshot


async def _run(state: _State, work: Callable[[], Awaitable[Snapshot]]) -> tuple[Snapshot, bool]:
    """Run ``work`` as a task of its own, or wait for the one still running (a request
    that gave up at its deadline leaves it running). True when ``work`` itself ran: a
    task started before this request may have missed a write the request must see."""
    if state.building is not None and not state.building.done():
        return await asyncio.shield(state.building), False
    state.building = asyncio.ensure_future(work())
    state.building.add_done_callback(_retrieve)
    return await asyncio.shield(state.building), True


def _untraceable(row: Mapping[str, Any], known: Snapshot) -> bool:
    """No change log; more changes than are worth tracing (or a gap in the log); or a
    deleted agency, whose id the facts do not hold beside the area types of the studies
    it conducted, so nothing leads from its deletion to them."""
    changes = row["changes"]
    return (
        row["version"] is None
        or len(changes) < row["version"] - known.version
        or any(c["operation"] == "DELETE" and c["type"] == "Agency" for c in changes)
    )


def _retrieve(task: asyncio.Task[Snapshot]) -> None:
    # A build that failed is started again by the next request; its error was that
    # request's to report, so it is only taken here to keep the loop's log quiet.
    if not task.cancelled():
        task.exception()


async def _build(store: Store, state: _State) -> Snapshot:
    snapshot = await _from_file(store, state)
    if snapshot is None:
        # The version first: a write after it is in the log after it, and the next
        # request fetches what it reached again, whichever statement below saw it.
        [row] = await store.read(evidence_sync.FULL, {"chunk": 0})
        facts = await evidence_read.whole_graph(store, row["affected"])
        snapshot = await asyncio.to_thread(
            _snapshot,
            row["version"] or 0,
            row["outcomes"],
            {f["id"]: f for f in facts},
            previous=None,
            last_change=row["lastChange"],
        )
        if row["version"] is None:
            snapshot.remembered()
            return snapshot
    snapshot.remembered()
    state.snapshot = snapshot
    return snapshot


async def _from_file(store: Store, state: _State, *, at_once: bool = False) -> Snapshot | None:
    """The snapshot the newest file holds (evidence_files.py), judgements included,
    decoded ``CHUNK`` interventions at a time (all at once before the process serves
    requests), and brought up to date with the changes logged since, as a request
    would; None without a file this graph can use."""
    folder = store.evidence_snapshots
    if folder is None:
        return None
    held_version = await asyncio.to_thread(evidence_files.newest, folder, store.database)
    if held_version is None:
        return None
    [row] = await store.read(evidence_sync.VERSION, {"held": held_version})
    if row["version"] is None or row["heldChange"] is None or held_version > row["version"]:
        return None
    held = await asyncio.to_thread(
        evidence_files.load, folder, store.database, held_version, row["heldChange"]
    )
    if held is None:
        return None
    entries: dict[str, tuple[dict[str, Any], dict[Any, Any], dict[str, Any]]] = {}
    encoded = list(held.entries.items())
    step_size = len(encoded) if at_once else CHUNK
    for start in range(0, len(encoded), step_size):
        step = encoded[start : start + step_size]
        try:
            decoded = await asyncio.to_thread(
                collector.paused_call, evidence_files.decode, [e for _, e in step]
            )
        except evidence_files.Unreadable as error:
            logger.warning("ignoring the evidence snapshot file: %s", error)
            return None
        entries.update(zip((i for i, _ in step), decoded, strict=True))
    snapshot = await asyncio.to_thread(
        _held_snapshot, held_version, row["heldChange"], held.outcomes, entries
    )
    if held_version == row["version"]:
        return snapshot
    [since] = await store.read(
        evidence_sync.SINCE, {"known": held_version, "maxChanges": MAX_CHANGES, "chunk": CHUNK}
    )
    if _untraceable(since, snapshot):
        return None
    return await _update(store, state, snapshot, since)


async def _update(store: Store, state: _State, known: Snapshot, row: Mapping[str, Any]) -> Snapshot:
    touched = set(row["touched"])
    # Interventions that reached a changed node before the change (a deleted finding's
    # intervention no longer reaches it in the graph): only the snapshot knows them.
    reached_before = [i for i, e in known.entries.items() if e.mentions & touched]
    wanted = list(dict.fromkeys([*row["affected"], *reached_before]))
    facts = await _with_rest(store, row, wanted)
    outcomes = row["outcomes"] if row["taxonomyChanged"] else known.outcomes
    state.snapshot = _snapshot(
        row["version"], outcomes, facts, previous=known, last_change=row["lastChange"]
    )
    state.snapshot.remembered()
    return state.snapshot


async def _with_rest(
    store: Store, row: Mapping[str, Any], wanted: list[str]
) -> dict[str, dict[str, Any] | None]:
    """The facts of every wanted intervention, None for one that no longer exists; the
    row holds those of the first ``CHUNK`` affected ones already."""
    found: dict[str, dict[str, Any] | None] = dict.fromkeys(wanted)
    for intervention in row["interventions"]:
        found[intervention["id"]] = intervention
    fetched = set(row["affected"][:CHUNK])
    rest = [i for i in wanted if i not in fetched]
    for start in range(0, len(rest), CHUNK):
        for intervention in await _facts(store, rest[start : start + CHUNK]):
            found[intervention["id"]] = intervention
    return found


async def _facts(store: Store, ids: list[str]) -> list[dict[str, Any]]:
    """The facts of these interventions; on a store too slow for them in one statement,
    half at a time (a single intervention's timeout is the store's to report)."""
    try:
        fetched = await evidence_facts.fetch(
            store, intervention_ids=ids, outcome_ids=[], with_areas=True
        )
    except StoreTimeout:
        if len(ids) == 1:
            raise
        middle = len(ids) // 2
        return [*await _facts(store, ids[:middle]), *await _facts(store, ids[middle:])]
    return fetched.interventions


def _snapshot(
    version: int,
    outcomes: list[dict[str, Any]],
    facts: Mapping[str, dict[str, Any] | None],
    *,
    previous: Snapshot | None,
    last_change: str | None,
) -> Snapshot:
    same_taxonomy = previous is not None and previous.outcomes is outcomes
    entries: dict[str, Entry] = {}
    for intervention_id, entry in (previous.entries if previous else {}).items():
        if intervention_id in facts:
            continue
        entries[intervention_id] = (
            entry if same_taxonomy else Entry(entry.facts, entry.mentions, entry.judgements)
        )
    for intervention_id, intervention in facts.items():
        if intervention is not None:
            entries[intervention_id] = Entry(intervention, _mentions(intervention))
    ordered = sorted(entries.values(), key=lambda e: (e.facts["name"], e.facts["id"]))
    above: dict[str, set[str]] = {}
    for outcome in outcomes:
        for below in outcome["below"]:
            above.setdefault(below, set()).add(outcome["id"])
    return Snapshot(
        outcomes=outcomes,
        interventions=[e.facts for e in ordered],
        version=version,
        last_change=last_change,
        file_version=previous.file_version if previous else None,
        entries=entries,
        above={o: frozenset(a) for o, a in above.items()},
    )


def _held_snapshot(
    version: int,
    last_change: str,
    outcomes: list[dict[str, Any]],
    entries: Mapping[str, tuple[dict[str, Any], dict[Any, Any], dict[str, Any]]],
) -> Snapshot:
    """The snapshot of a file's entries: facts, judgements, gap-map cells and
    practice-gap rows."""
    snapshot = replace(
        _snapshot(
            version,
            outcomes,
            {i: facts for i, (facts, _, _) in entries.items()},
            previous=None,
            last_change=last_change,
        ),
        file_version=version,
    )
    for intervention_id, (_, judgements, derived) in entries.items():
        entry = snapshot.entries[intervention_id]
        entry.judgements.update(judgements)
        entry.derived.update(derived)
    return snapshot


def keep(store: Store, snapshot: Snapshot) -> Path | None:
    """Write ``snapshot`` with what has been judged to its version's file, for the next
    process on the same DATA_DIR (None: no folder configured, the file exists, or the
    snapshot was loaded from a file fewer than REWRITE_AFTER versions older, which the
    next process brings up to date as this one did: writing the file again took a
    core for seconds just when a restarted service's first users come)."""
    folder = store.evidence_snapshots
    if folder is None or snapshot.last_change is None:
        return None
    if (
        snapshot.file_version is not None
        and snapshot.version - snapshot.file_version < REWRITE_AFTER
    ):
        return None
    return evidence_files.save(
        folder,
        store.database,
        snapshot.version,
        last_change=snapshot.last_change,
        outcomes=snapshot.outcomes,
        entries={
            i: (
                e.facts,
                dict(e.judgements),
                {kept: e.derived[kept] for kept in _KEPT_IN_FILES if kept in e.derived},
            )
            for i, e in snapshot.entries.items()
        },
    )


def _mentions(intervention: Mapping[str, Any]) -> frozenset[str]:
    """Every id the intervention's facts hold: what a change must name to reach them."""
    found = {intervention["id"]}
    for finding in intervention["findings"]:
        study = finding["study"]
        found.update((finding["id"], study["id"], *finding["outcomes"]))
        if study.get("trial"):
            found.add(study["trial"]["id"])
    for group in ("studies", "deliveries", "funding", "participants", "caveats"):
        found.update(item["id"] for item in intervention.get(group, ()))
    for rating in intervention["ratings"]:
        found.update((rating["id"], *rating["outcomes"], *(c["id"] for c in rating["caveats"])))
    found.update(intervention["targets"])
    for variant in intervention.get("variants", ()):
        found |= _mentions(variant)
    return frozenset(found)


def _reaching(interventions: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """For each outcome, the interventions with a finding on it or that target it."""
    by_outcome: dict[str, set[str]] = {}
    for intervention in interventions:
        reached = {o for f in intervention["findings"] for o in f["outcomes"]}
        for outcome_id in reached | set(intervention["targets"]):
            by_outcome.setdefault(outcome_id, set()).add(intervention["id"])
    return by_outcome
