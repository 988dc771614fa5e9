"""The offline map: self-contained, escaped, complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from planner.model import Plan
from planner.render import _assets, render_map
from planner.render.map import PALETTE, coach_colours, external_references, map_html
from planner.settings import ATTRIBUTION

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

SURNAMES = (
    "Blaufelder",
    "Quellwitz",
    "Sonnenkamp",
    "Ruhwedel",
    "Tannhauser",
    "Wendeler",
    "Lindqvist",
    "Kranichfeld",
    "Aydemir",
    "Morgenthal",
    "Brückenthal",
    "Ostwaldt",
    "Feldhainer",
    "Schlehdorn",
)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return rf.make_plan()


@pytest.fixture(scope="module")
def html(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("map") / "karte.html"
    out = render_map(
        plan, path, boundary=rf.make_boundary(), region_outlines=rf.make_region_outlines()
    )
    assert out == path
    return path.read_text(encoding="utf-8")


def _without_leaflet(html: str) -> str:
    return html.replace(_assets.leaflet_js(), "").replace(_assets.leaflet_css(), "")


def test_no_remote_references(html: str) -> None:
    assert rf.remote_urls(html) == []
    refs = rf.page_refs(html)
    assert "link" not in refs.tags  # no stylesheet links at all
    assert [u for t, n, u in refs.urls if t == "script"] == []
    assert external_references(html) == []


def test_no_link_anywhere_even_inside_scripts(html: str) -> None:
    # A plain grep must find nothing either: Leaflet's own default link is defused.
    loads = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, flags=re.IGNORECASE)
    assert loads == []
    assert 'leafletjs.com"' not in html


def test_no_urls_outside_leaflet(html: str) -> None:
    rest = _without_leaflet(html)
    assert re.findall(r"https?://", rest) == []
    for cdn in ("cdn.jsdelivr", "cdnjs", "jquery", "bootstrap", "font-awesome", "fontawesome"):
        assert cdn not in rest.lower()
    assert "$(`" not in html  # folium's jQuery popups would fail offline


def test_leaflet_inlined(html: str) -> None:
    assert _assets.leaflet_js() in html
    assert _assets.leaflet_css() in html
    assert "Leaflet 1.9.4" in html
    assert "sourceMappingURL" not in html
    css = _assets.leaflet_css()
    assert "images/" not in css and "data:image/png;base64," in css


def test_csp_blocks_network(html: str) -> None:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert match is not None
    policy = match.group(1).replace("&#x27;", "'")
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert "img-src data:;" in policy
    assert '<html lang="de">' in html


def test_every_located_client_on_the_map(plan: Plan, html: str) -> None:
    for tour in plan.tours:
        for stop in tour.stops:
            assert stop.visit.client.id in html
    assert "K-1013" in html  # unplanned, with a position
    assert "Kein passendes Zeitfenster im Planungszeitraum" in html


def test_names_hidden_by_default(html: str) -> None:
    for surname in SURNAMES:
        assert surname not in html


def test_names_shown_on_request(plan: Plan) -> None:
    shown = map_html(plan, show_names=True)
    assert "Erwin Blaufelder" in shown
    assert "Quellwitz" in shown and "<b>Quellwitz" not in shown  # escaped markup
    assert "Nora Brückenthal" in shown


def test_client_text_is_escaped(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'onerror="alert' not in html
    assert "Hauptstraße 3 \\u0026lt;img src=x" in html  # HTML-escaped, then JSON-escaped
    assert "<i>West</i>" not in html  # region names are escaped too


def test_layers_and_legend(html: str) -> None:
    assert "L.control.layers(" in html
    for layer in ("Kreisgrenze", "Regionen", "Nicht eingeplant (1)"):
        assert layer in html
    assert "Mitte" in html and "Nord" in html
    assert "B\\u00fcros (Start und Ende)" in html or "Büros (Start und Ende)" in html
    assert 'class="bm-legend"' in html
    for coach in ("Anna Becker", "Jonas Weber"):
        assert coach in html
    assert "Mo 30.11.: 3 Besuche" in html
    assert "Luftlinie – keine Straßenführung" in html
    assert "Fahrzeiten geschätzt" in html
    assert ATTRIBUTION in html
    assert "Jobcenter Wetzlar" in html


def test_route_lines_are_dashed_polylines(plan: Plan, html: str) -> None:
    assert html.count("L.polyline(") == len([t for t in plan.tours if t.stops])
    assert '"dashArray": "10 7"' in html and '"dashArray": "2 7"' in html


def test_stop_numbers_and_colours(plan: Plan, html: str) -> None:
    colours = coach_colours(plan)
    assert colours == {"coach-a": PALETTE[0], "coach-b": PALETTE[1]}
    assert html.count('"className": "bm-stop"') == plan.planned_count
    assert html.count('"className": "bm-unplanned"') == 1
    assert html.count('"className": "bm-office"') == 2


def test_estimate_note_only_for_estimates(plan: Plan) -> None:
    from dataclasses import replace

    exact = map_html(replace(plan, travel_is_estimate=False, travel_model="OSRM"))
    assert "Fahrzeiten geschätzt" not in exact
    assert "Fahrzeiten: OSRM" in exact


def test_output_is_deterministic(plan: Plan) -> None:
    boundary, regions = rf.make_boundary(), rf.make_region_outlines()
    first = map_html(plan, boundary=boundary, region_outlines=regions)
    assert first == map_html(plan, boundary=boundary, region_outlines=regions)


def test_boundary_forms_and_empty_plan() -> None:
    empty = Plan(start=rf.MONDAY, days=1, tours=(), unplanned=(), travel_model="")
    feature = rf.make_boundary()["features"][0]
    for boundary in (None, feature, feature["geometry"]):
        html = map_html(empty, boundary=boundary)
        assert "Keine Touren im Plan." in html
        assert rf.remote_urls(html) == []
    assert "fitBounds" in map_html(empty)


def test_tiles_are_opt_in_and_escaped(plan: Plan) -> None:
    html = map_html(
        plan,
        tiles_url="https://{s}.tile.example.org/{z}/{x}/{y}.png",
        tiles_attribution='© <a href="https://example.org">Beispiel</a>',
    )
    assert "L.tileLayer(" in html
    assert "https://*.tile.example.org" in html  # allowed by the CSP for images only
    assert '<a href="https://example.org">' not in html
    assert "Hintergrundkarte: © &lt;a href=" in html
    assert rf.remote_urls(html) == []
    assert "L.tileLayer(" not in map_html(plan)


def test_day_filter(plan: Plan) -> None:
    html = map_html(plan)
    assert "L.control({position: 'topleft'})" in html
    assert '{label: "Alle Tage", layers: [' in html
    assert '{label: "Mo 30.11.", layers: [' in html and '{label: "Di 01.12.", layers: [' in html
    one_day = Plan(start=plan.start, days=1, tours=plan.tours[:1], unplanned=(), travel_model="")
    assert "Alle Tage" not in map_html(one_day)


def test_place_labels(plan: Plan) -> None:
    labels = {"Wetzlar": (50.555, 8.503), "Sinn": (50.65, 8.33), "<b>Ort</b>": (50.6, 8.4)}
    html = map_html(plan, place_labels=labels)
    assert "Orte" in html and "Sinn" in html
    # Wetzlar is left out: the office "Jobcenter Wetzlar" sits right there.
    assert html.count('"className": "bm-place"') == 2
    assert "<b>Ort</b>" not in html
    assert '"className": "bm-place"' not in map_html(plan)


def test_inputs_not_modified(plan: Plan) -> None:
    import copy

    boundary, regions = rf.make_boundary(), rf.make_region_outlines()
    before = copy.deepcopy((boundary, regions))
    map_html(plan, boundary=boundary, region_outlines=regions)
    assert (boundary, regions) == before


def test_title_is_escaped(plan: Plan) -> None:
    html = map_html(plan, title="Plan <KW 49>")
    assert "<title>Plan &lt;KW 49&gt;</title>" in html


def test_guard_detects_remote_references() -> None:
    assert external_references('<script src="https://cdn.example/x.js"></script>')
    assert external_references('<link rel="stylesheet" href="//cdn.example/x.css">')
    assert external_references("<style>.a{background:url(https://x.example/a.png)}</style>")
    assert external_references('<div style="background:url(//x.example/a.png)"></div>')
    assert external_references("<style>@import 'x.css';</style>")
    assert not external_references('<a href="route.html">x</a><img src="data:image/png;base64,AA">')


def test_render_map_creates_parent_dirs(plan: Plan, tmp_path: Path) -> None:
    path = render_map(plan, tmp_path / "a" / "b" / "karte.html")
    assert path.exists()
