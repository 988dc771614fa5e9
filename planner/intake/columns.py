"""Recognise the columns of a client list by their header text.

Headers are compared after folding: lower case, umlauts spelled out, and everything
except letters and digits removed, so ``Kd.-Nr.``, ``KdNr`` and ``kd nr`` are the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.errors import InputFileError
from planner.intake.fields import fold
from planner.model import Message, Severity

#: Canonical field → accepted header spellings (folded before comparison).
ALIASES: dict[str, tuple[str, ...]] = {
    "kunden_nr": (
        "Kunden-Nr",
        "Kundennummer",
        "Kunden-Nr.",
        "KdNr",
        "Kd.-Nr.",
        "Kd-Nr",
        "ID",
        "Kunden ID",
        "Kunden-ID",
        "Kundennr",
    ),
    "name": (
        "Name",
        "Vorname Nachname",
        "Klient",
        "Klientin",
        "Name, Vorname",
        "Nachname, Vorname",
    ),
    "vorname": ("Vorname",),
    "nachname": ("Nachname", "Familienname"),
    "strasse": ("Straße", "Strasse", "Str.", "Adresse", "Anschrift", "Straße und Hausnummer"),
    "hausnummer": ("Hausnummer", "Hausnr.", "Haus-Nr.", "HNr", "Nr."),
    "plz": ("PLZ", "Postleitzahl"),
    "plz_ort": ("PLZ Ort", "PLZ/Ort", "PLZ und Ort"),
    "ort": ("Ort", "Wohnort", "Gemeinde", "Stadt", "Stadt/Gemeinde", "Kommune"),
    "ortsteil": ("Ortsteil", "OT", "Stadtteil"),
    "telefon": (
        "Telefon",
        "Tel.",
        "Telefonnummer",
        "Handy",
        "Mobil",
        "Handynummer",
        "Mobilnummer",
        "Rufnummer",
    ),
    "prioritaet": ("Priorität", "Prioritaet", "Prio", "Dringlichkeit"),
    "letzter_kontakt": (
        "Letzter Kontakt",
        "letzter Kontakt am",
        "Letzter Kontakt (Datum)",
        "Datum letzter Kontakt",
    ),
    "besuchsort": ("Besuchsort", "Ort des Besuchs"),
    "treffpunkt": (
        "Treffpunkt",
        "Treffort",
        "Ort des Treffens",
        "Treffpunkt (Adresse)",
        "Adresse Treffpunkt",
        "Café-Adresse",
    ),
    "verfuegbarkeit": ("Verfügbarkeit", "Erreichbarkeit", "Zeitfenster", "verfügbar", "erreichbar"),
    "termin": ("Termin", "fester Termin", "Festtermin"),
    "dauer_min": (
        "Dauer (min)",
        "Dauer",
        "Besuchsdauer",
        "Dauer in Minuten",
        "Dauer (Minuten)",
        "Dauer_min",
    ),
    "hinweise": (
        "Hinweise",
        "Hinweis",
        "Bemerkung",
        "Bemerkungen",
        "Notizen",
        "Notiz",
        "Kommentar",
    ),
    "breite": ("Breite", "Breitengrad", "lat", "Latitude"),
    "laenge": ("Länge", "Laenge", "Längengrad", "lon", "lng", "Longitude"),
}

#: Used only when the field has no column of its own (a BG number is not a person's number,
#: but some teams key their lists by it).
FALLBACK_ALIASES: dict[str, tuple[str, ...]] = {
    "kunden_nr": ("BG-Nummer", "BG-Nr", "BG-Nr."),
}

#: Fields whose values are combined when several columns match (Telefon + Handy).
MULTI_FIELDS: dict[str, str] = {"telefon": " / ", "hinweise": "; "}

#: How a field is named in messages when the file has no column for it.
DISPLAY_NAMES: dict[str, str] = {
    "kunden_nr": "Kunden-Nr",
    "name": "Name",
    "strasse": "Straße",
    "hausnummer": "Hausnummer",
    "plz": "PLZ",
    "ort": "Ort",
    "ortsteil": "Ortsteil",
    "telefon": "Telefon",
    "prioritaet": "Priorität",
    "letzter_kontakt": "Letzter Kontakt",
    "besuchsort": "Besuchsort",
    "treffpunkt": "Treffpunkt",
    "verfuegbarkeit": "Verfügbarkeit",
    "termin": "Termin",
    "dauer_min": "Dauer (min)",
    "hinweise": "Hinweise",
    "breite": "Breite",
    "laenge": "Länge",
}


def header_key(header: str) -> str:
    """Folded form of a header used for matching (``Kd.-Nr.`` → ``kdnr``)."""
    return re.sub(r"[^a-z0-9]", "", fold(header))


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for canonical, variants in table.items():
        for variant in (canonical, *variants):
            keys[header_key(variant)] = canonical
    return keys


_KEYS = _lookup(ALIASES)
_FALLBACK_KEYS = _lookup(FALLBACK_ALIASES)


def column_letter(index: int) -> str:
    """0 → ``A``, 26 → ``AA`` (as Excel labels columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds which field, plus the headers as written in the file."""

    headers: tuple[str, ...]
    fields: dict[str, tuple[int, ...]] = field(default_factory=dict)  # field → column indices
    unknown: tuple[int, ...] = ()  # columns that are kept aside
    messages: tuple[Message, ...] = ()

    def has(self, name: str) -> bool:
        return name in self.fields

    def header(self, name: str) -> str:
        """The header as written for a field (first matching column), or its display name."""
        columns = self.fields.get(name)
        if columns:
            return self.headers[columns[0]].strip()
        return DISPLAY_NAMES.get(name, name)

    def value(self, row: Sequence[str], name: str) -> str:
        """Trimmed cell text of a field ('' if the file has no such column)."""
        parts = [
            " ".join(row[i].split()) if name != "hinweise" else row[i].strip()
            for i in self.fields.get(name, ())
            if i < len(row) and row[i].strip()
        ]
        return MULTI_FIELDS.get(name, " ").join(parts) if len(parts) > 1 else "".join(parts)

    def raw(self, row: Sequence[str], name: str) -> str:
        """Cell text of a single-valued field exactly as read (line breaks kept)."""
        columns = self.fields.get(name, ())
        return row[columns[0]] if columns and columns[0] < len(row) else ""


def map_columns(
    header: Sequence[str], source: str, rows: Sequence[Sequence[str]] = ()
) -> ColumnMap:
    """Assign header cells to canonical fields.

    Unknown columns (and unnamed columns that hold data) produce one warning. A second
    column for a single-valued field is ignored with a warning. Raises
    :class:`InputFileError` when no Kunden-Nr column exists.
    """
    fields: dict[str, list[int]] = {}
    unknown: list[int] = []
    duplicates: list[int] = []
    fallback: list[tuple[str, int]] = []
    for index, text in enumerate(header):
        key = header_key(text)
        if not key:
            if any(index < len(row) and row[index].strip() for row in rows):
                unknown.append(index)
            continue
        canonical = _KEYS.get(key)
        if canonical is None:
            if key in _FALLBACK_KEYS:
                fallback.append((_FALLBACK_KEYS[key], index))
            else:
                unknown.append(index)
            continue
        if canonical in fields and canonical not in MULTI_FIELDS:
            duplicates.append(index)
            continue
        fields.setdefault(canonical, []).append(index)
    for canonical, index in fallback:
        if canonical in fields:
            unknown.append(index)
        else:
            fields[canonical] = [index]

    def label(index: int) -> str:
        text = header[index].strip()
        return f"„{text}“" if text else f"Spalte {column_letter(index)} (ohne Überschrift)"

    if "kunden_nr" not in fields:
        found = ", ".join(label(i) for i, h in enumerate(header) if h.strip()) or "keine"
        raise InputFileError(
            f"„{source}“: Die Spalte „Kunden-Nr“ fehlt. Gefundene Spalten: {found}. "
            "Bitte eine Spalte „Kunden-Nr“ anlegen (erlaubt sind auch „Kundennummer“, "
            "„KdNr“ oder „ID“) und prüfen, ob die Überschriften in der ersten Zeile stehen."
        )

    messages: list[Message] = []
    if unknown:
        messages.append(
            Message(
                Severity.WARNING,
                f"Diese Spalten kennt der Planer nicht; sie werden nicht ausgewertet: "
                f"{', '.join(label(i) for i in sorted(unknown))}.",
                file=source,
                row=None,
            )
        )
    for index in duplicates:
        canonical = _KEYS[header_key(header[index])]
        messages.append(
            Message(
                Severity.WARNING,
                f"Die Spalte {label(index)} ist doppelt (es gilt schon die Spalte "
                f"„{header[fields[canonical][0]].strip()}“); sie wird nicht ausgewertet.",
                file=source,
                field=header[index].strip(),
            )
        )
    return ColumnMap(
        headers=tuple(header),
        fields={name: tuple(indices) for name, indices in fields.items()},
        unknown=tuple(sorted(unknown + duplicates)),
        messages=tuple(messages),
    )
