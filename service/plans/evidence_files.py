"""The whole graph's evidence snapshot, with its judgements, kept in a file per version.

Building the snapshot of the benchmark graph (2,000 interventions, 70,000 findings)
reads about 160 MB of facts from the store and judging the gap map's 86,000 cells takes
as long again: half a minute of both cores, which every worker process and every restart
paid anew. The first process to have judged a graph version writes the facts and the
judgements to ``DATA_DIR/evidence-snapshots/``; a process that builds its snapshot at
the same version loads them instead, in a few seconds.

A file is used only when all of these hold, else the snapshot is read from the store
(and the file written again by the next warm-up, evidence_warmup.py):

- same database and same graph version (the change log's last position);
- the same rules: a hash of the modules that compute the facts and judgements is part
  of the name, so a service with changed rules never reads another's judgements;
- the id of the change log's last entry (a random id each write draws), the outcome
  columns and the intervention ids the store gives in the statement that gave the
  version equal the file's: a store emptied and loaded again up to the same version, or
  another store whose service shares the DATA_DIR, is not mistaken for the one the
  file was written from.

``marshal`` holds exactly the plain values the snapshot is made of (dicts, lists,
tuples, strings, numbers), keeps shared objects shared (a study's map under each of its
findings, a judgement and the cell holding it) and reads several times faster than
``pickle``; it reads only what this module wrote, so a file is the service's own, as
the store's files in the same DATA_DIR are. A file that cannot be read is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

logger = logging.getLogger(__name__)

FOLDER: Final = "evidence-snapshots"
# marshal's format 4 keeps shared objects and interned strings as they were.
_MARSHAL_VERSION: Final = 4
_SUFFIX: Final = ".marshal"
# The modules whose code decides what a snapshot holds: its facts, judgements, cells.
_RULE_SOURCES: Final = (
    "service/rules",
    "service/countries.py",
    "service/plans/evidence_facts.py",
    "service/plans/evidence_read.py",
    "service/plans/evidence_index.py",
    "service/plans/evidence_files.py",
    "service/plans/gap_map.py",
)


@cache
def rules_hash() -> str:
    """A short hash of the code that computes the facts and the judgements."""
    root = Path(__file__).resolve().parent.parent.parent
    digest = hashlib.sha256()
    for source in _RULE_SOURCES:
        found = root / source
        for path in sorted(found.rglob("*.py")) if found.is_dir() else [found]:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def path_of(folder: Path, database: str, version: int) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", database)
    return folder / f"{safe}-{version}-{rules_hash()}{_SUFFIX}"


def load(
    folder: Path, database: str, version: int, row: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The file's contents for this version, or None when there is none that fits the
    store's ``row`` (evidence_sync.FULL: its last change, outcomes, intervention ids)."""
    path = path_of(folder, database, version)
    try:
        held: dict[str, Any] = marshal.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError) as error:
        logger.warning("ignoring the evidence snapshot file %s: %s", path, error)
        return None
    if (
        held.get("last_change") != row["lastChange"]
        or held.get("outcomes") != row["outcomes"]
        or held.get("ids") != row["affected"]
    ):
        logger.warning("ignoring %s: it does not hold the store's graph at its version", path)
        return None
    return held


def save(
    folder: Path,
    database: str,
    version: int,
    *,
    last_change: str | None,
    outcomes: list[dict[str, Any]],
    ids: list[str],
    entries: Mapping[str, tuple[dict[str, Any], dict[Any, Any], Any]],
) -> Path | None:
    """Write the snapshot (per intervention: facts, judgements, gap-map cells or None)
    unless this version's file is there already; older versions' files are removed.
    Written under a name of its own and renamed, so a reader never sees half a file."""
    path = path_of(folder, database, version)
    if path.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    held = {"last_change": last_change, "outcomes": outcomes, "ids": ids, "entries": dict(entries)}
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        partial.write_bytes(marshal.dumps(held, _MARSHAL_VERSION))
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    for other in folder.glob(f"*{_SUFFIX}"):
        if other != path and other.name.rsplit("-", 2)[0] == path.name.rsplit("-", 2)[0]:
            with contextlib.suppress(FileNotFoundError):
                other.unlink()
    return path
