"""Announcement letters: the job centre's template, plain German, refused without names,
and ``planner letters`` from the campaign store (letter recorded, visit pinned)."""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner import settings
from planner.cli import main
from planner.errors import ConfigError, PlannerError
from planner.pipeline import RenderOptions, render_outputs
from planner.render.letters import (
    Announcement,
    LetterSettings,
    announcements_of,
    check_template,
    letter_html,
    letter_settings,
    write_letters,
)

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

SENT = date(2026, 11, 23)
PHONES = LetterSettings(phone="06441 0000-0", coach_phones={"coach-a": "06441 0000-11"})


def _text(path: Path) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages)
    return " ".join(text.replace("\u2010\n", "").split())


def _first() -> Announcement:
    return announcements_of(rf.make_plan().tours)[0]


def test_letter_says_when_where_who_and_that_it_is_voluntary(tmp_path: Path) -> None:
    item = _first()  # Anna Becker, Mon 30.11.2026, visit at 08:25 in the van
    (path,) = write_letters([item], tmp_path, PHONES, letter_date=SENT)
    assert path.name == "brief_k-1001_2026-11-30.pdf"
    assert len(PdfReader(path).pages) == 1
    text = _text(path)
    for expected in (
        "Guten Tag Erwin Blaufelder",
        "Am Kirchberg 4",
        "35619 Braunfels",
        "Montag, 30.11.2026, zwischen 8 und 10 Uhr",
        "im Beratungsmobil",
        "Anna Becker",
        "06441 0000-11",  # her own number, not the team's
        "K-1001",
        "23.11.2026",
        "Das Angebot ist freiwillig",
        "keinen Besuch möchten",
        "Sozialgeheimnis",
    ):
        assert expected in text, expected


def test_client_text_stays_text(tmp_path: Path) -> None:
    item = announcements_of(rf.make_plan().tours)[1]  # name with markup, evil street
    html = letter_html(item, PHONES, letter_date=SENT)
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "<b>Quellwitz</b>" not in html


def test_team_folder_template_and_phones(tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    folder = tmp_path / "vorlagen"
    folder.mkdir()
    (folder / "briefe.toml").write_text(
        'absender = "Jobcenter Lahn-Dill"\ntelefon = "06441 1"\n[coach_telefon]\n'
        'coach-b = "02771 2"\n',
        encoding="utf-8",
    )
    (folder / "ankuendigung.html.j2").write_text(
        '<html lang="de"><body><p>Hallo {{ name }}, wir kommen am {{ tag }}. '
        "Anruf: {{ telefon }}</p></body></html>",
        encoding="utf-8",
    )
    found = letter_settings(team)
    assert found.phone_of("coach-a") == "06441 1" and found.phone_of("coach-b") == "02771 2"
    (path,) = write_letters([_first()], tmp_path / "out", found, letter_date=SENT)
    assert "Hallo Erwin Blaufelder, wir kommen am Montag, 30.11.2026. Anruf: 06441 1" in _text(path)


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("{{ name.__class__.__mro__ }}", "unsafe"),  # the sandbox refuses
        ("{{ nam }}", "nam"),  # a misspelt field
        ("{% if %}", "Briefvorlage"),  # does not parse
    ],
)
def test_broken_or_unsafe_template_is_refused(tmp_path: Path, template: str, why: str) -> None:
    (tmp_path / "vorlagen").mkdir()
    (tmp_path / "vorlagen" / "ankuendigung.html.j2").write_text(template, encoding="utf-8")
    with pytest.raises(ConfigError, match=why):
        check_template(letter_settings(tmp_path / "team.toml"))


def test_no_phone_no_letter(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Anna Becker.*keine Telefonnummer"):
        write_letters([_first()], tmp_path, LetterSettings(), letter_date=SENT)
    (tmp_path / "vorlagen").mkdir()
    (tmp_path / "vorlagen" / "briefe.toml").write_text("fax = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="fax"):
        letter_settings(tmp_path / "team.toml")


def test_letters_need_names(tmp_path: Path) -> None:
    from planner.intake import load_team

    team = load_team(settings.DEMO_DIR / "team.toml")
    options = RenderOptions(letters=PHONES, pdf=False)
    with pytest.raises(PlannerError, match="--namen"):
        render_outputs(rf.make_plan(), tmp_path, team, options)
    written = render_outputs(
        rf.make_plan(), tmp_path / "ok", team, replace(options, show_names=True)
    )
    assert len(written.letters) == sum(len(t.stops) for t in rf.make_plan().tours)


# --------------------------------------------------------------------------- the command


@pytest.fixture
def team_dir(tmp_path: Path) -> Path:
    shutil.copy(settings.DEMO_DIR / "team.toml", tmp_path / "team.toml")
    (tmp_path / "vorlagen").mkdir()
    (tmp_path / "vorlagen" / "briefe.toml").write_text(
        'telefon = "06441 0000-0"\n[coach_telefon]\nanna = "06441 0000-11"\n', encoding="utf-8"
    )
    return tmp_path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_letters_command_writes_pins_and_records(
    team_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.campaign.codes import AttemptKind
    from planner.store import Store

    db, team = str(team_dir / "k.db"), str(team_dir / "team.toml")
    assert main(["import", str(settings.DEMO_DIR / "kunden.csv"), "--team", team, "--db", db]) == 0
    out = team_dir / "briefe"
    args = ["letters", "--team", team, "--from", "30.11.2026", "--out", str(out), "--db", db]
    assert main(args) == 1  # names are social data: only with --namen
    assert "--namen" in capsys.readouterr().err
    assert not out.exists()
    assert main([*args, "--namen"]) == 0
    rows = _rows(out / "briefe.csv")
    written = [r for r in rows if r["Datei"]]
    assert written and sorted(p.name for p in out.glob("*.pdf")) == sorted(
        r["Datei"] for r in written
    )
    assert any(r["Hinweis"] for r in rows)  # who got no letter, and why
    first = written[0]
    text = _text(out / first["Datei"])
    day, time = first["Besuch"].split()
    assert day in text and f"zwischen {int(time[:2])} und {int(time[:2]) + 2} Uhr" in text
    with Store.open(db) as store:
        letters = [a for a in store.attempts() if a.kind is AttemptKind.LETTER]
        assert {a.case_id for a in letters} == {r["Kunden-Nr"] for r in written}
        assert all(a.at == datetime(2026, 11, 30) for a in letters)
        pinned = {
            p.case_id: p
            for p in store.publication(date(2026, 12, 7), 5).visits  # type: ignore[union-attr]
        }
    start = datetime.strptime(first["Besuch"], "%d.%m.%Y %H:%M")
    assert pinned[first["Kunden-Nr"]].start == start
    capsys.readouterr()
    again = team_dir / "nochmal"
    assert main([*args[:-4], "--out", str(again), "--db", db, "--namen"]) == 0
    assert "0 Ankündigungsschreiben" in capsys.readouterr().out  # nobody twice
    # The next plan keeps each announced visit at the time its letter names.
    week = team_dir / "woche"
    plan = ["plan", "--team", team, "--db", db, "--from", "07.12.2026", "--out", str(week),
            "--loesungen", "20"]  # fmt: skip
    assert main(plan) == 0
    by_id = {r["kunden_nr"]: r for r in _rows(week / "plan.csv")}
    for row in written:
        planned = by_id[row["Kunden-Nr"]]
        assert f"{planned['datum']} {planned['beginn']}" == row["Besuch"]
