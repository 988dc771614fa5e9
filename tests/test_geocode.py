"""Offline geocoding: text normalisation, the Lahn-Dill gazetteer and the client stage."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
from geopy.location import Location
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import geodata
from planner.errors import NetworkDisabled, OutsideDistrict, PlaceNotFound
from planner.geocode import (
    AmbiguousPlace,
    LahnDillGazetteer,
    PlaceResolver,
    Status,
    geocode_clients,
    resolve_office_address,
)
from planner.geocode.normalize import (
    PlaceReading,
    fold,
    name_key,
    normalize_street,
    parse_query,
    split_house_number,
    split_place,
)
from planner.model import Address, Client, Precision, Severity

VALIDATION = Path("/work/shared/data/lahn-dill/validation/geocoding_addresses.csv")
GAZ = LahnDillGazetteer()
DUPLICATES = ("Allendorf", "Altenkirchen", "Oberndorf", "Roth", "Seelbach")


def _raw(query: Any) -> dict[str, Any]:
    location = GAZ.geocode(query)
    assert isinstance(location, Location), (query, GAZ.explain(query))
    return location.raw  # type: ignore[no-any-return]


def _where(query: Any) -> tuple[str, str]:
    raw = _raw(query)
    return raw["municipality"], raw["ortsteil"]


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return geodata.distance_m(lat1, lon1, lat2, lon2)


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Roßbach", "Rossbach"),
        ("Übernthal", "Uebernthal"),
        ("Hüttenberg", "HUETTENBERG"),
        ("Eschenburg – Roth", "eschenburg-roth"),
        ("  Klein -  Altenstädten ", "klein-altenstaedten"),
        ("Driedorf, OT. Roth", "driedorf ot roth"),
    ],
)
def test_fold_equivalences(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_name_key_ignores_spaces_and_hyphens() -> None:
    assert name_key("Klein-Altenstädten") == name_key("Klein Altenstädten") == "kleinaltenstaedten"
    assert name_key("Kleinaltenstädten") == "kleinaltenstaedten"


@given(st.text(max_size=80))
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("Haiger-Dillbrecht", ("Haiger", "Dillbrecht")),
        ("Dillbrecht", ("", "Dillbrecht")),
        ("Driedorf OT Roth", ("Driedorf", "Roth")),
        ("Driedorf, OT Roth", ("Driedorf", "Roth")),
        ("Lahnau Waldgirmes", ("Lahnau", "Waldgirmes")),
        ("Wetzlar-Naunheim", ("Wetzlar", "Naunheim")),
        ("Wetzlar (Naunheim)", ("Wetzlar", "Naunheim")),
        ("35708 Haiger", ("", "Haiger")),
        ("Herborn/Seelbach", ("Herborn", "Seelbach")),
        ("Ortsteil Roth", ("", "Roth")),
        ("Eschenburg - Roth", ("Eschenburg", "Roth")),
        ("Wetzlar Silhöfer Aue/Westend", ("Wetzlar", "Silhöfer Aue/Westend")),
    ],
)
def test_split_place_offers_the_expected_reading(text: str, reading: tuple[str, str]) -> None:
    assert PlaceReading(*reading) in split_place(text)


@pytest.mark.parametrize("name", ["Klein-Altenstädten", "Silhöfer Aue/Westend", "Dillbrecht"])
def test_split_place_reads_one_name_first(name: str) -> None:
    assert split_place(name)[0] == PlaceReading("", name)


def test_split_place_ignores_postcode_and_admin_words() -> None:
    assert split_place("35708") == []
    assert split_place("Aßlar, Stadt")[0] == PlaceReading("", "Aßlar")
    assert split_place("Stadt Wetzlar")[0] == PlaceReading("", "Wetzlar")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hauptstr. 12a", ("Hauptstraße", "12a")),
        ("Herborner Str. 27", ("Herborner Straße", "27")),
        ("Hauptstr.12", ("Hauptstraße", "12")),
        ("Schelde Lahn Strasse 1", ("Schelde Lahn Straße", "1")),
        ("Sophienstraße 52-54", ("Sophienstraße", "52-54")),
        ("Am Leitz-Park 3", ("Am Leitz-Park", "3")),
        ("A45 Raststätte Katzenfurt Süd", ("A45 Raststätte Katzenfurt Süd", "")),
    ],
)
def test_split_house_number(text: str, expected: tuple[str, str]) -> None:
    assert split_house_number(text) == expected


def test_normalize_street() -> None:
    assert normalize_street("Hüttenstr.") == "Hüttenstraße"
    assert normalize_street("Bahnhofstr  3") == "Bahnhofstraße 3"
    assert normalize_street("Stoppelberger Hohl") == "Stoppelberger Hohl"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Hauptstr. 5, 35745 Herborn-Seelbach",
            Address("Hauptstr. 5", "35745", "Herborn-Seelbach"),
        ),
        ("35708 Haiger-Dillbrecht", Address("", "35708", "Haiger-Dillbrecht")),
        ("Driedorf, OT Roth", Address("", "", "Driedorf, OT Roth")),
        ("Hauptstr. 5 35745 Herborn", Address("Hauptstr. 5", "35745", "Herborn")),
        ("D-35708 Haiger, Deutschland", Address("", "35708", "Haiger")),
    ],
)
def test_parse_query(text: str, address: Address) -> None:
    assert parse_query(text) == address


# --------------------------------------------------------------------------- forms


@pytest.mark.parametrize(
    ("query", "municipality", "ortsteil"),
    [
        ("Haiger-Dillbrecht", "Haiger", "Dillbrecht"),
        ("Dillbrecht", "Haiger", "Dillbrecht"),
        ("Driedorf OT Roth", "Driedorf", "Roth"),
        ("Driedorf, OT Roth", "Driedorf", "Roth"),
        ("Lahnau Waldgirmes", "Lahnau", "Waldgirmes"),
        ("Wetzlar-Naunheim", "Wetzlar", "Naunheim"),
        ("Wetzlar (Naunheim)", "Wetzlar", "Naunheim"),
        ("35708 Haiger", "Haiger", ""),
        ("Herborn/Seelbach", "Herborn", "Seelbach"),
        ("Eschenburg - Roth", "Eschenburg", "Roth"),
        ("35713 Ortsteil Roth", "Eschenburg", "Roth"),
        ("35708 Haiger-Dillbrecht", "Haiger", "Dillbrecht"),
        ("Hauptstr. 5, 35745 Herborn-Seelbach", "Herborn", "Seelbach"),
        ("Klein-Altenstädten", "Aßlar", "Klein-Altenstädten"),
        ("Klein Altenstädten", "Aßlar", "Klein-Altenstädten"),
        ("Kleinaltenstädten", "Aßlar", "Klein-Altenstädten"),
        ("Aßlar-Klein-Altenstädten", "Aßlar", "Klein-Altenstädten"),
        ("Rossbach", "Bischoffen", "Roßbach"),
        ("Uebernthal", "Siegbach", "Übernthal"),
        ("Wetzlar-Stadt", "Wetzlar", "Wetzlar"),
        ("Herborn (Kernstadt)", "Herborn", "Herborn"),
        ("Silhöfer Aue/Westend", "Wetzlar", "Silhöfer Aue/Westend"),
        ("Wetzlar Westend", "Wetzlar", "Silhöfer Aue/Westend"),
        ("Nauborner Straße 12, Wetzlar", "Wetzlar", "Nauborner Straße"),  # quarter named so
        ("Aßlar, Stadt", "Aßlar", ""),
        ("Dillenburg, Oranienstadt", "Dillenburg", ""),
        ("Offenbach", "Mittenaar", "Offenbach"),  # the village, not Offenbach am Main
        ({"city": "Haiger", "district": "Dillbrecht"}, "Haiger", "Dillbrecht"),
        ({"city": "Roth", "district": "Driedorf"}, "Driedorf", "Roth"),  # columns swapped
        ({"district": "OT Seelbach", "postalcode": "35745"}, "Herborn", "Seelbach"),
        (Address(place="Haiger", district="Haiger"), "Haiger", "Haiger"),
    ],
)
def test_forms(query: Any, municipality: str, ortsteil: str) -> None:
    assert _where(query) == (municipality, ortsteil)


def test_exact_ortsteil_result_is_confident_and_clean() -> None:
    raw = _raw("35708 Haiger-Dillbrecht")
    assert raw["precision"] == Precision.ORTSTEIL.value == "ortsteil"
    assert raw["confidence"] == 1.0
    assert raw["plz_matches"] is True
    assert raw["corrected_from"] is None
    assert raw["warnings"] == []
    assert raw["ags"] == "06532011"
    assert _raw("Dillbrecht")["plz_matches"] is None


# --------------------------------------------------------------------------- duplicates


def _duplicate_places() -> list[geodata.Place]:
    return [p for p in geodata.places() if p.name in DUPLICATES]


@pytest.mark.parametrize("place", _duplicate_places(), ids=lambda p: f"{p.name}-{p.municipality}")
def test_duplicate_resolved_by_municipality_or_plz(place: geodata.Place) -> None:
    expected = (place.municipality, place.name)
    assert _where(f"{place.municipality}-{place.name}") == expected
    assert _where(f"{place.name} ({place.municipality})") == expected
    assert _where(f"{place.plz} {place.name}") == expected
    assert _where({"city": place.name, "postalcode": place.plz}) == expected
    assert _where({"city": place.municipality, "district": place.name}) == expected
    assert _where({"district": place.name, "postalcode": place.plz}) == expected


@pytest.mark.parametrize("name", DUPLICATES)
def test_duplicate_without_municipality_or_plz_is_refused(name: str) -> None:
    assert GAZ.geocode(name) is None
    resolution = GAZ.resolve(Address(place=name))
    assert resolution.status is Status.AMBIGUOUS
    assert resolution.reason is not None and "mehrdeutig" in resolution.reason.text
    with pytest.raises(AmbiguousPlace):
        resolution.unwrap()
    locations = GAZ.geocode(name, exactly_one=False)
    assert isinstance(locations, list) and len(locations) == 2
    owners = {p.municipality for p in geodata.places() if p.name == name}
    assert {loc.raw["municipality"] for loc in locations} == owners
    for loc in locations:
        assert loc.raw["confidence"] <= 0.5
        assert any("mehrdeutig" in w for w in loc.raw["warnings"])
        assert loc.raw["status"] == "ambiguous"


def test_duplicate_with_plz_of_neither_stays_ambiguous() -> None:
    resolution = GAZ.resolve(Address(place="Roth", postcode="35745"))
    assert resolution.status is Status.AMBIGUOUS
    assert resolution.reason is not None and "PLZ 35745" in resolution.reason.text


# --------------------------------------------------------------------------- typos


@pytest.mark.parametrize(
    ("typo", "name"),
    [("Dilbrecht", "Dillbrecht"), ("Weidenhusen", "Weidenhausen"), ("Hörbch", "Hörbach")],
)
def test_typo_corrected_with_warning(typo: str, name: str) -> None:
    raw = _raw(typo)
    assert raw["ortsteil"] == name
    assert raw["corrected_from"] == typo
    assert 0 < raw["confidence"] < 1
    assert f"Schreibweise korrigiert: „{typo}“ → „{name}“" in raw["warnings"]


def test_typo_in_municipality_and_ortsteil_column() -> None:
    assert _where("Huttenberg-Weidenhausen") == ("Hüttenberg", "Weidenhausen")
    raw = _raw({"city": "Haiger", "district": "Dilbrecht"})
    assert raw["ortsteil"] == "Dillbrecht" and raw["corrected_from"] == "Dilbrecht"


def _one_edit_variants(key: str) -> set[str]:
    deletions = {key[:i] + key[i + 1 :] for i in range(len(key))}
    swaps = {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}
    return (deletions | swaps) - {key}


def test_one_edit_typos_never_land_in_another_village() -> None:
    """Every one-letter typo of every name resolves to that name, or is refused."""
    places = geodata.places()
    for place in places:
        key = name_key(place.name)
        if len(key) < 6:
            continue
        same = {(p.municipality, p.name) for p in places if name_key(p.name) == key}
        for variant in _one_edit_variants(key):
            location = GAZ.geocode(variant)
            if location is None:
                continue
            got = (location.raw["municipality"], location.raw["ortsteil"])
            municipality_only = location.raw["ortsteil"] == "" and got[0] == place.municipality
            assert got in same or municipality_only, (place.name, variant, got)


@pytest.mark.parametrize("name", ["Breidenbach", "Wettenberg", "Heuchelheim", "Lollar", "Hanau"])
def test_outside_names_close_to_district_names_are_not_corrected(name: str) -> None:
    assert GAZ.geocode(name) is None
    assert GAZ.resolve(Address(place=name)).status is Status.OUTSIDE


def test_short_names_are_not_fuzzy_matched() -> None:
    assert GAZ.geocode("Rot") is None
    assert GAZ.geocode("Rothe") is None  # two edits from nothing, one from nothing short


# --------------------------------------------------------------------------- outside


@pytest.mark.parametrize(
    "query",
    [
        "Gießen",
        "Giessen",
        "Frankfurt am Main",
        "Siegen",
        "Marburg",
        "35390",
        "35390 Gießen",
        "Gießen-Kleinlinden",
        {"city": "Marburg", "postalcode": "35037"},
    ],
)
def test_outside_district_rejected(query: Any) -> None:
    assert GAZ.geocode(query) is None
    assert GAZ.geocode(query, exactly_one=False) is None
    resolution = GAZ.resolve(
        parse_query(query)
        if isinstance(query, str)
        else Address(place=query["city"], postcode=query["postalcode"])
    )
    assert resolution.status is Status.OUTSIDE
    assert "liegt nicht im Lahn-Dill-Kreis" in GAZ.explain(query)
    with pytest.raises(OutsideDistrict):
        resolution.unwrap()


def test_not_found_explained() -> None:
    assert GAZ.geocode("Xyzdorf") is None
    resolution = GAZ.resolve(Address(place="Xyzdorf"))
    assert resolution.status is Status.NOT_FOUND
    assert GAZ.explain("Xyzdorf") == (
        "Ort „Xyzdorf“ nicht gefunden – bitte Schreibweise prüfen oder Breite/Länge angeben."
    )
    with pytest.raises(PlaceNotFound):
        resolution.unwrap()
    assert GAZ.resolve(Address()).status is Status.EMPTY


# --------------------------------------------------------------------------- PLZ


def test_plz_mismatch_warns_and_place_wins() -> None:
    raw = _raw("Herborn-Seelbach, 35708")
    assert (raw["municipality"], raw["ortsteil"]) == ("Herborn", "Seelbach")
    assert raw["plz_matches"] is False
    assert raw["confidence"] < 1
    assert any(w.startswith("PLZ 35708 passt nicht zu Ort") for w in raw["warnings"])


def test_plz_outside_district_with_place_inside() -> None:
    raw = _raw("Dillbrecht, 35390")
    assert raw["ortsteil"] == "Dillbrecht" and raw["plz_matches"] is False
    assert any("PLZ 35390 passt nicht zu Ort" in w for w in raw["warnings"])


def test_any_wetzlar_plz_fits_a_wetzlar_place() -> None:
    raw = _raw("35576 Wetzlar-Naunheim")
    assert raw["plz_matches"] is True and raw["warnings"] == []


def test_plz_alone_gives_the_municipality() -> None:
    raw = _raw("35708")
    assert (raw["municipality"], raw["precision"]) == ("Haiger", "gemeinde")
    location = GAZ.geocode("35584")
    assert location is not None and location.raw["municipality"] == "Wetzlar"
    centroid = next(p for p in geodata.postcodes() if p.plz == "35584")
    assert (location.latitude, location.longitude) == (centroid.lat, centroid.lon)


def test_invalid_plz_is_ignored_with_warning() -> None:
    raw = _raw({"city": "Haiger-Dillbrecht", "postalcode": "3570"})
    assert raw["ortsteil"] == "Dillbrecht" and raw["plz_matches"] is None
    assert any("keine gültige" in w for w in raw["warnings"])


def test_unknown_place_with_plz_falls_back_to_plz() -> None:
    raw = _raw("Xyzdorf, 35708")
    assert (raw["municipality"], raw["precision"]) == ("Haiger", "gemeinde")
    assert any("„Xyzdorf“ nicht gefunden" in w for w in raw["warnings"])


# --------------------------------------------------------------------------- municipality level


def test_unknown_ortsteil_falls_back_to_municipality() -> None:
    raw = _raw("Haiger-Xyzdorf")
    assert (raw["municipality"], raw["ortsteil"], raw["precision"]) == ("Haiger", "", "gemeinde")
    assert (
        "Ortsteil „Xyzdorf“ unbekannt – Position nur auf Gemeindeebene (Haiger)." in raw["warnings"]
    )
    haiger = geodata.municipality_by_ags()["06532011"]
    location = GAZ.geocode("Haiger-Xyzdorf")
    assert location is not None and (location.latitude, location.longitude) == (
        haiger.lat,
        haiger.lon,
    )


def test_unknown_ortsteil_column() -> None:
    raw = _raw({"city": "Haiger", "district": "Xyzdorf"})
    assert raw["precision"] == "gemeinde"
    assert any(w.startswith("Ortsteil „Xyzdorf“ unbekannt") for w in raw["warnings"])


def test_hochelheim_is_known_at_municipality_level() -> None:
    for query in ("Hochelheim", "Hüttenberg-Hochelheim", "35625 Hochelheim"):
        raw = _raw(query)
        assert (raw["municipality"], raw["precision"]) == ("Hüttenberg", "gemeinde")
        assert raw["warnings"]


def test_ortsteil_of_another_municipality() -> None:
    raw = _raw("Herborn-Dillbrecht")
    assert (raw["municipality"], raw["precision"]) == ("Herborn", "gemeinde")
    assert any("gehört nicht zu Herborn, sondern zu Haiger" in w for w in raw["warnings"])
    # The PLZ backs the Ortsteil: the village wins, with a warning.
    raw = _raw("Herborn-Dillbrecht, 35708")
    assert (raw["municipality"], raw["ortsteil"]) == ("Haiger", "Dillbrecht")
    assert raw["warnings"]


def test_bare_municipality_warns_about_precision() -> None:
    raw = _raw("Lahnau")
    assert (raw["ortsteil"], raw["precision"]) == ("", "gemeinde")
    assert raw["warnings"] == ["Kein Ortsteil angegeben – Position nur auf Gemeindeebene (Lahnau)."]


# --------------------------------------------------------------------------- reverse


def test_reverse() -> None:
    dillbrecht = next(p for p in geodata.places() if p.name == "Dillbrecht")
    location = GAZ.reverse((dillbrecht.lat + 0.001, dillbrecht.lon))
    assert isinstance(location, Location) and location.raw["ortsteil"] == "Dillbrecht"
    assert GAZ.reverse("50.5841, 8.6784") is None  # Gießen
    nearby = GAZ.reverse((dillbrecht.lat, dillbrecht.lon), exactly_one=False)
    assert isinstance(nearby, list) and all(loc.raw["municipality"] == "Haiger" for loc in nearby)


def test_gazetteer_has_no_network() -> None:
    with pytest.raises(NetworkDisabled):
        GAZ._call_geocoder("https://nominatim.openstreetmap.org/search?q=Haiger", lambda x: x)
    assert isinstance(GAZ, PlaceResolver)


# --------------------------------------------------------------------------- validation set


def _validation_rows() -> list[dict[str, str]]:
    if not VALIDATION.is_file():
        return []
    with VALIDATION.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.skipif(not VALIDATION.is_file(), reason="validation addresses absent")
def test_validation_addresses_within_3_km() -> None:
    rows = _validation_rows()
    assert len(rows) == 14
    for row in rows:
        street = " ".join(p for p in (row["street"], row["housenumber"]) if p)
        for query in (
            {"street": street, "postalcode": row["postcode"], "city": row["city"]},
            f"{street}, {row['postcode']} {row['city']}",
        ):
            location = GAZ.geocode(query)
            assert location is not None, query
            assert location.raw["precision"] in ("ortsteil", "gemeinde")
            distance = _distance_m(
                location.latitude, location.longitude, float(row["lat"]), float(row["lon"])
            )
            assert distance < 3000, (query, round(distance))


# --------------------------------------------------------------------------- properties

_FOLD_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


@st.composite
def _written_place(draw: st.DrawFn) -> tuple[geodata.Place, str]:
    place = draw(st.sampled_from(geodata.places()))
    text = f"{place.municipality}\x00{place.name}"
    if draw(st.booleans()):
        text = text.translate(_FOLD_UMLAUTS)
    case = draw(st.sampled_from(["keep", "lower", "upper", "title", "random"]))
    if case == "random":
        flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        text = "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True))
    elif case != "keep":
        text = getattr(text, case)()
    # Inside a name: a space may become a hyphen and vice versa.
    if draw(st.booleans()):
        text = text.replace(" ", "-") if draw(st.booleans()) else text.replace("-", " ")
    separator = draw(st.sampled_from(["-", " ", " - ", " – ", ", ", "/", " OT ", "  "]))
    pad = draw(st.sampled_from(["", " ", "   "]))
    return place, pad + text.replace("\x00", separator) + pad


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_written_place())
def test_any_writing_of_municipality_and_ortsteil_resolves(
    written: tuple[geodata.Place, str],
) -> None:
    place, text = written
    assert _where(text) == (place.municipality, place.name), text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_geocode_never_raises_on_arbitrary_text(text: str) -> None:
    result = GAZ.geocode(text)
    assert result is None or isinstance(result, Location)
    many = GAZ.geocode(text, exactly_one=False)
    assert many is None or (isinstance(many, list) and all(isinstance(x, Location) for x in many))
    assert isinstance(GAZ.explain(text), str)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "street": st.text(max_size=30),
            "postalcode": st.one_of(st.text(max_size=7), st.from_regex(r"\A35[5-7]\d\d\Z")),
            "city": st.text(max_size=30),
            "district": st.text(max_size=30),
        },
    )
)
def test_geocode_never_raises_on_arbitrary_structured_query(query: dict[str, str]) -> None:
    result = GAZ.geocode(query)
    assert result is None or isinstance(result, Location)
    if result is not None:
        assert geodata.contains(result.latitude, result.longitude)


# --------------------------------------------------------------------------- client stage


def _client(
    row: int,
    place: str = "",
    postcode: str = "",
    district: str = "",
    manual: tuple[float, float] | None = None,
) -> Client:
    return Client(
        id=f"K{row:03d}",
        row=row,
        address=Address(street="Hauptstr. 1", postcode=postcode, place=place, district=district),
        manual_position=manual,
    )


def test_geocode_clients_keeps_order_and_reports_messages() -> None:
    clients = [
        _client(2, "Haiger", "35708", "Dillbrecht"),
        _client(3, "Gießen", "35390"),
        _client(4, "Xyzdorf"),
        _client(5, "Dilbrecht"),
        _client(6, "Roth"),
        _client(7, "Herborn-Seelbach", "35708"),
        _client(8, "Haiger", district="Xyzdorf"),
    ]
    result = geocode_clients(clients, source="kunden.xlsx")
    assert [g.client.id for g in result] == [c.id for c in clients]

    ok = result[0]
    assert ok.site is not None and ok.messages == ()
    assert (ok.site.municipality, ok.site.ortsteil, ok.site.precision) == (
        "Haiger",
        "Dillbrecht",
        Precision.ORTSTEIL,
    )
    assert ok.site.region == ""

    outside = result[1]
    assert outside.site is None
    (msg,) = outside.messages
    assert msg.severity is Severity.ERROR
    assert msg.text.startswith("Ort „Gießen“ liegt nicht im Lahn-Dill-Kreis")
    assert msg.text.endswith("Kunde kann nicht eingeplant werden. Bitte Adresse prüfen.")
    assert (msg.file, msg.row, msg.field, msg.client_id) == ("kunden.xlsx", 3, "Ort", "K003")

    (msg,) = result[2].messages
    assert result[2].site is None and msg.severity is Severity.ERROR
    assert msg.text == (
        "Ort „Xyzdorf“ nicht gefunden – bitte Schreibweise prüfen oder Breite/Länge angeben."
    )

    (msg,) = result[3].messages
    assert result[3].site is not None and msg.severity is Severity.WARNING
    assert msg.text == "Schreibweise korrigiert: „Dilbrecht“ → „Dillbrecht“" and msg.field == "Ort"

    (msg,) = result[4].messages
    assert result[4].site is None and msg.severity is Severity.ERROR and "mehrdeutig" in msg.text

    (msg,) = result[5].messages
    assert msg.severity is Severity.WARNING and msg.field == "PLZ"
    assert result[5].site is not None and result[5].site.municipality == "Herborn"

    (msg,) = result[6].messages
    assert msg.severity is Severity.WARNING and msg.field == "Ortsteil"
    assert result[6].site is not None and result[6].site.precision is Precision.MUNICIPALITY


def test_manual_position_wins() -> None:
    (g,) = geocode_clients([_client(2, "Gießen", manual=(50.7420, 8.2040))])
    assert g.site is not None
    assert (g.site.precision, g.site.municipality, g.site.ags) == (
        Precision.MANUAL,
        "Haiger",
        "06532011",
    )
    assert (g.site.lat, g.site.lon) == (50.7420, 8.2040)
    assert g.messages == ()


def test_manual_position_far_from_address_is_flagged() -> None:
    (g,) = geocode_clients([_client(2, "Wetzlar", manual=(50.7420, 8.2040))])
    assert g.site is not None and g.site.precision is Precision.MANUAL
    (msg,) = g.messages
    assert msg.severity is Severity.WARNING and msg.field == "Breite/Länge"


def test_manual_position_outside_is_an_error() -> None:
    (g,) = geocode_clients([_client(2, "Haiger", manual=(8.2040, 50.7420))], source="k.csv")
    assert g.site is None
    (msg,) = g.messages
    assert msg.severity is Severity.ERROR and msg.field == "Breite/Länge" and msg.row == 2
    assert "vertauscht" in msg.text


def test_resolve_office_address() -> None:
    lat, lon = resolve_office_address("Karl-Kellner-Ring 50, 35576 Wetzlar")
    assert geodata.municipality_at(lat, lon) == geodata.municipality_by_ags()["06532023"]
    with pytest.raises(OutsideDistrict):
        resolve_office_address("Bahnhofstraße 1, 35390 Gießen")
    assert not math.isnan(lat)
