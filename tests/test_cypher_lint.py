"""The Cypher lint that runs at the end of the session really flags bad Cypher."""

from __future__ import annotations

from tests.cypher_lint import lint


def test_linter_flags_syntax_errors_and_deprecations_but_not_valid_neo4j_5() -> None:
    flagged = lint(
        [
            "MATCH (n:Intervention {id: $id}) RETURN n.name AS name",
            "MATCH (n RETURN n",
            "MATCH (n) RETURN id(n) AS legacyId",
        ]
    )
    assert [item["statement"] for item in flagged] == [
        "MATCH (n RETURN n",
        "MATCH (n) RETURN id(n) AS legacyId",
    ]
    assert flagged[0]["problems"][0]["severity"] == "error"
    assert "deprecated" in flagged[1]["problems"][0]["message"]
