"""The whole graph's evidence snapshot, with its judgements, kept in a file per version.

Building the snapshot of the benchmark graph (2,000 interventions, 70,000 findings)
reads about 160 MB of facts from the store and judging the gap map's 86,000 cells takes
as long again: half a minute of both cores, which every worker process and every restart
paid anew. The first process to have judged a graph version writes the facts and the
judgements to ``DATA_DIR/evidence-snapshots/``; a process that builds its snapshot at
the same version loads them instead, in a few seconds.

A file is used only by a service with the same rules (a hash of the modules that
compute the facts and judgements is part of its name) on the same database, and only
when the change log's entry at the file's version is the one the file was written
after: each write draws its entry's id at random, so a store emptied and loaded again up
to the same version, or another store whose service shares the DATA_DIR, is not
mistaken for the one the file was written from. The newest file is used; when the graph
has changed since, the snapshot is brought up to date from the change log as a
request's would be (evidence_index.py), unless there are too many changes to trace.
Otherwise the snapshot is read from the store, and the warm-up (evidence_warmup.py)
writes the file again.

``marshal`` holds the plain values the snapshot is made of (dicts, lists, tuples,
strings, numbers), keeps shared objects shared (a study's map under each of its
findings, a judgement and the cell holding it) and reads faster than ``pickle``, which
holds an entry with dates or times (a rating's date) that marshal cannot. Each
intervention's entry is encoded on its own, so that a process serving requests decodes
them a few dozen at a time and serves requests in between; a process that has not begun
to listen decodes them all at once (evidence_index.load_held). A file is read only from
the service's own DATA_DIR, beside the embedded store's own files, by the module that
wrote it; one that cannot be read is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

logger = logging.getLogger(__name__)

FOLDER: Final = "evidence-snapshots"
# marshal's format 4 keeps shared objects and interned strings as they were.
_MARSHAL_VERSION: Final = 4
_SUFFIX: Final = ".marshal"
# Each entry's first byte: how the rest is encoded.
_MARSHALLED: Final = b"m"
_PICKLED: Final = b"p"
# The modules whose code decides what a snapshot holds: its facts, judgements, cells,
# practice-gap rows.
_RULE_SOURCES: Final = (
    "service/rules",
    "service/countries.py",
    "service/plans/evidence_facts.py",
    "service/plans/evidence_read.py",
    "service/plans/evidence_index.py",
    "service/plans/evidence_sync.py",
    "service/plans/evidence_files.py",
    "service/plans/gap_map.py",
    "service/plans/practice_gap.py",
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


class Unreadable(Exception):
    """A snapshot file's entry that cannot be decoded."""


@dataclass(frozen=True)
class Held:
    """A file's snapshot: each intervention's entry still encoded (``decode`` it), so
    that decoding, which holds the interpreter for its whole length, goes in steps."""

    outcomes: list[dict[str, Any]]
    entries: dict[str, bytes]


def newest(folder: Path, database: str) -> int | None:
    """The newest version of ``database`` that a file for these rules holds."""
    name = path_of(folder, database, 0).name
    prefix, suffix = name.rsplit("-", 2)[0] + "-", "-" + name.rsplit("-", 1)[1]
    versions = [
        int(found.name[len(prefix) : -len(suffix)])
        for found in folder.glob(f"*{_SUFFIX}")
        if found.name.startswith(prefix)
        and found.name.endswith(suffix)
        and found.name[len(prefix) : -len(suffix)].isdigit()
    ]
    return max(versions, default=None)


def load(folder: Path, database: str, version: int, last_change: str | None) -> Held | None:
    """The file written at this version and last change, or None when there is none."""
    path = path_of(folder, database, version)
    try:
        held = marshal.loads(path.read_bytes())
        if held["last_change"] != last_change or last_change is None:
            logger.warning("ignoring %s: another graph reached the same version", path)
            return None
        return Held(outcomes=held["outcomes"], entries=held["entries"])
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, KeyError) as error:
        logger.warning("ignoring the evidence snapshot file %s: %s", path, error)
        return None


def decode(entries: list[bytes]) -> list[tuple[dict[str, Any], dict[Any, Any], dict[str, Any]]]:
    """Each intervention's facts, judgements and what views derived from them (its
    gap-map cells and practice-gap row, when worked out); Unreadable when a file's
    entry is not what this module wrote."""
    try:
        return [
            marshal.loads(entry[1:]) if entry[:1] == _MARSHALLED else pickle.loads(entry[1:])
            for entry in entries
        ]
    except (ValueError, EOFError, TypeError, pickle.UnpicklingError) as error:
        raise Unreadable(str(error)) from None


def _encode(entry: tuple[dict[str, Any], dict[Any, Any], dict[str, Any]]) -> bytes:
    try:
        return _MARSHALLED + marshal.dumps(entry, _MARSHAL_VERSION)
    except ValueError:  # a date or time (a rating's date): only pickle holds those
        return _PICKLED + pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)


def save(
    folder: Path,
    database: str,
    version: int,
    *,
    last_change: str,
    outcomes: list[dict[str, Any]],
    entries: Mapping[str, tuple[dict[str, Any], dict[Any, Any], dict[str, Any]]],
) -> Path | None:
    """Write the snapshot (per intervention: facts, judgements, derived views' parts)
    unless this version's file is there already; older versions' files are removed.
    Written under a name of its own and renamed, so a reader never sees half a file."""
    path = path_of(folder, database, version)
    if path.exists():
        return None
    folder.mkdir(parents=True, exist_ok=True)
    held = {
        "last_change": last_change,
        "outcomes": outcomes,
        "entries": {i: _encode(e) for i, e in entries.items()},
    }
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
