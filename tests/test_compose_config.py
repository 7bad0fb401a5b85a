"""compose.yaml is a valid Compose file, checked as `docker compose config` would without
Docker: against the Compose Specification's JSON Schema (the copy npm's `dclint` ships,
pinned in tools/package.json) and by dclint itself, plus the references the schema cannot
see (services depended on, named volumes, interpolated variables)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DCLINT = ROOT / "tools" / "node_modules" / "dclint"
COMPOSE_SCHEMA = DCLINT / "schemas" / "compose.schema.json"


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def _schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator = jsonschema.Draft7Validator(schema)
    return sorted(
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    )


def _reference_errors(document: dict[str, Any]) -> list[str]:
    """What `compose config` checks beyond the schema."""
    services = document.get("services", {})
    volumes = set(document.get("volumes") or {})
    errors = []
    for name, service in services.items():
        for needed in service.get("depends_on") or {}:
            if needed not in services:
                errors.append(f"{name} depends on undefined service {needed}")
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0] if isinstance(mount, str) else mount.get("source", "")
            if source and not source.startswith((".", "/", "~", "$")) and source not in volumes:
                errors.append(f"{name} mounts undefined volume {source}")
    text = (ROOT / "compose.yaml").read_text()
    for reference in re.findall(r"(?<!\$)\$\{([^}]*)\}", text):
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*((:?[-?+]).*)?", reference):
            errors.append(f"invalid interpolation ${{{reference}}}")
    return errors


def test_compose_file_matches_the_compose_specification() -> None:
    assert _schema_errors(_compose()) == []
    assert _reference_errors(_compose()) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["services"]["neo4j"].update(imagee="neo4j:5"), "'imagee' does not match"),
        (
            lambda d: d["services"]["service"]["depends_on"]["neo4j"].update(condition="ready"),
            "services/service/depends_on: ",
        ),
        (lambda d: d["services"]["neo4j"].update(restart=["always"]), "is not of type 'string'"),
        (lambda d: d["services"]["service"]["depends_on"].update(cache={}), "undefined service"),
        (lambda d: d["services"]["neo4j"]["volumes"].append("scratch:/tmp"), "undefined volume"),
    ],
)
def test_the_checks_catch_a_broken_compose_file(change: Any, expected: str) -> None:
    """The checks are not vacuous: each kind of mistake is reported."""
    broken = copy.deepcopy(_compose())
    change(broken)
    errors = _schema_errors(broken) + _reference_errors(broken)
    assert any(expected in error for error in errors), errors


def test_dclint_finds_no_error() -> None:
    """dclint (the Compose linter, validating with the same schema) reports no error; its
    style warnings (key order, quoting) are advice only."""
    result = subprocess.run(
        ["node", str(DCLINT / "bin" / "dclint.cjs"), "--formatter", "json", "compose.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [m for entry in report for m in entry["messages"] if m["type"] == "error"]
    assert errors == []
    assert result.returncode == 0, result.stderr
