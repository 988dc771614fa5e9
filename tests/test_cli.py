"""CLI: German help and errors, exit codes, the check report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from planner import settings
from planner.cli import main
from planner.store import Role, Store

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


# --------------------------------------------------------------------------- planner user / web

TEAM = settings.DEMO_DIR / "team.toml"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_add_reads_the_password_from_stdin_and_stores_an_argon2_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kampagne.db"
    _stdin(monkeypatch, " ein langes Passwort \r\n")  # only the line break is dropped
    argv = ["user", "add", "Anna", "--rolle", "coach", "--coach", "anna", "--team", str(TEAM),
            "--db", str(db), "--benutzer", "admin"]  # fmt: skip
    assert main(argv) == 0
    assert "Konto anna angelegt (Rolle Coach, Coach anna)." in capsys.readouterr().out
    with Store.open(str(db)) as store:
        user = store.user("anna")
        audit = store.audit()[-1]
    assert user is not None and (user.role, user.coach, user.active) == (Role.COACH, "anna", True)
    # argon2id with the library's memory-hard defaults (64 MiB, 3 passes)
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher().verify(user.password_hash, " ein langes Passwort ")
    assert b"ein langes Passwort" not in db.read_bytes()
    assert (audit.user, audit.action) == ("admin", "Benutzer angelegt")

    _stdin(monkeypatch, "noch ein langes Passwort\n")
    assert main(["user", "add", "anna", "--rolle", "leitung", "--db", str(db)]) == 8
    assert "gibt es schon" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["--rolle", "leitung"], "zu kurz\n", "mindestens 12 Zeichen"),
        (["--rolle", "leitung"], "", "Kein Passwort"),
        (["--rolle", "coach"], "ein langes Passwort\n", "--coach KENNUNG"),
        (["--rolle", "coach", "--coach", "otto", "--team", str(TEAM)], "ein langes Passwort\n",
         "„otto“ steht nicht in team.toml"),
    ],
    ids=["short", "empty", "no-coach-key", "unknown-coach-key"],
)  # fmt: skip
def test_user_add_refuses_with_a_german_message(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    db = tmp_path / "kampagne.db"
    _stdin(monkeypatch, stdin)
    assert main(["user", "add", "x-name", *argv, "--db", str(db)]) == 1
    assert message in capsys.readouterr().err
    assert not db.exists()  # refused before the store was touched


def test_user_add_on_a_terminal_asks_twice_without_echo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers: list[str] = []
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    db = tmp_path / "kampagne.db"
    answers[:] = ["ein langes Passwort", "ein anderes Passwort"]
    assert main(["user", "add", "lea", "--rolle", "leitung", "--db", str(db)]) == 1
    assert "stimmen nicht überein" in capsys.readouterr().err
    answers[:] = ["ein langes Passwort", "ein langes Passwort"]
    assert main(["user", "add", "lea", "--rolle", "leitung", "--db", str(db)]) == 0


def test_user_passwort_replaces_the_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kampagne.db"
    _stdin(monkeypatch, "das erste Passwort\n")
    assert main(["user", "add", "lea", "--rolle", "leitung", "--db", str(db)]) == 0
    _stdin(monkeypatch, "das zweite Passwort\n")
    assert main(["user", "passwort", "lea", "--db", str(db)]) == 0
    assert "alle Anmeldungen beendet" in capsys.readouterr().out
    with Store.open(str(db)) as store:
        user = store.user("lea")
    assert user is not None
    assert PasswordHasher().verify(user.password_hash, "das zweite Passwort")


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """``planner web`` with the server replaced by a recorder."""
    calls: list[dict[str, Any]] = []

    def serve(store_url: str, team_path: Path, **options: Any) -> None:
        calls.append({"store_url": store_url, "team_path": team_path, **options})

    monkeypatch.setattr("planner.web.serve", serve)
    return calls


def test_web_listens_on_localhost_by_default(
    tmp_path: Path, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kampagne.db"
    assert main(["web", "--team", str(TEAM), "--db", str(db)]) == 0
    (call,) = served
    assert (call["host"], call["port"], call["tls_cert"]) == ("127.0.0.1", 8080, None)
    captured = capsys.readouterr()
    assert "http://127.0.0.1:8080/" in captured.out
    assert "Warnung" not in captured.err and "noch kein Konto" in captured.err


def test_web_on_the_network_without_tls_warns(
    tmp_path: Path, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kampagne.db"
    assert main(["web", "--host", "0.0.0.0", "--port", "8443", "--team", str(TEAM),
                 "--db", str(db)]) == 0  # fmt: skip
    assert served[0]["host"] == "0.0.0.0"
    assert "Warnung: Die App ist unter 0.0.0.0 ohne TLS erreichbar" in capsys.readouterr().err

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("x")
    key.write_text("x")
    assert main(["web", "--host", "::", "--team", str(TEAM), "--db", str(db),
                 "--tls-cert", str(cert), "--tls-key", str(key)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert "Warnung" not in captured.err and "https://[::]:8080/" in captured.out
    assert served[1]["tls_key"] == key

    assert main(["web", "--team", str(TEAM), "--db", str(db), "--tls-cert", str(cert)]) == 1
    assert "nur zusammen" in capsys.readouterr().err
    assert len(served) == 2


def test_web_takes_the_road_options_of_planner_plan(
    tmp_path: Path, served: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    """``--strassen`` / ``--kalibrierung`` as for planning: the app gets the same road
    context; a folder that is no road data stops before the app starts (exit 1)."""
    db = tmp_path / "kampagne.db"
    assert main(["web", "--team", str(TEAM), "--db", str(db)]) == 0
    assert served[0]["roads"].travel is None and served[0]["roads"].resolver is None
    calibration = tmp_path / "kalibrierung.json"
    calibration.write_text('{"detour_factor": 1.5, "speed_short_kmh": 30, "speed_long_kmh": 60}')
    assert main(["web", "--team", str(TEAM), "--db", str(db), "--kalibrierung",
                 str(calibration)]) == 0  # fmt: skip
    assert "1,50" in served[1]["roads"].travel.description
    capsys.readouterr()
    empty = tmp_path / "keine-strassen"
    empty.mkdir()
    assert main(["web", "--team", str(TEAM), "--db", str(db), "--strassen", str(empty)]) == 1
    assert "Straßendaten" in capsys.readouterr().err
    assert len(served) == 2


def test_plan_without_pdf_says_so_and_writes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = tmp_path / "kunden.csv"
    clients.write_text("Kunden-Nr;Ort;Verfügbarkeit\nK1;Wetzlar;Di 9-12\n", encoding="utf-8")
    team = settings.DEMO_DIR / "team.toml"
    out = tmp_path / "plan"
    argv = ["plan", "--clients", str(clients), "--team", str(team), "--from", "01.12.2026"]
    assert main([*argv, "--days", "1", "--loesungen", "10", "--ohne-pdf", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "laufzettel/ (HTML, ohne PDF)" in printed and "mit PDF" not in printed
    assert (out / "laufzettel").is_dir() and not list((out / "laufzettel").glob("*.pdf"))
