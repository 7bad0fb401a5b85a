"""Applies ``migrations/V<NNNN>__<name>.cypher`` files in order, once each.

Each applied file is recorded as a ``(:Migration {version, name, checksum, appliedAt})``
node. A file whose checksum no longer matches its record stops start-up: applied
migrations are history and must not change; write a new file instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from service.errors import MigrationError
from service.store import Store, Transaction

logger = logging.getLogger(__name__)

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent.parent / "migrations"
_FILE_NAME: Final = re.compile(r"^V(\d{4})__([a-z0-9_]+)\.cypher$")

_ENSURE_LEDGER: Final = (
    "CREATE CONSTRAINT migration_version IF NOT EXISTS "
    "FOR (m:Migration) REQUIRE m.version IS UNIQUE"
)
_APPLIED: Final = """
MATCH (m:Migration)
RETURN m.version AS version, m.name AS name, m.checksum AS checksum
ORDER BY version
"""
_RECORD: Final = """
MERGE (m:Migration {version: $version})
SET m.name = $name, m.checksum = $checksum, m.appliedAt = datetime()
"""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    checksum: str
    statements: tuple[str, ...]


@dataclass(frozen=True)
class MigrationReport:
    applied: tuple[int, ...]
    already_applied: tuple[int, ...]


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read every migration file, in version order, refusing misnamed files and gaps."""
    migrations = []
    for path in sorted(directory.glob("*.cypher")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"migration file {path.name} is misnamed; use V0001__snake_case_name.cypher"
            )
        text = path.read_text(encoding="utf-8")
        migrations.append(
            Migration(
                version=int(match.group(1)),
                name=match.group(2),
                checksum=hashlib.sha256(text.encode()).hexdigest(),
                statements=split_statements(text),
            )
        )
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"migration versions must run 1, 2, 3... without gaps; found V{migration.version:04d} "
                f"where V{expected:04d} was expected"
            )
    return migrations


def split_statements(text: str) -> tuple[str, ...]:
    """Split a file into statements on ``;`` at line ends, ignoring ``//`` comment lines."""
    lines = [line for line in text.splitlines() if not line.strip().startswith("//")]
    statements = (part.strip() for part in "\n".join(lines).split(";\n"))
    return tuple(s.rstrip(";").strip() for s in statements if s.rstrip(";").strip())


async def pending_migrations(store: Store, migrations: list[Migration]) -> list[Migration]:
    """The migrations not yet applied; raises if an applied file has changed or vanished."""
    await store.run_schema(_ENSURE_LEDGER)
    applied = {row["version"]: row for row in await store.read(_APPLIED)}
    by_version = {m.version: m for m in migrations}
    for version, row in applied.items():
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration V{version:04d}__{row['name']} applied, but this "
                "code has no such file; run the service version that wrote it"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"migration V{version:04d}__{migration.name}.cypher changed after it was applied "
                "(checksum differs); restore the file and add the change as a new migration"
            )
    return [m for m in migrations if m.version not in applied]


# A data migration touches every node of a label (numbering the change log, rewriting
# countries): on a database that has been in use for a while that takes far longer than
# a request may, so it gets a deadline of its own.
DATA_MIGRATION_TIMEOUT: Final = 1800.0


async def apply_migrations(store: Store, directory: Path = MIGRATIONS_DIR) -> MigrationReport:
    """Apply pending migrations in order and record each one; return what was done."""
    migrations = load_migrations(directory)
    pending = await pending_migrations(store, migrations)
    for migration in pending:
        logger.info("applying migration V%04d__%s", migration.version, migration.name)
        for statement in migration.statements:
            try:
                if _is_schema_statement(statement):
                    await store.run_schema(statement)
                else:
                    await store.write_one(statement, timeout=DATA_MIGRATION_TIMEOUT)
            except Exception as error:
                raise MigrationError(
                    f"migration V{migration.version:04d}__{migration.name} failed: {error}"
                ) from error
        await _record(store, migration)
    applied = tuple(m.version for m in pending)
    already = tuple(m.version for m in migrations if m.version not in applied)
    return MigrationReport(applied=applied, already_applied=already)


async def migrations_are_current(store: Store, directory: Path = MIGRATIONS_DIR) -> bool:
    """True when every migration file is applied and unchanged (for readiness)."""
    applied = {row["version"]: row["checksum"] for row in await store.read(_APPLIED)}
    return all(applied.get(m.version) == m.checksum for m in load_migrations(directory))


async def _record(store: Store, migration: Migration) -> None:
    async def work(tx: Transaction) -> None:
        await tx.run(
            _RECORD,
            {"version": migration.version, "name": migration.name, "checksum": migration.checksum},
        )

    await store.write(work)


def _is_schema_statement(statement: str) -> bool:
    return (
        re.match(r"^\s*(CREATE|DROP)\s+(CONSTRAINT|INDEX|RANGE INDEX)\b", statement, re.I)
        is not None
    )
