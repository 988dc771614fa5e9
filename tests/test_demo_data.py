"""The shipped demo data keeps its promises: fictional, ≥ 60 clients, all 23 municipalities,
every input feature used at least once, and reproducible from its script."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from planner import geodata, settings
from planner.geocode import geocode_clients
from planner.intake import read_clients, read_table
from planner.model import Precision, VisitPlace

DEMO = settings.DEMO_DIR / "kunden.csv"
ROOT = Path(__file__).resolve().parents[1]


def test_demo_list_is_a_typical_export() -> None:
    raw = DEMO.read_bytes()
    assert b"\r\n" in raw and b";" in raw.split(b"\r\n", 1)[0]
    raw.decode("cp1252")  # Windows-1252, as many job-centre exports
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - would mean the cp1252 path is no longer exercised
        raise AssertionError("demo list should not be valid UTF-8")


def test_demo_uses_every_feature() -> None:
    intake = read_clients(DEMO, today=date(2026, 11, 30))
    clients = intake.clients
    assert len(clients) >= 60
    table = read_table(DEMO)
    for column in table.header:
        assert any(row[table.header.index(column)].strip() for row in table.rows), column
    assert {c.visit_place for c in clients} == set(VisitPlace)
    assert {c.priority for c in clients} == {1, 2, 3}
    assert any(c.appointment for c in clients) and any(c.availability for c in clients)
    assert any(c.manual_position for c in clients) and any(c.duration_min for c in clients)
    assert any(c.last_contact is None for c in clients)
    assert len(intake.rejected) >= 5  # the deliberately faulty rows

    located = [g.site for g in geocode_clients(clients) if g.site is not None]
    municipalities = Counter(s.municipality for s in located)
    assert set(municipalities) == {m.name for m in geodata.municipalities()}
    assert {s.precision for s in located} == {
        Precision.MANUAL, Precision.ORTSTEIL, Precision.MUNICIPALITY,
    }  # fmt: skip


def test_demo_list_is_reproducible(tmp_path: Path) -> None:
    again = tmp_path / "kunden.csv"
    subprocess.run([sys.executable, "scripts/make_demo_data.py", str(again)], cwd=ROOT,
                   check=True, capture_output=True)  # fmt: skip
    assert again.read_bytes() == DEMO.read_bytes()
