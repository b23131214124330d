"""The `mediator` CLI: triage from stdin, import with per-line errors, the idempotent demo loader."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app.cli.main import app
from bot.platform.config import get_settings
from tests.conftest import ROOT, review

runner = CliRunner()


def test_triage_reads_one_review_or_json_lines(config: Path) -> None:
    one = runner.invoke(app, ["triage", "--json"], input=json.dumps(review("t-1"), indent=2))
    assert one.exit_code == 0, one.output
    [line] = one.stdout.strip().splitlines()
    got = json.loads(line)
    assert set(got) == {"language", "topic", "kind", "severity", "mediate", "contact_plan"}
    assert got["mediate"] is True and got["contact_plan"]["mode"] == "now" and got["language"] == "en"

    lines = "\n".join(json.dumps(review(f"t-{i}", rating=r)) for i, r in enumerate([1, 5, 3]))
    many = runner.invoke(app, ["triage", "--json"], input=lines)
    assert [json.loads(x)["mediate"] for x in many.stdout.strip().splitlines()] == [True, False, True]


def test_triage_rejects_bad_input_with_one_line(config: Path) -> None:
    bad = runner.invoke(app, ["triage", "--json"], input=json.dumps(review("t-9", rating=7)))
    assert bad.exit_code == 2 and "rating" in bad.output and len(bad.output.strip().splitlines()) == 1
    empty = runner.invoke(app, ["triage", "--json"], input="")
    assert empty.exit_code == 2


def test_import_jsonl_and_csv_report_bad_lines_and_keep_good_ones(config: Path, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["import", str(ROOT / "data" / "demo" / "reviews.jsonl"), "--shop", "nope"])
    assert missing.exit_code == 2 and "mediator shop create nope" in missing.output
    assert runner.invoke(app, ["shop", "create", "demo"]).exit_code == 0
    jsonl = tmp_path / "reviews.jsonl"
    jsonl.write_text("\n".join([json.dumps(review("i-1")), "{broken", json.dumps(review("i-2", rating=0))]) + "\n")
    result = runner.invoke(app, ["import", str(jsonl)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"created": 1, "duplicate": 0, "error": 2}
    assert "reviews.jsonl:3: rating" in result.output

    rows = [
        {
            "platform": "csv",
            "external_id": "c-1",
            "rating": "2",
            "text": "Package lost for two weeks.",
            "created_at": "2026-11-01T10:00:00Z",
            "verified_purchase": "yes",
            "buyer.email": "x@example.com",
            "buyer.consent.sms": "false",
            "order.id": "O-1",
            "order.total": "20.00",
            "order.currency": "EUR",
            "order.items": json.dumps([{"name": "Mug", "qty": 2, "price": "10.00"}]),
        }
    ]
    path = tmp_path / "reviews.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    again = runner.invoke(app, ["import", str(path)])
    assert json.loads(again.stdout.strip().splitlines()[-1]) == {"created": 1, "duplicate": 0, "error": 0}
    assert runner.invoke(app, ["import", str(path)]).stdout.count('"duplicate": 1') == 1


def test_import_rejects_unknown_file_types(config: Path, tmp_path: Path) -> None:
    (tmp_path / "x.xml").write_text("<r/>")
    result = runner.invoke(app, ["import", str(tmp_path / "x.xml")])
    assert result.exit_code == 2 and "use .jsonl or .csv" in result.output


def test_demo_load_is_idempotent(config: Path) -> None:
    first = runner.invoke(app, ["demo", "--load-only"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["demo", "--load-only"])
    assert second.exit_code == 0
    assert "(0 new)" in second.output
    listed = runner.invoke(app, ["shop", "list"])
    assert "demo" in listed.output


def test_bad_config_exits_2_with_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.yml"
    path.write_text("server: {port: -1}\n")
    monkeypatch.setenv("MEDIATOR_CONFIG", str(path))
    get_settings.cache_clear()
    result = runner.invoke(app, ["policy", "validate"])
    get_settings.cache_clear()
    assert result.exit_code == 2 and "server.port" in result.output
