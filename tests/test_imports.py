"""Bulk import over HTTP and the command line: all or nothing, idempotent, every bad row reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from service.embedded_store import free_port
from tests.conftest import WriteClient

ROOT = Path(__file__).resolve().parent.parent
CHANGES = "MATCH (c:Change) RETURN count(c) AS n"
EVIDENCE = (
    "MATCH (n) WHERE NOT n:Change AND NOT n:ApiClient AND NOT n:Migration"
    " AND NOT n:WriteRequest AND NOT n:ChangeSequence RETURN count(n) AS n"
)


def _document(prefix: str) -> dict[str, Any]:
    return {
        "sources": {
            "trial": {
                "citation": "Partner trial register (2026)",
                "url": "https://example.org/trials",
            }
        },
        "nodes": [
            {
                "label": "Intervention",
                "id": f"{prefix}-programme",
                "source": "trial",
                "properties": {"name": "Imported programme", "kind": "PROGRAMME", "costRating": 2},
            },
            {
                "label": "Study",
                "id": f"{prefix}-study",
                "source": "trial",
                "properties": {
                    "title": "Imported trial",
                    "year": 2024,
                    "design": "RCT",
                    "status": "COMPLETED",
                    "country": "United Kingdom",
                    "sampleSize": 240,
                },
            },
            {
                "label": "Finding",
                "id": f"{prefix}-finding",
                "source": "trial",
                "properties": {
                    "measure": "Re-referral at 12 months",
                    "direction": "FAVOURABLE",
                    "effectSize": 0.8,
                    "effectSizeType": "RISK_RATIO",
                    "followUpMonths": 12,
                },
            },
        ],
        "relationships": [
            {
                "type": "EVALUATES",
                "from": f"{prefix}-study",
                "to": f"{prefix}-programme",
                "source": "trial",
            },
            {
                "type": "REPORTS",
                "from": f"{prefix}-study",
                "to": f"{prefix}-finding",
                "source": "trial",
            },
            {
                "type": "OF",
                "from": f"{prefix}-finding",
                "to": f"{prefix}-programme",
                "source": "trial",
            },
            {
                "type": "ON_OUTCOME",
                "from": f"{prefix}-finding",
                "to": "outcome-re-referral",
                "source": "trial",
            },
            {
                "type": "DELIVERS",
                "from": "agency-norfolk",
                "to": f"{prefix}-programme",
                "source": "trial",
                "properties": {"status": "ACTIVE", "since": "2025-01-01"},
            },
        ],
    }


async def _import(
    writes: WriteClient, body: bytes, *, token: str | None = "writer", query: str = ""
) -> Any:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {writes.tokens[token]}"
    return await writes.http.post(f"/v1/imports{query}", content=body, headers=headers)


async def test_import_then_reimport_changes_nothing(writes: WriteClient) -> None:
    body = json.dumps(_document("imp-a")).encode()
    first = await _import(writes, body)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["status"] == "imported"
    assert (report["nodes"], report["relationships"]) == (
        {"created": 3, "updated": 0, "unchanged": 0},
        {"created": 5, "updated": 0, "unchanged": 0},
    )
    data = await writes(
        '{ intervention(id: "imp-a-programme") { recordedBy studies { findings { outcomes { id } } } '
        "deliveries { status agency { id } } } }",
        token=None,
    )
    programme = data["intervention"]
    assert programme["recordedBy"] == "eif-loader"
    assert programme["studies"][0]["findings"][0]["outcomes"] == [{"id": "outcome-re-referral"}]
    assert programme["deliveries"] == [{"status": "ACTIVE", "agency": {"id": "agency-norfolk"}}]

    changes, nodes = await writes.count(CHANGES), await writes.count(EVIDENCE)
    again = (await _import(writes, body)).json()
    assert (again["nodes"], again["relationships"]) == (
        {"created": 0, "updated": 0, "unchanged": 3},
        {"created": 0, "updated": 0, "unchanged": 5},
    )
    assert (await writes.count(CHANGES), await writes.count(EVIDENCE)) == (changes, nodes)


async def test_a_correction_updates_and_logs_only_the_changed_record(writes: WriteClient) -> None:
    document = _document("imp-b")
    await _import(writes, json.dumps(document).encode())
    document["nodes"][0]["properties"]["costRating"] = 3
    report = (await _import(writes, json.dumps(document).encode())).json()
    assert report["nodes"] == {"created": 0, "updated": 1, "unchanged": 2}
    data = await writes(
        '{ changes(entityId: "imp-b-programme") { edges { node { operation before after } } } }',
        token=None,
    )
    [created, updated] = [e["node"] for e in data["changes"]["edges"]]
    assert (created["operation"], updated["operation"]) == ("CREATE", "UPDATE")
    assert (updated["before"]["costRating"], updated["after"]["costRating"]) == (2, 3)


async def test_one_bad_row_rejects_the_file_and_writes_nothing(writes: WriteClient) -> None:
    document = _document("imp-c")
    document["nodes"][1]["properties"]["year"] = 1850
    document["relationships"][3]["to"] = "outcome-nowhere"
    document["nodes"][2]["properties"]["childName"] = "Alice"
    before = (await writes.count(EVIDENCE), await writes.count(CHANGES))
    response = await _import(writes, json.dumps(document).encode())
    assert response.status_code == 422
    report = response.json()
    assert report["status"] == "rejected"
    assert {(r["where"], r["field"]) for r in report["rejected"]} == {
        ("nodes[1]", "year"),
        ("relationships[3]", "to"),
        ("nodes[2]", "childName"),
    }
    reasons = {r["field"]: r["reason"] for r in report["rejected"]}
    assert reasons["year"].startswith("must lie between 1900")
    assert reasons["to"] == "node 'outcome-nowhere' does not exist"
    assert "personal data" in reasons["childName"]
    assert (await writes.count(EVIDENCE), await writes.count(CHANGES)) == before


async def test_csv_tables_import_with_line_numbers_in_errors(writes: WriteClient) -> None:
    table = (
        "id,source,name,kind,costRating,ukTested,aliases\n"
        "imp-csv-one,Partner register 2026,CSV programme one,PROGRAMME,2,true,One;First\n"
        "imp-csv-two,Partner register 2026,CSV programme two,SERVICE,,no,\n"
    )
    headers = {"content-type": "text/csv", "authorization": f"Bearer {writes.tokens['writer']}"}
    response = await writes.http.post(
        "/v1/imports?table=interventions", content=table.encode(), headers=headers
    )
    assert response.status_code == 200, response.text
    data = await writes(
        '{ intervention(id: "imp-csv-one") { costRating ukTested aliases source } }', token=None
    )
    assert data["intervention"] == {
        "costRating": 2,
        "ukTested": True,
        "aliases": ["One", "First"],
        "source": "Partner register 2026",
    }
    links = "type,from,to,source,role\nPARTICIPATES_IN,agency-police,imp-csv-one,Partner register 2026,Referral lead\n"
    response = await writes.http.post(
        "/v1/imports?table=relationships", content=links.encode(), headers=headers
    )
    assert response.json()["relationships"]["created"] == 1
    bad = "id,source,name,kind\nimp-csv-three,Register,Three,PROGRAMME\nimp-csv-four,Register,Four,WIZARDRY\n"
    response = await writes.http.post(
        "/v1/imports?table=interventions", content=bad.encode(), headers=headers
    )
    assert response.status_code == 422
    assert response.json()["rejected"] == [
        {
            "where": "line 3",
            "field": "kind",
            "reason": "'WIZARDRY' is not one of PROGRAMME, PRACTICE_MODEL, "
            "SYSTEM_ARRANGEMENT, SERVICE",
        }
    ]
    assert (
        await writes.count("MATCH (n:Intervention {id: 'imp-csv-three'}) RETURN count(n) AS n") == 0
    )


async def test_imports_need_the_write_scope(writes: WriteClient) -> None:
    body = json.dumps(_document("imp-d")).encode()
    assert (await _import(writes, body, token=None)).status_code == 401
    assert (await _import(writes, body, token="reader")).status_code == 403
    assert await writes.count("MATCH (n) WHERE n.id STARTS WITH 'imp-d' RETURN count(n) AS n") == 0


async def test_unreadable_and_oversized_files(
    writes: WriteClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = await _import(writes, b'{"sources": {}, "nodes": [{"label": ')
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
    assert (await _import(writes, b"\xff\xfe{}")).status_code == 400
    monkeypatch.setattr(writes.app.state.settings, "import_max_bytes", 100)
    too_big = await _import(writes, json.dumps(_document("imp-e")).encode())
    assert too_big.status_code == 413
    assert "IMPORT_MAX_BYTES" in too_big.json()["error"]


@pytest.mark.slow
def test_command_line_import_keys_and_progress(tmp_path: Path) -> None:
    """Beside a running service: import with a progress bar, then issue and revoke a key.

    The commands attach to the store the service started on the same DATA_DIR.
    """
    document = _document("cli")
    document["nodes"].append(
        {
            "label": "Agency",
            "id": "agency-norfolk",
            "source": "trial",
            "properties": {"name": "Norfolk County Council", "sector": "LOCAL_GOVERNMENT"},
        }
    )
    document["nodes"].append(
        {
            "label": "Outcome",
            "id": "outcome-re-referral",
            "source": "trial",
            "properties": {"name": "Re-referral", "domain": "SYSTEM"},
        }
    )
    path = tmp_path / "records.json"
    path.write_text(json.dumps(document))
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")},
        "DATA_DIR": str(tmp_path / "data"),
        "PORT": str(port),
        "LOAD_EXAMPLE_DATA": "false",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "service", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    service = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        imported = run("import", str(path), "--client", "norfolk-etl")
        assert imported.returncode == 0, imported.stderr
        assert json.loads(imported.stdout)["nodes"]["created"] == 5
        assert "writing" in imported.stderr and "100%" in imported.stderr
        again = run("import", str(path))
        assert json.loads(again.stdout)["nodes"] == {"created": 0, "updated": 0, "unchanged": 5}

        issued = run(
            "keys",
            "issue",
            "--name",
            "norfolk-etl",
            "--agency",
            "agency-norfolk",
            "--scope",
            "evidence:write",
        )
        assert issued.returncode == 0, issued.stderr
        key_id, token = issued.stdout.split()[2], issued.stdout.split()[4]
        listed = run("keys", "list")
        assert key_id in listed.stdout and "active" in listed.stdout and "egk_" not in listed.stdout
        query = json.dumps(
            {"query": '{ intervention(id: "cli-programme") { recordedBy } }'}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql",
            data=query,
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read()) == {
                "data": {"intervention": {"recordedBy": "norfolk-etl"}}
            }
        assert run("keys", "revoke", key_id).returncode == 0
        assert "revoked" in run("keys", "list").stdout
        unknown = run(
            "keys", "issue", "--name", "x", "--agency", "agency-ghost", "--scope", "evidence:read"
        )
        assert unknown.returncode == 1
        assert unknown.stderr.strip() == (
            "error: no agency has id 'agency-ghost'; every client belongs to an agency in the graph"
        )
    finally:
        service.terminate()
        service.wait(timeout=60)


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the service did not become ready")
