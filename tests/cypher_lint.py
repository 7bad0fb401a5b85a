"""Neo4j fidelity: every Cypher statement the test suite sends is collected and checked
with Neo4j's own linter (tools/lint-cypher.mjs, npm @neo4j-cypher/language-support) at
the end of the session. CI runs on the embedded store; this keeps the Cypher valid
Neo4j 5 as well: no syntax or semantic errors, no deprecation warnings."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent.parent / "tools"


@dataclass
class StatementCollector:
    statements: set[str] = field(default_factory=set)

    def __call__(self, statement: str) -> None:
        self.statements.add(statement)


def lint(statements: list[str]) -> list[dict[str, Any]]:
    """The statements the linter flags, each with its problems (empty: all clean)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("Node.js is needed for the Cypher lint (make test installs tools/)")
    completed = subprocess.run(
        [node, str(TOOLS / "lint-cypher.mjs")],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        cwd=TOOLS,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the Cypher linter failed: {completed.stderr.strip()[-2000:]}")
    flagged: list[dict[str, Any]] = json.loads(completed.stdout)
    return flagged
