"""The migration runner: applies pending files once, in order, and refuses changed ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j.exceptions import ConstraintError

from service.errors import MigrationError
from service.migrations import (
    MIGRATIONS_DIR,
    apply_migrations,
    load_migrations,
    migrations_are_current,
)
from service.store import Store

pytestmark = pytest.mark.slow


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


async def test_project_migrations_apply_once_and_create_constraints(fresh_store: Store) -> None:
    first = await apply_migrations(fresh_store)
    assert first.applied == tuple(m.version for m in load_migrations())
    second = await apply_migrations(fresh_store)
    assert second.applied == ()
    assert second.already_applied == first.applied
    assert await migrations_are_current(fresh_store)
    constraints = await fresh_store.read("SHOW CONSTRAINTS YIELD name RETURN name")
    names = {row["name"] for row in constraints}
    assert {
        "intervention_id",
        "agency_id",
        "study_id",
        "finding_id",
        "outcome_id",
        "rating_id",
    } <= names
    ledger = await fresh_store.read(
        "MATCH (m:Migration) RETURN m.version AS v, m.checksum AS c ORDER BY v"
    )
    assert [row["v"] for row in ledger] == list(first.applied)
    assert all(len(row["c"]) == 64 for row in ledger)


async def test_unique_id_constraint_is_enforced(fresh_store: Store) -> None:
    await apply_migrations(fresh_store)
    await fresh_store.write_one("CREATE (:Agency {id: 'twice', name: 'A', sector: 'OTHER'})")
    with pytest.raises(ConstraintError):
        await fresh_store.write_one("CREATE (:Agency {id: 'twice', name: 'B', sector: 'OTHER'})")
    rows = await fresh_store.read("MATCH (a:Agency {id: 'twice'}) RETURN count(a) AS n")
    assert rows == [{"n": 1}]


async def test_a_changed_migration_is_refused(fresh_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    path = _write(
        directory,
        "V0001__probe.cypher",
        "CREATE INDEX probe_name IF NOT EXISTS FOR (n:Probe) ON (n.name);\n",
    )
    assert (await apply_migrations(fresh_store, directory)).applied == (1,)
    path.write_text(path.read_text() + "// an innocent-looking edit\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"V0001__probe\.cypher changed after it was applied"):
        await apply_migrations(fresh_store, directory)
    assert not await migrations_are_current(fresh_store, directory)


async def test_pending_migrations_run_in_order_after_applied_ones(
    fresh_store: Store, tmp_path: Path
) -> None:
    directory = tmp_path / "migrations"
    _write(
        directory,
        "V0001__first.cypher",
        "CREATE INDEX probe_a IF NOT EXISTS FOR (n:Probe) ON (n.a);\n",
    )
    await apply_migrations(fresh_store, directory)
    _write(directory, "V0002__data.cypher", "MERGE (p:Probe {id: 'seeded'}) SET p.a = 1;\n")
    _write(
        directory,
        "V0003__second.cypher",
        "CREATE INDEX probe_b IF NOT EXISTS FOR (n:Probe) ON (n.b);\n",
    )
    report = await apply_migrations(fresh_store, directory)
    assert report.applied == (2, 3)
    assert await fresh_store.read("MATCH (p:Probe) RETURN p.id AS id") == [{"id": "seeded"}]


async def test_a_vanished_migration_is_refused(fresh_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "migrations"
    path = _write(
        directory,
        "V0001__gone.cypher",
        "CREATE INDEX probe_c IF NOT EXISTS FOR (n:Probe) ON (n.c);\n",
    )
    await apply_migrations(fresh_store, directory)
    path.unlink()
    with pytest.raises(MigrationError, match="has migration V0001__gone applied"):
        await apply_migrations(fresh_store, directory)


def test_misnamed_and_gapped_files_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a", "V1__short.cypher", "RETURN 1;")
    with pytest.raises(MigrationError, match="misnamed"):
        load_migrations(tmp_path / "a")
    _write(tmp_path / "b", "V0001__one.cypher", "RETURN 1;")
    _write(tmp_path / "b", "V0003__three.cypher", "RETURN 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        load_migrations(tmp_path / "b")


def test_statements_split_on_semicolons_and_skip_comments() -> None:
    migrations = load_migrations(MIGRATIONS_DIR)
    first = migrations[0]
    assert len(first.statements) == 6
    assert all(s.startswith("CREATE CONSTRAINT") and not s.endswith(";") for s in first.statements)
