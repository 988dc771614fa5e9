"""Hostile client lists: mixed delimiters, NUL characters, overlong cells.

A person's name must never reach an output through the Kunden-Nr, and one damaged row
must not cost the whole file.
"""

from __future__ import annotations

import csv
import re
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner.intake
from planner import settings as planner_settings
from planner.cli import main
from planner.errors import InputFileError
from planner.intake import parse_rows, read_clients, read_table
from planner.intake.tables import MAX_CELL_CHARS, MAX_STRAY_NULS
from planner.model import IntakeResult, Severity

TODAY = date(2026, 11, 25)
NAME = "Zwirbelbart"  # ASCII, so it cannot hide behind HTML or JSON escaping

HEADER = "Kunden-Nr;Name;Straße;PLZ;Ort;Hinweise"
GOOD_1 = "K-1;;Hauptstraße 1;35578;Wetzlar;"
GOOD_2 = "K-2;;Bahnhofstraße 2;35745;Herborn;"
COMMA_ROW = f"4711,{NAME},Hauptstr. 5,35745,Herborn"  # written with "," under a ";" header


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _texts(result: IntakeResult) -> list[str]:
    """Every text of the result that can reach a report, a plan or the screen."""
    texts = [r.client_id for r in result.rejected] + [r.reason for r in result.rejected]
    texts += [c.id for c in result.clients]
    texts += [m.text for m in result.messages] + [str(m) for m in result.messages]
    texts += [m.client_id or "" for m in result.messages]
    return texts


# --------------------------------------------------------------------------- delimiters


def test_row_written_with_commas_is_rejected_without_showing_the_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.csv", HEADER, GOOD_1, COMMA_ROW, GOOD_2)
    result = read_clients(path, today=TODAY)
    assert [c.id for c in result.clients] == ["K-1", "K-2"]
    (rejected,) = result.rejected
    assert (rejected.row, rejected.client_id, rejected.source) == (3, "", "k.csv")
    (error, *_) = [m for m in result.messages if m.severity is Severity.ERROR]
    assert (error.file, error.row, error.field, error.client_id) == ("k.csv", 3, "Kunden-Nr", None)
    assert "sieht nicht wie eine Kunden-Nr aus" in error.text
    assert "Wurde die Zeile mit Kommas statt Semikolons geschrieben?" in error.text
    assert rejected.reason.startswith("Zeile 3: Kunden-Nr ungültig")
    for text in _texts(result):
        assert NAME not in text and "4711," not in text


def _outputs(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8-sig", errors="replace")
        for p in folder.rglob("*")
        if p.is_file()
    )


def test_check_and_plan_do_not_show_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = _write(tmp_path / "k.csv", HEADER, GOOD_1, COMMA_ROW, GOOD_2)
    report = tmp_path / "check" / "bericht.csv"
    assert main(["check", "--clients", str(clients), "--report", str(report)]) == 0
    out = tmp_path / "plan"
    team = planner_settings.DEMO_DIR / "team.toml"
    argv = ["plan", "--clients", str(clients), "--team", str(team), "--from", "30.11.2026"]
    assert main([*argv, "--days", "1", "--out", str(out), "--loesungen", "20"]) == 0
    shown = capsys.readouterr()
    assert (out / "plan.csv").is_file()
    everything = "\n".join([shown.out, shown.err, _outputs(report.parent), _outputs(out)])
    assert NAME not in everything
    assert "Zeile 3" in everything and "sieht nicht wie eine Kunden-Nr aus" in everything


# Words that messages may contain by themselves: everything in the intake sources and here.
_VOCABULARY = {
    word.casefold()
    for path in [*Path(planner.intake.__file__).parent.glob("*.py"), Path(__file__)]
    for word in re.findall(r"\w+", path.read_text(encoding="utf-8"))
}

_name_token = st.from_regex(r"[A-ZÄÖÜ][a-zäöüß]{3,11}", fullmatch=True).filter(
    lambda token: token.casefold() not in _VOCABULARY
)


@settings(max_examples=200, deadline=None)
@given(
    number=st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,9}", fullmatch=True),
    delimiter=st.sampled_from([",", ", ", ";", "\t", "\n", "\r\n", " ,"]),
    name=_name_token,
    rest=st.sampled_from(["", ",Hauptstr. 5,35745,Herborn", ";Wetzlar", "\tx", " Anna"]),
    place=st.sampled_from(["", "Wetzlar"]),
)
def test_no_name_after_a_delimiter_leaks_from_the_kunden_nr(
    number: str, delimiter: str, name: str, rest: str, place: str
) -> None:
    cell = f"{number}{delimiter}{name}{rest}"
    result = parse_rows(["Kunden-Nr", "Ort"], [[cell, place]], "k.csv", today=TODAY)
    assert not result.clients
    (rejected,) = result.rejected
    assert rejected.row == 2 and rejected.client_id == ""
    errors = [m for m in result.messages if m.severity is Severity.ERROR]
    assert any(m.field == "Kunden-Nr" and m.row == 2 for m in errors)
    for text in _texts(result):
        assert cell.strip() not in text
        assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text), text


# --------------------------------------------------------------------------- NUL and long cells


def test_one_nul_rejects_only_its_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.csv", HEADER, GOOD_1, "K-3;;;35578;Wetzlar;Hund\0", GOOD_2)
    result = read_clients(path, today=TODAY)
    assert [c.id for c in result.clients] == ["K-1", "K-2"]
    (rejected,) = result.rejected
    assert (rejected.row, rejected.client_id) == (3, "K-3")
    assert rejected.reason == "Zeile 3: Die Zelle in „Hinweise“ enthält ein Nullzeichen (NUL)."
    (error,) = result.messages
    assert (error.severity, error.file, error.row, error.field) == (
        Severity.ERROR,
        "k.csv",
        3,
        "Hinweise",
    )
    assert "Nullzeichen (NUL)" in error.text and "\0" not in error.text


def test_nul_in_the_kunden_nr_gives_no_kunden_nr(tmp_path: Path) -> None:
    path = _write(tmp_path / "k.csv", HEADER, "\0;;;35578;Wetzlar;", GOOD_2)
    result = read_clients(path, today=TODAY)
    (rejected,) = result.rejected
    assert (rejected.row, rejected.client_id) == (2, "")
    assert [c.id for c in result.clients] == ["K-2"]


@pytest.mark.parametrize("quoted", [False, True])
def test_overlong_cell_rejects_only_its_row(tmp_path: Path, quoted: bool) -> None:
    long_text = "x" * (MAX_CELL_CHARS + 1)
    if quoted:  # a pasted text with line breaks, as Excel writes it
        long_text = '"' + "Zeile;mit\n" * (MAX_CELL_CHARS // 10 + 1) + '"'
    row = f"K-3;;;35578;Wetzlar;{long_text}"
    path = _write(tmp_path / "k.csv", HEADER, GOOD_1, row, GOOD_2, "K-4;;;35708;Haiger;")
    limit_before = csv.field_size_limit()
    result = read_clients(path, today=TODAY)
    assert csv.field_size_limit() == limit_before  # the process-wide limit is restored
    assert [c.id for c in result.clients] == ["K-1", "K-2", "K-4"]
    assert [c.row for c in result.clients] == [2, 4, 5]
    (rejected,) = result.rejected
    assert (rejected.row, rejected.client_id) == (3, "K-3")
    assert "länger als 131.072 Zeichen" in rejected.reason
    (error,) = result.messages
    assert (error.row, error.field) == (3, "Hinweise")
    assert "länger als 131.072 Zeichen" in error.text and len(error.text) < 500


def test_binary_file_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_bytes(b"Kunden-Nr;Ort\n" + b"1;\0\n" * (MAX_STRAY_NULS + 1))
    with pytest.raises(InputFileError, match="keine Textdatei"):
        read_table(path)


_cell = st.one_of(
    st.sampled_from(["", "K-1", "K-2", "Wetzlar", "35578", "Mo-Fr 9-12", "hoch"]),
    st.text(alphabet="abc 0123,-\n", max_size=6),  # no ";": would look like a swallowed row
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8),
    damage=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 2), st.sampled_from(["nul", "long"])),
        max_size=MAX_STRAY_NULS,
    ),
)
def test_damaged_rows_are_conserved(
    rows: list[list[str]], damage: list[tuple[int, int, str]]
) -> None:
    damaged: set[int] = set()
    for index, column, kind in damage:
        if index < len(rows):
            rows[index][column] += "\0" if kind == "nul" else "y" * (MAX_CELL_CHARS + 1)
            damaged.add(index + 2)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "k.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows([["Kunden-Nr", "Ort", "Hinweise"], *rows])
        result = read_clients(path, today=TODAY)
    non_blank = [n for n, r in enumerate(rows, start=2) if any(c.strip() for c in r)]
    outcome = sorted([c.row for c in result.clients] + [r.row for r in result.rejected])
    assert outcome == non_blank
    assert damaged <= {r.row for r in result.rejected}
    for row in damaged:
        assert any(m.severity is Severity.ERROR and m.row == row for m in result.messages)
