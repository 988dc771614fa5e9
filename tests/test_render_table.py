"""CSV for German Excel and the text summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from planner.model import Plan
from planner.render import write_plan_csv, write_summary
from planner.render.table import COLUMNS

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return rf.make_plan()


@pytest.fixture(scope="module")
def csv_path(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plan_csv(plan, tmp_path_factory.mktemp("csv") / "plan.csv")


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path, sep=";", encoding="utf-8-sig", decimal=",", dtype=str, keep_default_na=False
    )


def test_bom_and_separator(csv_path: Path) -> None:
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n", 1)[0].decode("utf-8")
    assert header == ";".join(COLUMNS)


def test_one_row_per_stop_and_unplanned(plan: Plan, csv_path: Path) -> None:
    frame = _frame(csv_path)
    assert len(frame) == plan.planned_count + len(plan.unplanned) == 14
    counts = Counter(frame["kunden_nr"])
    assert set(counts) == set(rf.all_client_ids(plan))
    assert set(counts.values()) == {1}
    assert Counter(frame["status"]) == {"geplant": 12, "nicht_geplant": 2}


def test_values(csv_path: Path) -> None:
    frame = _frame(csv_path)
    first = frame.iloc[0]
    assert first["datum"] == "30.11.2026" and first["wochentag"] == "Mo"
    assert first["coach"] == "Anna Becker" and first["beratungsmobil"] == "ja"
    assert (first["nr"], first["ankunft"], first["beginn"], first["ende"]) == (
        "1",
        "08:25",
        "08:25",
        "09:25",
    )
    assert first["besuchsort"] == "Beratungsmobil" and first["genauigkeit"] == "strasse"
    assert first["lat"] == "50,51520" and first["strecke_km"] == "19,4"
    assert first["zeitfenster"] == "09:00-12:00" and first["prioritaet"] == "1"
    lost = frame[frame["kunden_nr"] == "K-1014"].iloc[0]
    assert lost["status"] == "nicht_geplant" and lost["lat"] == "" and "Xyzdorf" in lost["grund"]
    assert lost["adresse"] == "Nirgendweg 1, Xyzdorf"
    waiting = frame[frame["kunden_nr"] == "K-1013"].iloc[0]
    assert waiting["gemeinde"] == "Greifenstein" and waiting["region"] == "Mitte"


def test_numbers_readable_by_pandas(csv_path: Path) -> None:
    frame = pd.read_csv(csv_path, sep=";", encoding="utf-8-sig", decimal=",")
    assert frame["lat"].dtype == float and frame["lat"].between(50.4, 50.9).sum() == 13
    assert frame["strecke_km"].sum() == pytest.approx(118.6)


def test_names_only_on_request(plan: Plan, csv_path: Path, tmp_path: Path) -> None:
    assert set(_frame(csv_path)["name"]) == {""}
    shown = _frame(write_plan_csv(plan, tmp_path / "n.csv", show_names=True))
    assert "Erwin Blaufelder" in set(shown["name"])
    assert "Timo Schlehdorn" in set(shown["name"])


def test_formulas_are_defused(plan: Plan, tmp_path: Path) -> None:
    evil = replace(plan.unplanned[1], client_id='=HYPERLINK("x")', reason="@SUM(1)")
    frame = _frame(
        write_plan_csv(replace(plan, unplanned=(plan.unplanned[0], evil)), tmp_path / "e.csv")
    )
    assert '\'=HYPERLINK("x")' in set(frame["kunden_nr"])
    assert "'@SUM(1)" in set(frame["grund"])
    assert "'+49 6441 55555" in set(frame["telefon"])


def test_summary(plan: Plan) -> None:
    text = write_summary(plan)
    assert text.startswith("Tourenplan Beratung Mobil, 30.11.2026 – 01.12.2026\n")
    assert "12 von 14 Kundinnen und Kunden eingeplant, 2 nicht eingeplant, 4 Touren." in text
    assert (
        "Di 01.12. Anna Becker: 3 Besuche, 08:00–12:36, Fahrzeit 1 h 11 min (geschätzt), "
        "46,1 km, Pause 30 min"
    ) in text
    assert "Summe Jonas Weber: 6 Besuche" in text
    assert "  Mitte: 3 / 1\n" in text and "  ohne Ort: 0 / 1\n" in text
    # Grouped by reason code, with the Kunden-Nr when only a few people share it.
    assert "  1 × Verfügbarkeit trifft keinen Planungstag (K-1013)\n" in text
    assert "  1 × Adresse nicht zuzuordnen oder außerhalb des Kreises (K-1014)\n" in text
    assert "Fahrzeiten geschätzt" in text
    for surname in ("Blaufelder", "Schlehdorn"):
        assert surname not in text


def test_summary_of_empty_plan() -> None:
    empty = Plan(
        start=rf.MONDAY, days=1, tours=(), unplanned=(), travel_model="", travel_is_estimate=False
    )
    text = write_summary(empty)
    assert "0 von 0" in text and "Touren\n  keine" in text


def test_driving_figures_say_whether_they_are_estimates(plan: Plan, tmp_path: Path) -> None:
    frame = _frame(write_plan_csv(plan, tmp_path / "est.csv"))
    planned = frame[frame["status"] == "geplant"]
    assert set(planned["fahrzeit_art"]) == {"geschätzt"}
    assert set(frame[frame["status"] == "nicht_geplant"]["fahrzeit_art"]) == {""}
    road = replace(plan, travel_is_estimate=False)
    frame = _frame(write_plan_csv(road, tmp_path / "road.csv"))
    assert set(frame[frame["status"] == "geplant"]["fahrzeit_art"]) == {"Straße"}
