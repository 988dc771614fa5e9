"""``planner status``: the lead's report from the campaign database."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from planner.cli import main
from planner.store import Store
from tests.caseload import fill_store

TEAM = "planner/resources/demo/team.toml"  # coaches anna, jonas, mira


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "kampagne.db")
    with Store.open(path) as store:
        fill_store(store)
    return path


def test_status_writes_html_and_xlsx(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "stand"
    args = ["status", "--db", db, "--out", str(out), "--from", "02.11.2026", "--to", "30.11.2026",
            "--team", TEAM, "--benutzer", "leitung"]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Stand 02.11.2026 bis 30.11.2026: 11 von 17 erreicht" in printed
    html = (out / "stand.html").read_text(encoding="utf-8")
    assert "Anna Becker" in html and "Jonas Hofmann" in html  # names from the team file
    assert "Wer wartet am längsten" in html
    book = openpyxl.load_workbook(out / "stand.xlsx")
    assert "Wartende" in book.sheetnames
    with Store.open(db) as store:  # the report names cases: who made it is logged
        entry = store.audit()[-1]
    assert (entry.action, entry.user) == ("Stand-Bericht erstellt", "leitung")


def test_status_for_passing_on_leaves_out_single_cases(db: str, tmp_path: Path) -> None:
    out = tmp_path / "weitergabe"
    assert main(["status", "--db", db, "--out", str(out), "--to", "30.11.2026",
                 "--ohne-einzelfaelle", "--schritt", "woche"]) == 0  # fmt: skip
    html = (out / "stand.html").read_text(encoding="utf-8")
    assert "Wer wartet am längsten" not in html and "(je Woche)" in html
    assert "Zeitraum <b>15.10.2026 bis 30.11.2026</b>" in html  # from the first list entry
    with Store.open(db) as store:
        assert all(e.action != "Stand-Bericht erstellt" for e in store.audit())


def test_status_refuses_a_period_that_ends_before_it_starts(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["status", "--db", db, "--out", str(tmp_path / "x"),
                 "--from", "30.11.2026", "--to", "01.11.2026"])  # fmt: skip
    assert code == 1 and "--from liegt nach dem Ende" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_status_on_an_empty_store(tmp_path: Path) -> None:
    out = tmp_path / "leer"
    assert main(["status", "--db", str(tmp_path / "leer.db"), "--out", str(out)]) == 0
    assert (out / "stand.html").is_file() and (out / "stand.xlsx").is_file()
