"""Interactive overview map of a plan as one self-contained, offline HTML file.

The page is built with folium but loads nothing from the network: folium's CDN
links (Leaflet, jQuery, Bootstrap, Font Awesome …) are dropped, Leaflet itself is
inlined (see ``_assets``) and every marker is an inline SVG in a ``L.divIcon``. A
Content-Security-Policy in the page blocks any request that might still slip in,
so opening the file never tells a third party which places a coach visits.

folium's own ``Popup``/``Tooltip``/``Marker`` are not used: popups need jQuery and
both put text into JavaScript template literals, where ``${…}`` in client data would
run as code. The small elements below bind popups with JSON-encoded strings instead.

The markup (stylesheet, popups, tooltips, legend, symbols) and the day filter's script
are templates in ``resources/templates/map``; this module supplies their data.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar, cast
from urllib.parse import urlsplit

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from markupsafe import Markup
from shapely.geometry import shape

from planner.model import Office, Plan, Precision, Stop, Tour, Unplanned, VisitPlace
from planner.render import _assets
from planner.render._format import (
    ESTIMATE_NOTE,
    PRECISION_DE,
    clock,
    date_de,
    date_short_de,
    esc,
    km_de,
    minutes_de,
    stop_locality,
    tour_label,
    unplanned_address,
    unplanned_name,
)
from planner.render._templates import render
from planner.settings import ATTRIBUTION

#: Okabe–Ito palette (distinguishable with the common colour-vision deficiencies),
#: ordered by contrast against the light background; yellow last.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
#: Colours light enough to need dark numbers on the marker.
_LIGHT = {"#E69F00", "#56B4E9", "#F0E442", "#CC79A7"}
UNPLANNED_COLOUR = "#8C8C8C"
OFFICE_COLOUR = "#1A1A1A"
#: One dash pattern per plan day, so a coach's tours on different days stay apart.
DAY_DASHES: tuple[str, ...] = ("10 7", "2 7", "16 5 3 5", "6 4", "1 5 8 5")
BACKGROUND = "#E4E7EA"
STRAIGHT_LINE_NOTE = "Luftlinie – keine Straßenführung"
ROAD_LINE_NOTE = "Straßenverlauf (OpenStreetMap)"
MAIN_ROAD_COLOUR = "#B8860B"
#: Line width per main-road class (1 motorway … 5 Kreisstraße), in pixels.
_MAIN_ROAD_WEIGHT = {1: 3.0, 2: 2.6, 3: 2.2, 4: 1.6, 5: 1.1}

_DEFAULT_CENTRE = (50.63, 8.37)  # Lahn-Dill-Kreis, used when nothing else is known
_MARKER_RING_PX = 15  # radius on which markers sharing one position are spread
_CLUSTER_FROM = 6  # more unplanned people than this at one position: one marker with count
_CLUSTER_IDS_SHOWN = 20  # Kunden-Nr listed in such a marker's popup


# --------------------------------------------------------------------------- public API

LatLon = tuple[float, float]


@dataclass(frozen=True, eq=False)
class RoadOverlay:
    """Road data for the map (``--strassen`` or an own OSRM server).

    ``path`` gives the driven line of one leg (origin, destination → vertices); with it
    every tour is drawn along the roads instead of straight. ``main_roads`` is a GeoJSON
    FeatureCollection of main roads (property ``klasse`` 1–5), drawn as an offline layer.
    """

    path: Callable[[LatLon, LatLon], Sequence[LatLon]] | None = None
    main_roads: dict[str, Any] | None = None
    source: str = ""  # German, for the legend ("OpenStreetMap-Auszug …")


def render_map(
    plan: Plan,
    path: Path,
    *,
    boundary: dict[str, Any] | None = None,
    region_outlines: dict[str, dict[str, Any]] | None = None,
    show_names: bool = False,
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    title: str = "",
    place_labels: Mapping[str, tuple[float, float]] | None = None,
    roads: RoadOverlay | None = None,
) -> Path:
    """Write the overview map of ``plan`` to ``path`` and return ``path``.

    ``boundary`` is the district as GeoJSON (FeatureCollection, Feature or geometry),
    ``region_outlines`` maps region names to GeoJSON geometries. Without ``tiles_url``
    the map has a plain background and needs no network at all; with it, the tile
    server sees which map section is viewed (never any client data). ``place_labels``
    (name → (lat, lon), e.g. the 23 municipalities) give orientation without tiles.
    ``roads`` draws legs along the roads and adds the main-roads layer.
    """
    html = map_html(
        plan,
        boundary=boundary,
        region_outlines=region_outlines,
        show_names=show_names,
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        title=title,
        place_labels=place_labels,
        roads=roads,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def map_html(
    plan: Plan,
    *,
    boundary: dict[str, Any] | None = None,
    region_outlines: dict[str, dict[str, Any]] | None = None,
    show_names: bool = False,
    tiles_url: str | None = None,
    tiles_attribution: str | None = None,
    title: str = "",
    place_labels: Mapping[str, tuple[float, float]] | None = None,
    roads: RoadOverlay | None = None,
) -> str:
    """The map page as a string (see :func:`render_map`)."""
    title = title or default_title(plan)
    colours = coach_colours(plan)
    boundary_fc = _feature_collection(boundary) if boundary else None
    bounds = _bounds(plan, boundary_fc)
    centre = ((bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2)

    fmap = _OfflineMap(
        location=centre,
        zoom_start=10,
        tiles=None,
        width="100%",
        height="100%",
        attribution_control=False,  # replaced below: Leaflet's default prefix is a web link
        zoom_snap=0.25,
    )
    figure = cast(Figure, fmap.get_root())
    figure.title = esc(title)
    figure.header.add_child(Element(_csp_meta(tiles_url)), name="bm_csp")
    figure.header.add_child(Element(_ASSETS_PLACEHOLDER), name="bm_leaflet")
    _PageStyle(tiles=bool(tiles_url)).add_to(fmap)

    if tiles_url:
        folium.TileLayer(
            tiles=tiles_url,
            attr=esc(tiles_attribution or f"Kartenkacheln: {urlsplit(tiles_url).hostname or ''}"),
            name="Hintergrundkarte",
            control=False,
        ).add_to(fmap)
    _AttributionControl(ATTRIBUTION).add_to(fmap)
    # Metric scale bottom right: the legend takes the bottom left corner.
    _Script("L.control.scale({imperial: false, position: 'bottomright'}).addTo({parent});").add_to(
        fmap
    )

    if boundary_fc:
        _add_boundary(fmap, boundary_fc, tiles=bool(tiles_url))
    if roads is not None and roads.main_roads and roads.main_roads.get("features"):
        _add_main_roads(fmap, roads.main_roads)
    if region_outlines:
        _add_regions(fmap, region_outlines)
    if place_labels:
        _add_place_labels(fmap, place_labels, _offices(plan))

    offsets = _marker_offsets(plan)
    day_index = {day: i for i, day in enumerate(sorted({t.day for t in plan.tours}))}
    groups_by_day: dict[date, list[folium.FeatureGroup]] = defaultdict(list)
    for tour in _sorted_tours(plan):
        group = _add_tour(
            fmap,
            tour,
            colour=colours[tour.coach.key],
            dash=DAY_DASHES[day_index[tour.day] % len(DAY_DASHES)],
            offsets=offsets,
            show_names=show_names,
            estimate=plan.travel_is_estimate,
            leg_path=roads.path if roads is not None else None,
        )
        groups_by_day[tour.day].append(group)
    _add_offices(fmap, plan)
    _add_unplanned(fmap, plan, offsets=offsets, show_names=show_names)

    overlays = 4 + len(plan.tours)
    folium.LayerControl(collapsed=overlays > 12, position="topright").add_to(fmap)
    if len(groups_by_day) > 1:
        _day_filter(groups_by_day).add_to(fmap)
    folium.FitBounds(bounds, padding=(12, 12)).add_to(fmap)
    legend = _legend_html(
        plan, colours, title, tiles_attribution if tiles_url else None, day_index, roads=roads
    )
    _Legend(legend).add_to(fmap)

    html = figure.render()
    html = _stable_ids(html).replace("<html>", '<html lang="de">', 1)
    html = html.replace(_ASSETS_PLACEHOLDER, _inline_leaflet(), 1)
    problems = external_references(html)
    if problems:  # a folium upgrade must not silently put a CDN link back
        raise RuntimeError(f"Karte würde externe Ressourcen laden: {problems[:3]}")
    return html


def default_title(plan: Plan) -> str:
    """``Beratung Mobil – Tourenplan 30.11.–01.12.2026``."""
    return f"Beratung Mobil – Tourenplan {_period(plan)}"


def coach_colours(plan: Plan) -> dict[str, str]:
    """Coach key → colour, in order of first appearance in the plan (stable)."""
    colours: dict[str, str] = {}
    for tour in plan.tours:
        if tour.coach.key not in colours:
            colours[tour.coach.key] = PALETTE[len(colours) % len(PALETTE)]
    return colours


def external_references(html: str) -> list[str]:
    """Attributes and CSS ``url()``/``@import`` in ``html`` that would load from elsewhere.

    Script bodies are not inspected (Leaflet mentions URLs in strings it never loads
    here); only what a browser fetches on its own is.
    """
    finder = _ExternalFinder()
    finder.feed(html)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------- folium plumbing

_ASSETS_PLACEHOLDER = "<!-- bm:leaflet-assets -->"


class _OfflineMap(folium.Map):
    """A folium map without any CDN links; Leaflet is inlined by :func:`map_html`."""

    # Instance attributes on folium's side, so no ClassVar (mypy would reject it).
    default_js: list[tuple[str, str]] = []  # noqa: RUF012
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


class _Script(MacroElement):
    """Raw JavaScript; ``{parent}`` and ``{self}`` become the JavaScript variable names."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code() }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "bm_script"
        self._code = code

    def code(self) -> str:
        assert self._parent is not None, "add the element to a map or layer first"
        return self._code.replace("{parent}", self._parent.get_name()).replace(
            "{self}", self.get_name()
        )


class _AttributionControl(_Script):
    def __init__(self, text: str) -> None:
        # Plain-text prefix: Leaflet's default is a link to leafletjs.com.
        super().__init__(
            "var {self} = L.control.attribution({prefix: 'Leaflet'}).addTo({parent});\n"
            "{parent}.attributionControl = {self};\n"
            f"{{self}}.addAttribution({_js(esc(text))});"
        )


def _div_marker(
    location: tuple[float, float],
    *,
    icon_html: str,
    size: tuple[int, int],
    anchor: tuple[float, float],
    class_name: str,
    popup: str | None = None,
    tooltip: str | None = None,
    tooltip_options: dict[str, Any] | None = None,
    interactive: bool = True,
    z_offset: int = 0,
    title: str = "",
) -> _Script:
    icon = {
        "html": icon_html,
        "className": class_name,
        "iconSize": list(size),
        "iconAnchor": [round(anchor[0], 1), round(anchor[1], 1)],
        "popupAnchor": [round(size[0] / 2 - anchor[0], 1), round(-anchor[1] + 2, 1)],
        "tooltipAnchor": [round(size[0] - anchor[0], 1), round(size[1] / 2 - anchor[1], 1)],
    }
    options = {
        "interactive": interactive,
        "keyboard": interactive,
        "zIndexOffset": z_offset,
        "title": title,
        "alt": title,
        "riseOnHover": interactive,
    }
    position = _js([round(location[0], 6), round(location[1], 6)])
    lines = [
        f"var {{self}} = L.marker({position}, "
        f"Object.assign({{icon: L.divIcon({_js(icon)})}}, {_js(options)})).addTo({{parent}});",
    ]
    if popup is not None:
        lines.append(f"{{self}}.bindPopup({_js(popup)}, {{maxWidth: 360, minWidth: 220}});")
    if tooltip is not None:
        lines.append(f"{{self}}.bindTooltip({_js(tooltip)}, {_js(tooltip_options or {})});")
    return _Script("\n".join(lines))


def _bind_tooltip(html: str, options: dict[str, Any]) -> _Script:
    return _Script(f"{{parent}}.bindTooltip({_js(html)}, {_js(options)});")


class _PageStyle(MacroElement):
    _template = Template("{% macro header(this, kwargs) %}{{ this.css }}{% endmacro %}")

    def __init__(self, *, tiles: bool) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "bm_style"
        background = "#DDE3E8" if tiles else BACKGROUND
        self.css = render("map/page_style.html.j2", background=background)


class _Legend(MacroElement):
    _template = Template("{% macro html(this, kwargs) %}{{ this.content }}{% endmacro %}")

    def __init__(self, content: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "bm_legend"
        self.content = content


def _js(value: object) -> str:
    """JSON for embedding in ``<script>``: no ``</script>``/``<!--`` can be formed."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_leaflet() -> str:
    return render(
        "map/leaflet.html.j2",
        version=_assets.LEAFLET_VERSION,
        # The bundled library, not data: inserted as it is.
        css=Markup(_assets.leaflet_css()),
        js=Markup(_assets.leaflet_js()),
    )


def _csp_meta(tiles_url: str | None) -> str:
    """A policy that forbids every request except inline code, data: images and tiles."""
    return render("map/csp.html.j2", tile_source=_tile_source(tiles_url) if tiles_url else "")


def _tile_source(tiles_url: str) -> str:
    """CSP source for a tile template (``https://{s}.tile.example.org/…`` → ``https://*.tile.example.org``)."""
    parts = urlsplit(tiles_url)
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    if re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?", host):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}:" if parts.scheme in ("http", "https") else "https:"


_FOLIUM_ID = re.compile(r"_([0-9a-f]{32})(?![0-9a-f])")


def _stable_ids(html: str) -> str:
    """Replace folium's random element ids by counters: same plan, same file."""
    seen: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        return f"_{seen.setdefault(match.group(1), len(seen) + 1)}"

    return _FOLIUM_ID.sub(number, html)


class _ExternalFinder(HTMLParser):
    _URL_ATTRS: ClassVar[frozenset[str]] = frozenset(
        {
            "src",
            "href",
            "srcset",
            "poster",
            "data",
            "action",
            "formaction",
            "background",
            "xlink:href",
            "manifest",
            "ping",
            "cite",
        }
    )
    _REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
    _CSS_URL = re.compile(r"url\(\s*['\"]?\s*((?:[a-z][a-z0-9+.-]*:)?//[^)'\"]*)", re.IGNORECASE)

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in self._URL_ATTRS and self._REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self._check_css(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._check_css(data)

    def _check_css(self, css: str) -> None:
        self.found.extend(self._CSS_URL.findall(css))
        if "@import" in css:
            self.found.append("@import")


# --------------------------------------------------------------------------- geometry


def _feature_collection(geojson: dict[str, Any]) -> dict[str, Any]:
    """Any GeoJSON object → FeatureCollection of bare geometries (properties dropped)."""
    kind = geojson.get("type")
    if kind == "FeatureCollection":
        geometries = [f["geometry"] for f in geojson.get("features", []) if f.get("geometry")]
    elif kind == "Feature":
        geometries = [geojson["geometry"]] if geojson.get("geometry") else []
    else:
        geometries = [geojson]
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries],
    }


def _plan_points(plan: Plan) -> Iterator[tuple[float, float]]:
    for tour in plan.tours:
        yield tour.start_office.lat, tour.start_office.lon
        yield tour.end_office.lat, tour.end_office.lon
        for stop in tour.stops:
            yield stop.visit.site.lat, stop.visit.site.lon
    for item in plan.unplanned:
        if item.site is not None:
            yield item.site.lat, item.site.lon


Bounds = list[list[float]]


def _bounds(plan: Plan, boundary: dict[str, Any] | None) -> Bounds:
    """South-west and north-east corner covering the district and all points."""
    lats: list[float] = []
    lons: list[float] = []
    for lat, lon in _plan_points(plan):
        lats.append(lat)
        lons.append(lon)
    if boundary:
        for feature in boundary["features"]:
            west, south, east, north = shape(feature["geometry"]).bounds
            lats += [south, north]
            lons += [west, east]
    if not lats:
        lat, lon = _DEFAULT_CENTRE
        return [[lat - 0.2, lon - 0.3], [lat + 0.2, lon + 0.3]]
    if max(lats) - min(lats) < 0.01 and max(lons) - min(lons) < 0.01:  # a single place
        return [[min(lats) - 0.02, min(lons) - 0.03], [max(lats) + 0.02, max(lons) + 0.03]]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


_Key = tuple[float, float]


def _position_key(lat: float, lon: float) -> _Key:
    return round(lat, 4), round(lon, 4)  # ≈ 10 m: "same place" for geocoded centres


def _marker_offsets(plan: Plan) -> dict[tuple[str, int], tuple[float, float]]:
    """Pixel offsets for markers sharing a position (village centres are shared a lot).

    Keys are ``(tour-id, stop-index)`` for stops and ``("u", index)`` for unplanned.
    """
    groups: dict[_Key, list[tuple[str, int]]] = defaultdict(list)
    for tour in _sorted_tours(plan):
        for index, stop in enumerate(tour.stops):
            site = stop.visit.site
            groups[_position_key(site.lat, site.lon)].append((_tour_id(tour), index))
    singles, clusters = _unplanned_groups(plan)
    for index, item in singles:
        assert item.site is not None
        groups[_position_key(item.site.lat, item.site.lon)].append(("u", index))
    for number, cluster in enumerate(clusters):
        centre = cluster[0].site
        assert centre is not None
        groups[_position_key(centre.lat, centre.lon)].append(("c", number))
    offsets: dict[tuple[str, int], tuple[float, float]] = {}
    for members in groups.values():
        count = len(members)
        for i, member in enumerate(members):
            if count == 1:
                offsets[member] = (0.0, 0.0)
                continue
            angle = -math.pi / 2 + 2 * math.pi * i / count
            radius = _MARKER_RING_PX + 2 * max(0, count - 3)
            offsets[member] = (radius * math.cos(angle), radius * math.sin(angle))
    return offsets


def _unplanned_groups(
    plan: Plan,
) -> tuple[list[tuple[int, Unplanned]], list[list[Unplanned]]]:
    """Unplanned people with a position: single markers, and clusters per place.

    Where more than ``_CLUSTER_FROM`` people share a position (a village centre) one
    marker with the count stands for all of them: a long list then costs a marker per
    place, not per person (50,000 markers would make the map unusable and huge).
    """
    by_place: dict[_Key, list[tuple[int, Unplanned]]] = defaultdict(list)
    for index, item in enumerate(plan.unplanned):
        if item.site is not None:
            by_place[_position_key(item.site.lat, item.site.lon)].append((index, item))
    singles: list[tuple[int, Unplanned]] = []
    clusters: list[list[Unplanned]] = []
    for members in by_place.values():
        if len(members) > _CLUSTER_FROM:
            clusters.append([item for _, item in members])
        else:
            singles.extend(members)
    return sorted(singles, key=lambda pair: pair[0]), clusters


def _tour_id(tour: Tour) -> str:
    return f"{tour.day.isoformat()}|{tour.coach.key}|{tour.start.isoformat()}"


def _sorted_tours(plan: Plan) -> list[Tour]:
    order = {key: i for i, key in enumerate(coach_colours(plan))}
    return sorted(plan.tours, key=lambda t: (t.day, order[t.coach.key], t.start))


# --------------------------------------------------------------------------- layers


def _add_boundary(fmap: folium.Map, boundary: dict[str, Any], *, tiles: bool) -> None:
    group = folium.FeatureGroup(name="Kreisgrenze", show=True).add_to(fmap)
    # Without tiles a white district on a grey page is the whole "base map".
    style = {
        "color": "#3C3C3C",
        "weight": 2.5,
        "fill": True,
        "fillColor": "#FFFFFF",
        "fillOpacity": 0.0 if tiles else 0.85,
        "interactive": False,
    }
    folium.GeoJson(boundary, style_function=lambda _f: style, interactive=False).add_to(group)


def _add_regions(fmap: folium.Map, outlines: dict[str, dict[str, Any]]) -> None:
    group = folium.FeatureGroup(name="Regionen", show=True).add_to(fmap)
    style = {"color": "#7A7A7A", "weight": 1.5, "fill": False, "interactive": False}
    for name, geometry in outlines.items():
        collection = _feature_collection(geometry)
        if not collection["features"]:
            continue
        folium.GeoJson(collection, style_function=lambda _f: style, interactive=False).add_to(group)
        point = shape(collection["features"][0]["geometry"])
        for feature in collection["features"][1:]:
            point = point.union(shape(feature["geometry"]))
        label = point.representative_point()
        width = 12 + 9 * len(name)
        _div_marker(
            (label.y, label.x),
            icon_html=render("map/label_region.html.j2", text=name),
            size=(width, 20),
            anchor=(width / 2, 10),
            class_name="bm-region-label",
            interactive=False,
            z_offset=-1000,
        ).add_to(group)


def _add_place_labels(
    fmap: folium.Map, labels: Mapping[str, tuple[float, float]], offices: Iterable[Office]
) -> None:
    group = folium.FeatureGroup(name="Orte", show=True).add_to(fmap)
    office_points = [(o.lat, o.lon) for o in offices]
    for name, (lat, lon) in labels.items():
        if any(_near(lat, lon, *point) for point in office_points):
            continue  # the office label already names the town
        width = 14 + 7 * len(name)
        _div_marker(
            (lat, lon),
            icon_html=render("map/label_place.html.j2", text=name),
            size=(width, 14),
            anchor=(3, 7),
            class_name="bm-place",
            interactive=False,
            z_offset=-500,
        ).add_to(group)


def _add_tour(
    fmap: folium.Map,
    tour: Tour,
    *,
    colour: str,
    dash: str,
    offsets: dict[tuple[str, int], tuple[float, float]],
    show_names: bool,
    estimate: bool,
    leg_path: Callable[[LatLon, LatLon], Sequence[LatLon]] | None = None,
) -> folium.FeatureGroup:
    visits = f"{len(tour.stops)} Besuch{'e' if len(tour.stops) != 1 else ''}"
    name = render("map/layer_name.html.j2", colour=colour, label=f"{tour_label(tour)}: {visits}")
    group = folium.FeatureGroup(name=name, show=True)
    group.add_to(fmap)
    if tour.stops:
        points = [(tour.start_office.lat, tour.start_office.lon)]
        points += [(s.visit.site.lat, s.visit.site.lon) for s in tour.stops]
        points.append((tour.end_office.lat, tour.end_office.lon))
        note = STRAIGHT_LINE_NOTE
        if leg_path is not None:
            points = _along_roads(points, leg_path)
            note = ROAD_LINE_NOTE
        line = folium.PolyLine(  # type: ignore[no-untyped-call]
            points, color=colour, weight=3.5, opacity=0.9, dash_array=dash, class_name="bm-route"
        ).add_to(group)
        tip = render(
            "map/tooltip_tour.html.j2",
            note=note,
            label=tour_label(tour),
            estimate=estimate,
            driving=minutes_de(tour.driving_min),
            distance=km_de(tour.distance_m),
        )
        _bind_tooltip(tip, {"sticky": True, "className": "bm-tip"}).add_to(line)
    tid = _tour_id(tour)
    for index, stop in enumerate(tour.stops):
        number = index + 1
        svg, size = _stop_svg(number, colour, stop.visit.client.visit_place)
        dx, dy = offsets.get((tid, index), (0.0, 0.0))
        _div_marker(
            (stop.visit.site.lat, stop.visit.site.lon),
            icon_html=svg,
            size=(size, size),
            anchor=(size / 2 - dx, size / 2 - dy),
            class_name="bm-stop",
            popup=_stop_popup(tour, number, stop, show_names=show_names, estimate=estimate),
            tooltip=_stop_tooltip(tour, number, stop),
            tooltip_options={"direction": "top", "className": "bm-tip", "offset": [0, -4]},
            title=f"Nr. {number} – {stop.visit.client.id}",
            z_offset=100,
        ).add_to(group)
    return group


def _along_roads(
    points: Sequence[LatLon], leg_path: Callable[[LatLon, LatLon], Sequence[LatLon]]
) -> list[LatLon]:
    """The stops joined by the driven lines of each leg (one polyline per tour)."""
    line: list[LatLon] = [points[0]]
    for origin, destination in zip(points, points[1:], strict=False):
        if origin == destination:
            continue
        leg = [(round(lat, 6), round(lon, 6)) for lat, lon in leg_path(origin, destination)]
        # OSRM's line starts and ends on the road; the stop itself may sit a little off it.
        line.extend([*leg, destination] if leg else [destination])
    return line


def _add_main_roads(fmap: folium.Map, roads: dict[str, Any]) -> None:
    """Main roads as an offline vector layer under everything else (not clickable)."""
    group = folium.FeatureGroup(name="Hauptstraßen", show=True).add_to(fmap)

    def style(feature: dict[str, Any]) -> dict[str, Any]:
        rank = int(feature.get("properties", {}).get("klasse", 5))
        return {
            "color": MAIN_ROAD_COLOUR,
            "weight": _MAIN_ROAD_WEIGHT.get(rank, 1.1),
            "opacity": 0.75 if rank <= 3 else 0.55,
            "interactive": False,
        }

    folium.GeoJson(roads, style_function=style, interactive=False, smooth_factor=1.5).add_to(group)


def _day_filter(groups_by_day: Mapping[date, list[folium.FeatureGroup]]) -> _Script:
    """Buttons "Alle Tage | Mo 30.11. | …" that show the tours of one day only.

    A week of tours on one map is a tangle; a coach usually wants one day. The layer
    control stays in sync because Leaflet updates its checkboxes on add/remove.
    """
    every = [g.get_name() for groups in groups_by_day.values() for g in groups]
    choices = [("Alle Tage", every)] + [
        (date_short_de(day), [g.get_name() for g in groups])
        for day, groups in sorted(groups_by_day.items())
    ]
    # Layer variables are code, labels are data (JSON): the template is JavaScript.
    entries = [{"label": _js(label), "layers": names} for label, names in choices]
    return _Script(render("map/day_filter.js.j2", choices=entries))


def _offices(plan: Plan) -> list[Office]:
    offices: dict[str, Office] = {}
    for tour in plan.tours:
        offices.setdefault(tour.start_office.key, tour.start_office)
        offices.setdefault(tour.end_office.key, tour.end_office)
    return list(offices.values())


def _near(lat1: float, lon1: float, lat2: float, lon2: float, metres: float = 2000) -> bool:
    dy = (lat1 - lat2) * 111_195
    dx = (lon1 - lon2) * 111_195 * math.cos(math.radians(lat1))
    return dx * dx + dy * dy < metres * metres


def _add_offices(fmap: folium.Map, plan: Plan) -> None:
    offices = _offices(plan)
    if not offices:
        return
    group = folium.FeatureGroup(name="Büros (Start und Ende)", show=True).add_to(fmap)
    for office in offices:
        popup = render("map/popup_office.html.j2", office=office.name, address=office.address)
        _div_marker(
            (office.lat, office.lon),
            icon_html=_office_svg(),
            size=(28, 28),
            anchor=(14, 14),
            class_name="bm-office",
            popup=popup,
            tooltip=esc(office.name),
            tooltip_options={
                "permanent": True,
                "direction": "right",
                "className": "bm-office-label",
                "offset": [4, 0],
            },
            title=office.name,
            z_offset=200,
        ).add_to(group)


def _add_unplanned(
    fmap: folium.Map,
    plan: Plan,
    *,
    offsets: dict[tuple[str, int], tuple[float, float]],
    show_names: bool,
) -> None:
    singles, clusters = _unplanned_groups(plan)
    located = len(singles) + sum(len(members) for members in clusters)
    if not located:
        return
    name = render(
        "map/layer_name.html.j2", colour=UNPLANNED_COLOUR, label=f"Nicht eingeplant ({located})"
    )
    group = folium.FeatureGroup(name=name, show=True).add_to(fmap)
    for number, members in enumerate(clusters):
        site = members[0].site
        assert site is not None
        dx, dy = offsets.get(("c", number), (0.0, 0.0))
        _div_marker(
            (site.lat, site.lon),
            icon_html=_cluster_svg(len(members)),
            size=(28, 28),
            anchor=(14 - dx, 14 - dy),
            class_name="bm-unplanned",
            popup=_cluster_popup(members),
            title=f"{len(members)} nicht eingeplant",
        ).add_to(group)
    for index, item in singles:
        assert item.site is not None
        dx, dy = offsets.get(("u", index), (0.0, 0.0))
        _div_marker(
            (item.site.lat, item.site.lon),
            icon_html=_unplanned_svg(),
            size=(20, 20),
            anchor=(10 - dx, 10 - dy),
            class_name="bm-unplanned",
            popup=_unplanned_popup(item, show_names=show_names),
            title=f"Nicht eingeplant – {item.client_id}",
        ).add_to(group)


# --------------------------------------------------------------------------- marker graphics


def _text_colour(colour: str) -> str:
    return "#000" if colour.upper() in _LIGHT else "#fff"


_SHAPES = {VisitPlace.VAN: "diamond", VisitPlace.CAFE: "square"}  # else a circle


def _stop_svg(number: int, colour: str, place: VisitPlace) -> tuple[Markup, int]:
    """Numbered marker; the shape tells the place: ● Wohnung, ■ Café, ◆ Beratungsmobil."""
    size = 30 if place is VisitPlace.VAN else 26
    svg = render(
        "map/stop.svg.j2",
        number=number,
        colour=colour,
        text_colour=_text_colour(colour),
        shape=_SHAPES.get(place, "circle"),
        size=size,
        c=size / 2,
    )
    return Markup(svg), size


@cache
def _office_svg() -> Markup:
    return Markup(render("map/office.svg.j2", colour=OFFICE_COLOUR))


def _cluster_svg(count: int) -> Markup:
    return Markup(render("map/cluster.svg.j2", colour=UNPLANNED_COLOUR, count=count))


@cache
def _unplanned_svg() -> Markup:
    return Markup(render("map/unplanned.svg.j2", colour=UNPLANNED_COLOUR))


def _line_svg(colour: str, dash: str, width: int = 34) -> Markup:
    return Markup(render("map/line.svg.j2", colour=colour, dash=dash, width=width))


# --------------------------------------------------------------------------- popups


def _stop_popup(tour: Tour, number: int, stop: Stop, *, show_names: bool, estimate: bool) -> str:
    client = stop.visit.client
    site = stop.visit.site
    times = clock(stop.arrival)
    if stop.start != stop.arrival:
        times += f" (Beginn {clock(stop.start)})"
    # A Café visit is at the meeting place: the home address is not shown as the place.
    place_label, place = (
        ("Treffpunkt", site.meeting_place)
        if site.meeting_place
        else ("Standort", f"Beratungsmobil, {stop.visit.stand}")
        if stop.visit.stand
        else ("Adresse", client.address.one_line())
    )
    rough = ""
    if site.precision in (Precision.ORTSTEIL, Precision.MUNICIPALITY):
        rough = "centre"
    elif site.precision is Precision.STREET:
        rough = "street"
    return render(
        "map/popup_stop.html.j2",
        number=number,
        coach=tour.coach.name,
        day=date_short_de(tour.day),
        van=tour.with_van,
        arrival=times,
        window=stop.window,
        client_id=client.id,
        client_name=client.name if show_names else "",
        place_label=place_label,
        place=place,
        locality=stop_locality(stop),
        duration=stop.visit.duration_min,
        end=clock(stop.end),
        visit_place=client.visit_place.value,
        precision=PRECISION_DE.get(site.precision, str(site.precision.value)),
        travel=f"{minutes_de(stop.travel_min)}, {km_de(stop.distance_m)}",
        estimate=estimate,
        rough=rough,
    )


def _stop_tooltip(tour: Tour, number: int, stop: Stop) -> str:
    """Hover text: enough to read the map without opening every popup."""
    site = stop.visit.site
    place = site.ortsteil or site.municipality
    if site.ortsteil and site.municipality and site.ortsteil != site.municipality:
        place = f"{site.ortsteil} ({site.municipality})"
    return render(
        "map/tooltip_stop.html.j2",
        number=number,
        arrival=clock(stop.arrival),
        place=place,
        coach=tour.coach.name,
        day=date_short_de(tour.day),
    )


def _cluster_popup(members: Sequence[Unplanned]) -> str:
    """Many people at one place: counts per reason and the first Kunden-Nr, never names."""
    site = members[0].site
    assert site is not None
    ids = [m.client_id for m in members[:_CLUSTER_IDS_SHOWN] if m.client_id]
    return render(
        "map/popup_cluster.html.j2",
        count=len(members),
        place=site.ortsteil or site.municipality,
        reasons=[(code.label, n) for code, n in Counter(m.code for m in members).most_common()],
        ids=ids,
        more=len(members) - len(ids),
    )


def _unplanned_popup(item: Unplanned, *, show_names: bool) -> str:
    site = item.site
    return render(
        "map/popup_unplanned.html.j2",
        client_id=item.client_id,
        client_name=unplanned_name(item) if show_names else "",
        address=unplanned_address(item).one_line(),
        meeting_place=site.meeting_place if site is not None else "",
        precision=PRECISION_DE.get(site.precision, "") if site is not None else None,
        reason=item.reason,
    )


# --------------------------------------------------------------------------- legend


def _period(plan: Plan) -> str:
    days = sorted({t.day for t in plan.tours}) or [plan.start]
    first, last = days[0], days[-1]
    if first == last:
        return date_de(first)
    return f"{first.day:02d}.{first.month:02d}.–{date_de(last)}"


def _legend_html(
    plan: Plan,
    colours: dict[str, str],
    title: str,
    tiles_attribution: str | None,
    day_index: dict[date, int],
    *,
    roads: RoadOverlay | None = None,
) -> str:
    tours_by_coach: dict[str, list[Tour]] = defaultdict(list)
    for tour in _sorted_tours(plan):
        tours_by_coach[tour.coach.key].append(tour)
    coaches = [
        {
            "colour": colours[key],
            "name": tours[0].coach.name,
            "tours": [
                {
                    "line": _line_svg(colours[key], DAY_DASHES[day_index[t.day] % len(DAY_DASHES)]),
                    "day": date_short_de(t.day),
                    "visits": len(t.stops),
                    "start": clock(t.start),
                    "end": clock(t.end),
                    "driving": minutes_de(t.driving_min),
                    "van": t.with_van,
                }
                for t in tours
            ],
        }
        for key, tours in tours_by_coach.items()
    ]
    along_roads = roads is not None and roads.path is not None
    has_main_roads = roads is not None and bool(
        roads.main_roads and roads.main_roads.get("features")
    )
    symbols = {
        "home": _stop_svg(1, "#555555", VisitPlace.HOME)[0],
        "cafe": _stop_svg(1, "#555555", VisitPlace.CAFE)[0],
        "van": _stop_svg(1, "#555555", VisitPlace.VAN)[0],
        "office": _office_svg(),
        "unplanned": _unplanned_svg(),
        "route": _line_svg("#555555", DAY_DASHES[0], 26),
        "main_roads": _line_svg(MAIN_ROAD_COLOUR, "1 0", 26) if has_main_roads else None,
    }
    located = sum(1 for u in plan.unplanned if u.site is not None)
    return render(
        "map/legend.html.j2",
        title=title,
        coaches=coaches,
        symbols=symbols,
        line_note=ROAD_LINE_NOTE if along_roads else STRAIGHT_LINE_NOTE,
        unplanned=len(plan.unplanned),
        missing=len(plan.unplanned) - located,
        estimate=plan.travel_is_estimate,
        estimate_note=ESTIMATE_NOTE,
        travel_model=plan.travel_model,
        roads_source=roads.source if roads is not None and not along_roads else "",
        attribution=ATTRIBUTION,
        tiles_attribution=tiles_attribution,
    )
