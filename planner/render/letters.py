"""Announcement letters (Ankündigungsschreiben) as PDF, one per person.

The job centre edits the wording: the template is Jinja2 HTML, by default
``resources/templates/letters/ankuendigung.html.j2``; a file of the same name in the
folder ``vorlagen/`` beside the team file replaces it. The sender and the coaches' phone
numbers (the letter says whom to call to move or decline the visit) come from
``vorlagen/briefe.toml`` there. Templates run sandboxed and autoescaped: a template
may format the letter, not reach into the program, and client text stays text.

A letter carries name and address, so it is social data (§ 35 SGB I): the callers
refuse to write letters unless names were asked for (``--namen``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2
import jinja2.sandbox

from planner.errors import ConfigError
from planner.model import WEEKDAYS_LONG_DE, Client, Coach, Office, Site, Tour, VisitPlace
from planner.render._format import date_de, slug
from planner.render.pdf import html_to_pdf

TEMPLATE = "ankuendigung.html.j2"
SETTINGS = "briefe.toml"
FOLDER = "vorlagen"
NEEDS_NAMES = (
    "Ankündigungsschreiben enthalten Name und Anschrift – Sozialdaten (§ 35 SGB I). Bitte "
    "mit --namen ausdrücklich bestätigen, dass sie geschrieben werden sollen."
)
#: The letter names a window around the planned start: arrival is not exact.
WINDOW_HOURS = 2


@dataclass(frozen=True)
class LetterSettings:
    """Sender and phone numbers (``vorlagen/briefe.toml``) and where templates are."""

    folder: Path | None = None  # ``vorlagen/`` beside the team file (may not exist)
    sender: str = "Jobcenter Lahn-Dill"
    unit: str = "Beratung Mobil – aufsuchende Beratung"
    phone: str = ""  # the team's number, for coaches without their own
    coach_phones: Mapping[str, str] = field(default_factory=dict)

    def phone_of(self, coach: str) -> str:
        return self.coach_phones.get(coach, "") or self.phone


def letter_settings(team_file: Path) -> LetterSettings:
    """Read ``vorlagen/briefe.toml`` beside ``team_file`` (defaults when there is none)."""
    folder = Path(team_file).parent / FOLDER
    path = folder / SETTINGS
    if not path.is_file():
        return LetterSettings(folder=folder)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: keine gültige TOML-Datei ({exc}).") from exc
    known = {"absender", "abteilung", "telefon", "coach_telefon"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unbekannter Schlüssel „{unknown[0]}“. Erlaubt sind: "
            + ", ".join(f"„{k}“" for k in sorted(known))
            + "."
        )
    phones = data.get("coach_telefon", {})
    if not isinstance(phones, dict) or not all(isinstance(v, str) for v in phones.values()):
        raise ConfigError(f'{path}: [coach_telefon] braucht Zeilen wie anna = "06441 …".')
    defaults = LetterSettings()
    return LetterSettings(
        folder=folder,
        sender=str(data.get("absender", defaults.sender)),
        unit=str(data.get("abteilung", defaults.unit)),
        phone=str(data.get("telefon", "")),
        coach_phones={str(k): v for k, v in phones.items()},
    )


@dataclass(frozen=True)
class Announcement:
    """One proposed (or agreed) visit to announce by letter."""

    client: Client
    site: Site | None
    coach: Coach
    office: Office
    start: datetime
    duration_min: int
    with_van: bool = False
    stand: str = ""
    agreed: bool = False  # an appointment already agreed: the letter confirms it


def announcements_of(tours: Sequence[Tour]) -> list[Announcement]:
    """Every planned visit of the tours as an announcement (``planner plan --briefe``)."""
    found: list[Announcement] = []
    for tour in sorted(tours, key=lambda t: (t.day, t.coach.name, t.start)):
        for stop in tour.stops:
            found.append(
                Announcement(
                    stop.visit.client, stop.visit.site, tour.coach, tour.start_office,
                    stop.start, stop.visit.duration_min, tour.with_van, stop.visit.stand,
                    agreed=stop.visit.client.appointment is not None,
                )
            )  # fmt: skip
    return found


def missing_phones(coaches: Iterable[Coach], settings: LetterSettings) -> list[str]:
    """Coaches (names) whose letters would have no number to call."""
    return sorted({c.name for c in coaches if not settings.phone_of(c.key)})


def check_phones(coaches: Iterable[Coach], settings: LetterSettings) -> None:
    """Refuse (German) when a letter could not say whom to call."""
    missing = missing_phones(coaches, settings)
    if missing:
        where = (settings.folder / SETTINGS) if settings.folder else Path(FOLDER) / SETTINGS
        raise ConfigError(
            f"Für {', '.join(missing)} ist keine Telefonnummer eingetragen – das Schreiben "
            f"muss sagen, wo man den Besuch verschieben oder absagen kann. Bitte in {where} "
            "eintragen (Vorlage: docs/letters.md)."
        )


def letter_file_name(item: Announcement) -> str:
    return f"brief_{slug(item.client.id)}_{item.start.date().isoformat()}.pdf"


def write_letters(
    items: Sequence[Announcement],
    out_dir: Path,
    settings: LetterSettings,
    *,
    letter_date: date,
) -> list[Path]:
    """One PDF per announcement into ``out_dir``; returns the paths."""
    check_phones((item.coach for item in items), settings)
    template = check_template(settings)
    paths: list[Path] = []
    for item in items:
        try:
            html = template.render(**letter_context(item, settings, letter_date))
        except jinja2.TemplateError as exc:
            raise ConfigError(f"Briefvorlage {template_source(settings)}: {exc}") from exc
        paths.append(html_to_pdf(html, out_dir / letter_file_name(item)))
    return paths


def letter_html(item: Announcement, settings: LetterSettings, *, letter_date: date) -> str:
    """One letter as HTML (what the PDF is made of)."""
    return check_template(settings).render(**letter_context(item, settings, letter_date))


def check_template(settings: LetterSettings) -> jinja2.Template:
    """The letter template (the team's own, else the default), refused with the reason
    when it does not parse or uses a field that does not exist: checked once with sample
    values before anything is planned or stored."""
    loaders: list[jinja2.BaseLoader] = []
    if settings.folder is not None and (settings.folder / TEMPLATE).is_file():
        loaders.append(jinja2.FileSystemLoader(settings.folder))
    loaders.append(jinja2.PackageLoader("planner", "resources/templates/letters"))
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # names and addresses are untrusted text
        undefined=jinja2.StrictUndefined,  # a misspelt field fails instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        template = env.get_template(TEMPLATE)
        for agreed in (False, True):
            template.render(**{**_SAMPLE, "vereinbart": agreed})
    except jinja2.TemplateError as exc:
        where = template_source(settings)
        raise ConfigError(f"Briefvorlage {where} fehlerhaft: {exc}") from exc
    return template


def template_source(settings: LetterSettings) -> str:
    """Which template the letters use (for messages)."""
    if settings.folder is not None and (settings.folder / TEMPLATE).is_file():
        return str(settings.folder / TEMPLATE)
    return f"{TEMPLATE} (Standard)"


#: Every field a template may use, with a sample value (the check above).
_SAMPLE: dict[str, object] = {
    "kunden_nr": "K-1", "name": "Vorname Nachname", "strasse": "Straße 1", "ort": "35576 Ort",
    "datum": "01.01.2027", "tag": "Montag, 04.01.2027", "von": "10", "bis": "12",
    "dauer_min": 60, "vereinbart": False, "besuchsort": "bei Ihnen zu Hause",
    "coach": "Coach", "telefon": "0000", "absender": "Jobcenter", "abteilung": "Beratung Mobil",
    "buero": "Büro", "buero_adresse": "Adresse",
}  # fmt: skip


def letter_context(
    item: Announcement, settings: LetterSettings, letter_date: date
) -> dict[str, object]:
    """The fields a letter template can use (documented in docs/letters.md)."""
    client, office = item.client, item.office
    start_hour = item.start.replace(minute=0, second=0, microsecond=0)
    until = start_hour + timedelta(hours=WINDOW_HOURS)
    day = item.start.date()
    return {
        "kunden_nr": client.id,
        "name": client.name,
        "strasse": client.address.street,
        "ort": " ".join(p for p in (client.address.postcode, client.address.place) if p),
        "datum": date_de(letter_date),
        "tag": f"{WEEKDAYS_LONG_DE[day.weekday()]}, {date_de(day)}",
        "von": _hour(start_hour),
        "bis": _hour(until),
        "dauer_min": item.duration_min,
        "vereinbart": item.agreed,
        "besuchsort": _where(item),
        "coach": item.coach.name,
        "telefon": settings.phone_of(item.coach.key),
        "absender": settings.sender,
        "abteilung": settings.unit,
        "buero": office.name,
        "buero_adresse": office.address,
    }


def _hour(moment: datetime) -> str:
    return f"{moment.hour}" if moment.minute == 0 else f"{moment:%H:%M}"


def _where(item: Announcement) -> str:
    """Where the visit is, in words for the letter."""
    client = item.client
    if client.visit_place is VisitPlace.CAFE:
        meeting = (item.site.meeting_place if item.site else "") or client.meeting_place
        return f"am Treffpunkt {meeting}" if meeting else "an einem Treffpunkt in Ihrem Ort"
    if item.stand or client.visit_place is VisitPlace.VAN:
        # The van stands in the municipality's centre (planner.solve.problem.at_stand).
        place = item.stand or (item.site.municipality if item.site else "")
        return f"im Beratungsmobil in {place}" if place else "im Beratungsmobil"
    return "bei Ihnen zu Hause"
