"""CLI: German help and errors, exit codes, the check report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner import settings
from planner.cli import main

DEMO = settings.DEMO_DIR / "kunden.csv"


def test_help_is_german_throughout(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["plan", "--help"], ["check", "--help"], ["demo", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        assert "Aufruf: planner" in text and "diese Hilfe anzeigen" in text
        assert "usage" not in text.lower() and "show this" not in text


def test_missing_option_is_a_german_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["plan", "--clients", "x.csv"])
    assert exit_info.value.code == 2
    assert "diese Angaben fehlen: --team" in capsys.readouterr().err


def test_argparse_speaks_english_again_afterwards(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    with pytest.raises(SystemExit):
        main(["--help"])
    capsys.readouterr()
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


def test_unreadable_client_list_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["check", "--clients", str(tmp_path / "fehlt.csv"), "--report", str(tmp_path / "r.csv")]
    )
    assert code == 3
    assert "fehlt.csv" in capsys.readouterr().err


def test_bad_team_file_exit_code(tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text("[[coach]]\nkennung = 'a'\narbeitszeit = 'Mo 25:00-26:00'\n", encoding="utf-8")
    out = tmp_path / "plan"
    assert main(["plan", "--clients", str(DEMO), "--team", str(team), "--out", str(out)]) == 4


def test_check_writes_one_report_row_per_input_row(tmp_path: Path) -> None:
    report = tmp_path / "bericht.csv"
    assert main(["check", "--clients", str(DEMO), "--report", str(report)]) == 0
    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert list(rows[0].keys()) == [
        "zeile",
        "kunden_nr",
        "status",
        "gemeinde",
        "ortsteil",
        "lat",
        "lon",
        "genauigkeit",
        "meldung",
    ]
    assert len(rows) == 92
    assert [int(r["zeile"]) for r in rows] == list(range(2, 94))
    by_status = {s: [r for r in rows if r["status"] == s] for s in ("ok", "warnung", "fehler")}
    assert by_status["ok"] and by_status["warnung"] and by_status["fehler"]
    giessen = next(r for r in rows if "Gießen" in r["meldung"])
    assert giessen["status"] == "fehler" and giessen["lat"] == ""
    dilbrecht = next(r for r in rows if "Dilbrecht" in r["meldung"])
    assert dilbrecht["status"] == "warnung" and dilbrecht["ortsteil"] == "Dillbrecht"
