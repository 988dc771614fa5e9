"""Load the team configuration (TOML with German keys) into a :class:`planner.model.Team`.

Format (complete, commented example: ``data/vorlage/team_vorlage.toml``)::

    standard_besuchsdauer_min = 60        # optional, 5-480, Standard 60

    [pause]                                # optional, § 4 ArbZG; nur strengere Werte
    nach_stunden = 6                       # Pause ab so vielen Arbeitsstunden (höchstens 6)
    minuten = 30                           # mindestens 30
    lang_nach_stunden = 9                  # höchstens 9
    lang_minuten = 45                      # mindestens 45

    [[buero]]                              # mindestens eins
    kennung = "wetzlar"                    # Pflicht, eindeutig
    name = "Jobcenter Wetzlar"             # optional (Standard: kennung)
    adresse = "…"                          # nötig, wenn breite/laenge fehlen
    breite = 50.5526                       # optional, beide oder keins
    laenge = 8.5042

    [[coach]]                              # mindestens einer
    kennung = "coach-a"                    # Pflicht, eindeutig
    name = "Anna Becker"                   # optional (Standard: kennung)
    buero = "wetzlar"                      # Pflicht bei mehreren Büros
    ziel_buero = "wetzlar"                 # optional (Standard: buero)
    arbeitszeit = "Mo-Do 08:00-16:30; Fr 08:00-13:00"   # Pflicht
    faehrt_beratungsmobil = true           # optional (Standard: false)
    abwesend = ["24.12.2026-01.01.2027", "15.12.2026"]  # optional: Urlaub, Tage oder Zeiträume

    [beratungsmobil]                       # optional
    name = "Beratungsmobil"
    buero = "wetzlar"                      # optional: Standort; leer = Büro des Coachs
    ruestzeit_min = 10
    tempo_faktor = 1.15

    [regionen]                             # optional; nur Gemeinden des Lahn-Dill-Kreises
    "Nord" = ["Haiger", "Dillenburg"]

    [treffpunkte]                          # optional: Gemeinde → Treffpunkt für Besuchsort Café
    Herborn = "Café Mittendrin, Hauptstraße 40, Herborn"

Every problem raises :class:`ConfigError` naming file, section and key. Unknown keys are
errors too (a typo such as ``arbeitzeit`` must not be ignored silently).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from planner import geodata
from planner.errors import ConfigError, PlannerError
from planner.intake.fields import (
    DAY_MIN,
    FieldError,
    fold,
    parse_availability,
    parse_date,
    validate_position,
    weekday_number,
)
from planner.model import BreakRule, Coach, Office, Team, Van
from planner.settings import DEFAULT_REGIONS

Resolver = Callable[[str], tuple[float, float]]

#: Longest plausible working day in the hours of a coach (ArbZG allows 10 h plus breaks).
MAX_WORKDAY_MIN = 12 * 60

#: § 4 ArbZG: at least 30 min break after at most 6 h of work, 45 min after at most 9 h.
#: A team file may be stricter (longer breaks, earlier), never laxer.
LEGAL_BREAKS = BreakRule(after_min=6 * 60, break_min=30, long_after_min=9 * 60, long_break_min=45)

_TOP_KEYS = (
    "standard_besuchsdauer_min", "pause", "buero", "coach", "beratungsmobil", "regionen",
    "treffpunkte",
    "server",  # own OSRM / Nominatim / Photon, read by planner.roads.servers
)  # fmt: skip
_PAUSE_KEYS = ("nach_stunden", "minuten", "lang_nach_stunden", "lang_minuten")
_OFFICE_KEYS = ("kennung", "name", "adresse", "breite", "laenge")
_COACH_KEYS = (
    "kennung", "name", "buero", "ziel_buero", "arbeitszeit", "faehrt_beratungsmobil", "abwesend",
    "regionstage", "regionstage_fest",
)  # fmt: skip
_VAN_KEYS = ("name", "buero", "ruestzeit_min", "tempo_faktor")


def load_team(path: Path | str, *, resolve_address: Resolver | None = None) -> Team:
    """Read and validate a team TOML file.

    Offices given only by ``adresse`` are located with ``resolve_address`` (address →
    (lat, lon)); without a resolver they need ``breite`` and ``laenge``.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Die Teamdatei „{path}“ gibt es nicht.") from None
    except OSError as exc:
        raise ConfigError(
            f"Die Teamdatei „{path}“ lässt sich nicht lesen ({exc.strerror})."
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # saved by an old Windows editor
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: {_toml_error(str(exc))}") from exc
    return parse_team(data, path.name, resolve_address=resolve_address)


def _toml_error(detail: str) -> str:
    """German wrapper around tomllib's English message, with line and column."""
    where = re.search(r"at line (\d+), column (\d+)", detail)
    location = f" in Zeile {where[1]}, Spalte {where[2]}" if where else ""
    return (
        f"Die Datei ist kein gültiges TOML{location} ({detail}). Häufige Ursachen: Text ohne "
        "Anführungszeichen, fehlendes „=“, ein Schlüssel doppelt im selben Abschnitt."
    )


def parse_team(
    data: Mapping[str, Any], source: str = "team.toml", *, resolve_address: Resolver | None = None
) -> Team:
    """Validate parsed TOML data (pure apart from ``resolve_address``)."""
    top = _Section(source, "Dateianfang", data)
    top.check_keys(_TOP_KEYS)
    default_visit = top.integer("standard_besuchsdauer_min", 60, 5, 480)
    breaks = _breaks(top.table("pause"))

    offices = tuple(_office(s, resolve_address) for s in top.tables("buero", required=True))
    _unique(offices, "buero", top)
    office_keys = [o.key for o in offices]

    regions = _regions(top.table("regionen"))
    meeting_places = _meeting_places(top.table("treffpunkte"))
    region_names = [name for name, _ in regions or DEFAULT_REGIONS]
    coaches = tuple(
        _coach(s, office_keys, region_names) for s in top.tables("coach", required=True)
    )
    _unique(coaches, "coach", top)

    van_section = top.table("beratungsmobil")
    drivers = [c for c in coaches if c.drives_van]
    van: Van | None = None
    if van_section is not None:
        van = _van(van_section, office_keys)
        if not drivers:
            raise van_section.error(
                None,
                "Das Beratungsmobil ist eingetragen, aber kein Coach fährt es. Bitte bei "
                "mindestens einem Coach „faehrt_beratungsmobil = true“ setzen oder den Abschnitt "
                "[beratungsmobil] auskommentieren (dann werden keine Besuche im Mobil geplant).",
            )
    elif drivers:
        van = Van()  # a driver without a [beratungsmobil] section gets the defaults

    return Team(
        coaches=coaches,
        offices=offices,
        van=van,
        default_visit_min=default_visit,
        breaks=breaks,
        regions=regions,
        meeting_places=meeting_places,
    )


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class _Section:
    """One TOML table with typed getters that raise German ``ConfigError``s."""

    source: str
    label: str  # how the user finds the section, e.g. "[[coach]] Nr. 2"
    data: Mapping[str, Any]

    def error(self, key: str | None, text: str) -> ConfigError:
        where = f"{self.source}, {self.label}" + (f", Schlüssel „{key}“" if key else "")
        return ConfigError(f"{where}: {text}")

    def check_keys(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hint = (
                f"Meinten Sie „{close[0]}“?"
                if close
                else "Erlaubt sind: " + ", ".join(f"„{k}“" for k in allowed) + "."
            )
            raise self.error(key, f"unbekannter Schlüssel. {hint}")

    def string(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            if default is None:
                raise self.error(key, "fehlt, ist aber Pflicht.")
            return default
        if not isinstance(value, str):
            raise self.error(key, f"muss Text in Anführungszeichen sein, nicht {value!r}.")
        value = value.strip()
        if not value and default is None:
            raise self.error(key, "ist leer, ist aber Pflicht.")
        return value

    def number(self, key: str, default: float | None, low: float, high: float) -> float | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(
                key, f"muss eine Zahl ohne Anführungszeichen sein (Dezimalpunkt), nicht {value!r}."
            )
        if not low <= value <= high:
            raise self.error(key, f"{value} liegt nicht zwischen {low:g} und {high:g}.")
        return float(value)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.number(key, default, low, high)
        assert value is not None
        if not float(value).is_integer():
            raise self.error(key, f"muss eine ganze Zahl sein, nicht {value:g}.")
        return int(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(
                key, f"muss true oder false sein (ohne Anführungszeichen), nicht {value!r}."
            )
        return value

    def table(self, key: str) -> _Section | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(
                key, f"muss ein Abschnitt [{key}] sein (mit einfachen eckigen Klammern)."
            )
        return _Section(self.source, f"[{key}]", value)

    def tables(self, key: str, *, required: bool) -> list[_Section]:
        value = self.data.get(key)
        if value is None or value == []:
            if required:
                raise self.error(
                    None, f"Es fehlt ein Abschnitt [[{key}]]; mindestens einer ist nötig."
                )
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(
                key,
                f"bitte als [[{key}]] mit doppelten eckigen Klammern schreiben "
                "(ein Abschnitt je Eintrag).",
            )
        return [
            _Section(self.source, f"[[{key}]] Nr. {i}", v) for i, v in enumerate(value, start=1)
        ]


def _unique(items: Sequence[Office | Coach], kind: str, top: _Section) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        key = item.key.casefold()
        if key in seen:
            raise ConfigError(
                f"{top.source}, [[{kind}]] Nr. {index}, Schlüssel „kennung“: „{item.key}“ kommt "
                f"mehrfach vor; jede kennung darf es nur einmal geben."
            )
        seen.add(key)


# --------------------------------------------------------------------------- parts


def _named(section: _Section) -> _Section:
    """Add the entry's kennung to its label so messages point at the right block."""
    key = section.data.get("kennung")
    if not isinstance(key, str) or not key.strip():
        return section
    return _Section(section.source, f"{section.label} („{key.strip()}“)", section.data)


def _breaks(section: _Section | None) -> BreakRule:
    if section is None:
        return BreakRule()
    section.check_keys(_PAUSE_KEYS)
    default = BreakRule()
    after = section.number("nach_stunden", default.after_min / 60, 1, 12)
    long_after = section.number("lang_nach_stunden", default.long_after_min / 60, 1, 14)
    assert after is not None and long_after is not None
    rule = BreakRule(
        after_min=round(after * 60),
        break_min=section.integer("minuten", default.break_min, 0, 120),
        long_after_min=round(long_after * 60),
        long_break_min=section.integer("lang_minuten", default.long_break_min, 0, 180),
    )
    legal = LEGAL_BREAKS
    # The law first, so "lang_minuten = 15" names the legal minimum, not "minuten".
    # Hours are compared before rounding to minutes, so 6.001 is not taken for 6.
    for key, hours, limit, minimum in (
        ("nach_stunden", after, legal.after_min, legal.break_min),
        ("lang_nach_stunden", long_after, legal.long_after_min, legal.long_break_min),
    ):
        if hours * 60 > limit:
            raise section.error(
                key,
                f"{_hours_de(hours)} Stunden ohne Pause erlaubt § 4 ArbZG nicht: nach höchstens "
                f"{limit // 60} Stunden Arbeit ist eine Pause von mindestens {minimum} Minuten "
                f"nötig. Erlaubt sind höchstens {limit // 60} Stunden.",
            )
    for key, minutes, minimum, hours_limit in (
        ("minuten", rule.break_min, legal.break_min, legal.after_min),
        ("lang_minuten", rule.long_break_min, legal.long_break_min, legal.long_after_min),
    ):
        if minutes < minimum:
            raise section.error(
                key,
                f"{minutes} Minuten Pause sind weniger als § 4 ArbZG verlangt: mindestens "
                f"{minimum} Minuten nach höchstens {hours_limit // 60} Stunden Arbeit. "
                f"Erlaubt sind {minimum} Minuten oder mehr.",
            )
    if rule.long_after_min <= rule.after_min:
        raise section.error("lang_nach_stunden", "muss größer sein als „nach_stunden“.")
    if rule.long_break_min < rule.break_min:
        raise section.error("lang_minuten", "darf nicht kleiner sein als „minuten“.")
    return rule


def _hours_de(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def _office(section: _Section, resolve_address: Resolver | None) -> Office:
    section = _named(section)
    section.check_keys(_OFFICE_KEYS)
    key = section.string("kennung")
    address = section.string("adresse", "")
    lat = section.number("breite", None, -90, 90)
    lon = section.number("laenge", None, -180, 180)
    if (lat is None) != (lon is None):
        missing = "laenge" if lon is None else "breite"
        raise section.error(
            missing, "fehlt; bitte „breite“ und „laenge“ beide angeben oder beide weglassen."
        )
    if lat is None or lon is None:
        if not address:
            raise section.error(None, "Bitte „breite“ und „laenge“ oder eine „adresse“ angeben.")
        if resolve_address is None:
            raise section.error(
                "adresse",
                "kann hier nicht in Koordinaten umgerechnet werden (keine Adresssuche "
                "eingerichtet). Bitte „breite“ und „laenge“ eintragen, z. B. breite = 50.5526.",
            )
        try:
            lat, lon = resolve_address(address)
        except (PlannerError, ValueError, LookupError, OSError) as exc:
            raise section.error("adresse", f"„{address}“ wurde nicht gefunden ({exc}).") from exc
    try:
        lat, lon = validate_position(lat, lon)
    except FieldError as err:
        raise section.error(err.field, err.full) from None
    return Office(
        key=key, name=section.string("name", key) or key, lat=lat, lon=lon, address=address
    )


def _coach(section: _Section, office_keys: list[str], region_names: Sequence[str]) -> Coach:
    section = _named(section)
    section.check_keys(_COACH_KEYS)
    key = section.string("kennung")
    only_office = office_keys[0] if len(office_keys) == 1 else None
    office = section.string("buero", only_office)
    end_office = section.string("ziel_buero", office) or office
    for name, value in (("buero", office), ("ziel_buero", end_office)):
        if value not in office_keys:
            raise section.error(
                name,
                f"Büro „{value}“ gibt es nicht. Bekannt sind: "
                + ", ".join(f"„{k}“" for k in office_keys)
                + " (kennung aus einem [[buero]]-Abschnitt).",
            )
    return Coach(
        key=key,
        name=section.string("name", key) or key,
        office=office,
        end_office=end_office,
        hours=_hours(section),
        drives_van=section.boolean("faehrt_beratungsmobil", False),
        absent=_absences(section),
        region_days=_region_days(section, region_names),
        region_days_fixed=section.boolean("regionstage_fest", False),
    )


def _region_days(section: _Section, region_names: Sequence[str]) -> tuple[tuple[int, str], ...]:
    """``regionstage = { Di = "Dill-Nord", Do = "Lahn-Süd" }``: weekday → region."""
    frame = section.table("regionstage")
    if frame is None:
        return ()
    known = {name.casefold(): name for name in region_names}
    days: dict[int, str] = {}
    for day_text, region in frame.data.items():
        weekday = weekday_number(day_text)
        if weekday is None:
            raise section.error(
                "regionstage",
                f"„{day_text}“ ist kein Wochentag; bitte Mo, Di, Mi, Do, Fr, Sa oder So.",
            )
        name = known.get(region.strip().casefold()) if isinstance(region, str) else None
        if name is None:
            raise section.error(
                "regionstage",
                f"Region „{region}“ gibt es nicht. Bekannt sind: "
                + ", ".join(f"„{n}“" for n in region_names)
                + " (Standard oder [regionen] der Teamdatei).",
            )
        if weekday in days:
            raise section.error("regionstage", f"„{day_text}“ steht doppelt.")
        days[weekday] = name
    return tuple(sorted(days.items()))


def _hours(section: _Section) -> tuple[tuple[int, int, int], ...]:
    """``arbeitszeit`` → ((weekday, start, end), …), one span per working day."""
    text = section.string("arbeitszeit")
    try:
        windows = parse_availability(text)
    except FieldError as err:
        raise section.error("arbeitszeit", err.full) from None
    days: dict[int, tuple[int, int]] = {}
    for window in windows:
        if window.start == 0 and window.end == DAY_MIN:
            raise section.error(
                "arbeitszeit", f"„{text}“ nennt Tage ohne Uhrzeit. Beispiel: „Mo-Fr 08:00-16:00“."
            )
        if window.weekday in days:
            raise section.error(
                "arbeitszeit",
                f"„{text}“ nennt für einen Tag mehrere Zeiträume. Bitte pro Tag nur Beginn und "
                "Ende angeben; Pausen plant der Planer selbst ein.",
            )
        if window.end - window.start > MAX_WORKDAY_MIN:
            raise section.error(
                "arbeitszeit", f"„{text}“ enthält einen Arbeitstag von mehr als 12 Stunden."
            )
        days[window.weekday] = (window.start, window.end)
    return tuple((day, start, end) for day, (start, end) in sorted(days.items()))


_ABSENCE_HINT = (
    "Erwartet wird ein Tag wie „15.12.2026“ oder ein Zeitraum wie „24.12.2026-01.01.2027“."
)

#: ``first-last`` with the second date in German form, so ISO single dates (with their
#: own dashes) are not taken for ranges.
_RANGE = re.compile(r"\s*(?P<first>\S.*?)\s*(?:-|–|—|\bbis\b)\s*(?P<last>\d{1,2}\s*\..*?)\s*")


def _absences(section: _Section) -> tuple[tuple[date, date], ...]:
    """``abwesend`` → ((first, last), …); single days become one-day ranges."""
    value = section.data.get("abwesend", [])
    if isinstance(value, str | date):
        value = [value]  # a single entry without brackets is unambiguous
    if not isinstance(value, list):
        raise section.error(
            "abwesend", 'muss eine Liste sein, z. B. ["24.12.2026-01.01.2027", "15.12.2026"].'
        )
    spans: list[tuple[date, date]] = []
    for entry in value:
        if isinstance(entry, date):  # a bare TOML date (2026-12-24) is fine too
            day = entry.date() if isinstance(entry, datetime) else entry
            spans.append((day, day))
            continue
        if not isinstance(entry, str) or not entry.strip():
            raise section.error(
                "abwesend",
                f"Eintrag {entry!r} ist kein Datum in Anführungszeichen. {_ABSENCE_HINT}",
            )
        text = entry.strip()
        match = _RANGE.fullmatch(text)
        parts = (match["first"], match["last"]) if match else (text, text)
        try:
            first, last = (parse_date(part) for part in parts)
        except FieldError as err:
            raise section.error(
                "abwesend", f"Eintrag „{text}“: {err.text} {_ABSENCE_HINT}"
            ) from None
        assert first is not None and last is not None  # parts are never blank
        if last < first:
            raise section.error(
                "abwesend",
                f"Eintrag „{text}“: das Ende ({last:%d.%m.%Y}) liegt vor dem Beginn "
                f"({first:%d.%m.%Y}). Bitte als „Beginn-Ende“ schreiben.",
            )
        spans.append((first, last))
    return tuple(spans)


def _van(section: _Section, office_keys: list[str]) -> Van:
    section.check_keys(_VAN_KEYS)
    default = Van()
    office = section.string("buero", "")
    if office and office not in office_keys:
        raise section.error(
            "buero", f"Büro „{office}“ gibt es nicht. Bekannt sind: " + ", ".join(office_keys) + "."
        )
    factor = section.number("tempo_faktor", default.speed_factor, 0.5, 3.0)
    assert factor is not None
    return Van(
        name=section.string("name", default.name) or default.name,
        office=office,
        setup_min=section.integer("ruestzeit_min", default.setup_min, 0, 120),
        speed_factor=factor,
    )


def _municipality_key(name: str) -> str:
    """Comparison form: case, umlaut spelling (ü/ue, ß/ss), spaces and dashes ignored."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


@lru_cache(maxsize=1)
def _municipality_names() -> dict[str, str]:
    """Comparison key → official short name of the district's 23 municipalities."""
    names: dict[str, str] = {}
    for municipality in geodata.municipalities():
        names[_municipality_key(municipality.name_official)] = municipality.name
        names[_municipality_key(municipality.name)] = municipality.name
    return names


def _municipality(section: _Section, region: str, text: str) -> str:
    """The official name of a municipality as written in ``[regionen]``, or an error.

    Region lookup compares names exactly, so a typo would silently leave every client
    of that municipality "ohne Region".
    """
    names = _municipality_names()
    key = _municipality_key(text)
    if key in names:
        return names[key]
    best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=70)
    known = sorted(set(names.values()))
    hint = (
        f"meinten Sie „{names[best[0]]}“?"
        if best is not None
        else "bekannt sind: " + ", ".join(known) + " (Ortsteile zählen zu ihrer Gemeinde)."
    )
    raise section.error(region, f"„{text}“ ist keine Gemeinde des Lahn-Dill-Kreises – {hint}")


def _regions(section: _Section | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if section is None:
        return ()
    regions: list[tuple[str, tuple[str, ...]]] = []
    owner: dict[str, str] = {}
    for name, members in section.data.items():
        if (
            not isinstance(members, list)
            or not members
            or not all(isinstance(m, str) and m.strip() for m in members)
        ):
            raise section.error(
                name, 'muss eine Liste von Gemeinden sein, z. B. ["Haiger", "Dillenburg"].'
            )
        # Official spelling, so that "haiger" or "Huettenberg" match the geodata names.
        cleaned = tuple(_municipality(section, name, m.strip()) for m in members)
        for member in cleaned:
            previous = owner.setdefault(member, name)
            if previous != name:
                raise section.error(
                    name,
                    f"„{member}“ steht schon in der Region „{previous}“; jede Gemeinde nur einmal.",
                )
        regions.append((name, cleaned))
    return tuple(regions)


def _meeting_places(section: _Section | None) -> tuple[tuple[str, str], ...]:
    """``[treffpunkte]``: municipality → default meeting place for Besuchsort Café."""
    if section is None:
        return ()
    places: dict[str, str] = {}
    for name, place in section.data.items():
        if not isinstance(place, str) or not place.strip():
            raise section.error(
                name,
                "muss ein Ort oder eine Adresse in Anführungszeichen sein, z. B. "
                '"Café Mittendrin, Hauptstraße 40, Herborn".',
            )
        # Official spelling, so that the key matches the municipality of a geocoded address.
        municipality = _municipality(section, name, name.strip())
        if municipality in places:
            raise section.error(name, f"„{municipality}“ steht doppelt; jede Gemeinde nur einmal.")
        places[municipality] = " ".join(place.split())
    return tuple(places.items())
