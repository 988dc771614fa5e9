"""Besuchsort Café: the visit is routed to the meeting place, and outputs show it."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from planner.geocode import geocode_clients, resolve_meeting_place
from planner.geocode.gazetteer import default_gazetteer
from planner.geocode.normalize import parse_query
from planner.intake import parse_rows, parse_team
from planner.model import GeocodedClient, IntakeResult, Severity, Team, VisitPlace
from planner.pipeline import build_plan, render_outputs
from planner.solve import FirstOf, SolutionLimit, TimeLimit

MONDAY = date(2026, 11, 30)
HEADER = ["Kunden-Nr", "Straße", "PLZ", "Ort", "Besuchsort", "Treffpunkt", "Hinweise"]
#: Home street of every test client: must never be printed as a café visit's location.
HOME = "Geheimweg 7"

TEAM: dict[str, Any] = {
    "buero": [{"kennung": "dill", "name": "Jobcenter Dillenburg", "breite": 50.7406,
               "laenge": 8.2867}],
    "coach": [{"kennung": "anna", "name": "Anna Becker", "arbeitszeit": "Mo-Fr 08:00-16:00"}],
    "treffpunkte": {"herborn": "Café Mittendrin, Hauptstraße 40, Herborn", "Sinn": "Café Linde"},
}  # fmt: skip


def _point(text: str) -> tuple[float, float]:
    match = default_gazetteer().resolve(parse_query(text)).unwrap()
    return match.lat, match.lon


def _intake(*rows: tuple[str, ...]) -> IntakeResult:
    cells = [[row[0], HOME, *row[1:]] for row in rows]
    return parse_rows(HEADER, cells, "kunden.csv")


def _locate(
    intake: IntakeResult, team: Team | None = None, *, known_team: bool = True
) -> dict[str, GeocodedClient]:
    defaults = (team or parse_team(TEAM)).meeting_places if known_team else None
    located = geocode_clients(intake.clients, source=intake.source, meeting_places=defaults)
    return {g.client.id: g for g in located}


def _texts(g: GeocodedClient, severity: Severity = Severity.WARNING) -> str:
    return " | ".join(m.text for m in g.messages if m.severity is severity)


# --------------------------------------------------------------------------- intake


def test_treffpunkt_column_is_read() -> None:
    intake = _intake(
        ("K-1", "35708", "Haiger", "Café", "Bahnhof Dillenburg", ""),
        ("K-2", "35708", "Haiger", "", "Café am Markt, Marktplatz 3, Herborn", ""),
        ("K-3", "35708", "Haiger", "Wohnung", "Bahnhof Dillenburg", ""),
    )
    one, two, three = intake.clients
    assert (one.visit_place, one.meeting_place) == (VisitPlace.CAFE, "Bahnhof Dillenburg")
    # A meeting place without Besuchsort: the visit is not at home.
    assert two.visit_place is VisitPlace.CAFE
    assert two.meeting_place == "Café am Markt, Marktplatz 3, Herborn"
    assert (three.visit_place, three.meeting_place) == (VisitPlace.HOME, "")
    (warning,) = [m for m in intake.messages if m.row == 4]
    assert warning.severity is Severity.WARNING and warning.field == "Treffpunkt"
    assert "gilt nur für den Besuchsort Café" in warning.text


@pytest.mark.parametrize("header", ["Treffpunkt", "Treffort", "Treffpunkt (Adresse)"])
def test_old_lists_with_treffpunkt_as_besuchsort_header(header: str) -> None:
    result = parse_rows(
        ["Kunden-Nr", "Ort", header],
        [["K-1", "Haiger", "Café"], ["K-2", "Haiger", "Beratungsmobil"], ["K-3", "Haiger", ""]],
        "alt.csv",
    )
    assert [(c.visit_place, c.meeting_place) for c in result.clients] == [
        (VisitPlace.CAFE, ""),
        (VisitPlace.VAN, ""),
        (VisitPlace.HOME, ""),
    ]
    assert result.messages == ()


# --------------------------------------------------------------------------- geocode


def test_treffpunkt_is_where_the_visit_is_routed() -> None:
    located = _locate(_intake(("K-1", "35708", "Haiger", "Café", "Bahnhof Dillenburg", "")))
    site = located["K-1"].site
    assert site is not None
    assert (site.lat, site.lon) == _point("Dillenburg") != _point("Haiger")
    assert site.municipality == "Dillenburg"
    assert site.meeting_place == "Bahnhof Dillenburg"
    assert _texts(located["K-1"], Severity.ERROR) == ""


def test_venue_name_and_street_before_the_place() -> None:
    text = "Café Mittendrin, Hauptstraße 40, Herborn-Burg"
    match = resolve_meeting_place(text, default_gazetteer()).match
    assert match is not None and (match.municipality, match.ortsteil) == ("Herborn", "Burg")
    assert not match.issues  # the venue name is not reported as an unknown Ortsteil


def test_team_default_for_the_clients_municipality() -> None:
    located = _locate(
        _intake(
            ("K-1", "35745", "Herborn-Burg", "Café", "", ""),
            ("K-2", "35764", "Sinn", "Café", "", ""),  # default without a place: in Sinn
            ("K-3", "35745", "Herborn-Burg", "Wohnung", "", ""),
        )
    )
    one, two, three = (located[k].site for k in ("K-1", "K-2", "K-3"))
    assert one is not None and two is not None and three is not None
    assert one.meeting_place == "Café Mittendrin, Hauptstraße 40, Herborn"
    assert (one.lat, one.lon) == _point("Herborn") != _point("Herborn-Burg")
    assert (two.meeting_place, two.municipality) == ("Café Linde", "Sinn")
    # Home visits never go to a meeting place.
    assert (three.meeting_place, three.ortsteil) == ("", "Burg")


def test_cafe_without_any_meeting_place_uses_the_address_with_a_warning() -> None:
    intake = _intake(("K-1", "35708", "Haiger", "Café", "", ""))
    g = _locate(intake)["K-1"]
    assert g.site is not None and g.site.meeting_place == ""
    assert (g.site.lat, g.site.lon) == _point("Haiger")
    assert "Besuchsort Café ohne Treffpunkt: es wird die Adresse verwendet" in _texts(g)
    assert "[treffpunkte]" in _texts(g) and "Haiger" in _texts(g)
    # ``planner check`` does not know the team file: no claim about its defaults.
    unchecked = _locate(intake, known_team=False)["K-1"]
    assert unchecked.site == g.site and "ohne Treffpunkt" not in _texts(unchecked)


def test_unknown_treffpunkt_falls_back_to_the_address() -> None:
    located = _locate(
        _intake(
            ("K-1", "35708", "Haiger", "Café", "Eiscafé Venezia", ""),
            ("K-2", "", "Xyzdorf", "Café", "Eiscafé Venezia", ""),
            ("K-3", "", "Gießen", "Café", "Café Central, Gießen", ""),
        )
    )
    g = located["K-1"]
    assert g.site is not None and (g.site.lat, g.site.lon) == _point("Haiger")
    # The coach still goes to the café: the sheet shows it, not the home address.
    assert g.site.meeting_place == "Eiscafé Venezia"
    assert "Treffpunkt „Eiscafé Venezia“ nicht gefunden" in _texts(g)
    assert "die Adresse verwendet" in _texts(g)
    for key in ("K-2", "K-3"):  # neither place nor address: not planned, with the reason
        lost = located[key]
        assert lost.site is None
        assert lost.messages[0].severity is Severity.ERROR
        assert lost.messages[0].text.startswith("Treffpunkt „")


def test_treffpunkt_found_even_when_the_home_is_outside_the_district() -> None:
    g = _locate(_intake(("K-1", "35390", "Gießen", "Café", "Wetzlar-Naunheim", "")))["K-1"]
    assert g.site is not None and (g.site.municipality, g.site.ortsteil) == ("Wetzlar", "Naunheim")
    assert _texts(g, Severity.ERROR) == ""


# --------------------------------------------------------------------------- team


def test_team_meeting_places_use_official_names() -> None:
    team = parse_team(TEAM)
    assert team.meeting_places == (
        ("Herborn", "Café Mittendrin, Hauptstraße 40, Herborn"),
        ("Sinn", "Café Linde"),
    )
    assert parse_team({**TEAM, "treffpunkte": {}}).meeting_places == ()
    assert parse_team({k: v for k, v in TEAM.items() if k != "treffpunkte"}).meeting_places == ()


# --------------------------------------------------------------------------- plan and outputs


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    intake = _intake(
        ("K-1", "35708", "Haiger", "Café", "Bahnhof Dillenburg", "Hund"),
        ("K-2", "35745", "Herborn-Burg", "Café", "", ""),
        ("K-3", "35708", "Haiger", "Café", "Eiscafé Venezia", ""),
        ("K-4", "", "Xyzdorf", "Café", "Eiscafé Venezia", ""),
        ("K-5", "35708", "Haiger", "Wohnung", "", ""),
    )
    team = parse_team(TEAM)
    plan, _ = build_plan(intake, team, MONDAY, 1, FirstOf((SolutionLimit(50), TimeLimit(30))))
    out = tmp_path_factory.mktemp("plan")
    render_outputs(plan, out, team)
    return plan, out


def test_no_row_is_lost_and_stops_are_at_the_meeting_place(planned: tuple[Any, Path]) -> None:
    plan, _ = planned
    stops = {s.visit.client.id: s for t in plan.tours for s in t.stops}
    unplanned = {u.client_id: u for u in plan.unplanned}
    assert sorted([*stops, *unplanned]) == ["K-1", "K-2", "K-3", "K-4", "K-5"]
    assert set(stops) == {"K-1", "K-2", "K-3", "K-5"}
    assert stops["K-1"].visit.site.municipality == "Dillenburg"
    assert stops["K-2"].visit.site.meeting_place.startswith("Café Mittendrin")
    assert unplanned["K-4"].reason.startswith("Treffpunkt „Eiscafé Venezia“ nicht gefunden")


def test_outputs_show_the_meeting_place_not_the_home(planned: tuple[Any, Path]) -> None:
    _, out = planned
    text = (out / "plan.csv").read_text(encoding="utf-8-sig")
    rows = {r["kunden_nr"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert list(rows["K-1"])[-1] == "treffpunkt"
    assert rows["K-1"]["adresse"] == rows["K-1"]["treffpunkt"] == "Bahnhof Dillenburg"
    assert rows["K-1"]["gemeinde"] == "Dillenburg" and rows["K-1"]["besuchsort"] == "Café"
    assert rows["K-2"]["treffpunkt"] == "Café Mittendrin, Hauptstraße 40, Herborn"
    assert rows["K-3"]["adresse"] == "Eiscafé Venezia"
    assert rows["K-5"]["treffpunkt"] == "" and HOME in rows["K-5"]["adresse"]

    sheets = [p.read_text(encoding="utf-8") for p in (out / "laufzettel").glob("route_*.html")]
    sheet = "\n".join(sheets)
    assert "<b>Treffpunkt:</b> Bahnhof Dillenburg" in sheet
    assert "<b>Treffpunkt:</b> Café Mittendrin, Hauptstraße 40, Herborn" in sheet
    assert sheet.count(HOME) == 1  # only the home visit K-5

    page = (out / "karte.html").read_text(encoding="utf-8")
    page = page.replace("\\u003c", "<").replace("\\u003e", ">")  # popups are JSON strings
    assert "<th>Treffpunkt</th><td>Bahnhof Dillenburg" in page
    assert page.count(HOME) == 1  # only the home visit K-5 (K-4 has no position)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Café Central Gießen", "nicht im Lahn-Dill-Kreis"),  # the reason, not "not found"
        ("Bahnhof Roth", "nicht gefunden (bitte den Ort dazuschreiben"),
        ("Café Linde", "nicht gefunden"),  # "Linde" alone is no near miss for Linden
    ],
)
def test_meeting_place_not_located_says_why(text: str, expected: str) -> None:
    g = _locate(_intake(("K-1", "35708", "Haiger", "Café", text, "")))["K-1"]
    assert g.site is not None and g.site.municipality == "Haiger"
    assert f"Treffpunkt „{text}“ nicht" in _texts(g) and expected in _texts(g)


def test_team_default_outside_the_district_is_not_moved_into_the_municipality() -> None:
    team = parse_team({**TEAM, "treffpunkte": {"Herborn": "Café Nirgends, Siegen"}})
    g = _locate(_intake(("K-1", "35745", "Herborn-Burg", "Café", "", "")), team)["K-1"]
    assert g.site is not None and g.site.ortsteil == "Burg"  # the address, not Herborn's centre
    assert "Treffpunkt der Teamdatei für Herborn" in _texts(g)
    assert "nicht im Lahn-Dill-Kreis" in _texts(g)
