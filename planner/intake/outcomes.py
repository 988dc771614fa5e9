"""Read the outcomes file of ``planner record``: one row per call, letter or visit.

Columns (German headers, matched like the client list: case, blanks, umlauts and
punctuation ignored, common variants accepted)::

    Kunden-Nr;Datum;Uhrzeit;Coach;Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;Notiz

Kunden-Nr, Datum, Coach, Art and Ergebnis are required columns; without one of them the
file yields a single ERROR message and no rows. Unknown columns give one warning.

Conservation rule (as for the client list): every data row that is not completely blank
becomes exactly one :class:`~planner.campaign.model.Attempt` or one
:class:`RejectedOutcome`. Each problem of a rejected row yields one ERROR message naming
file, row and column; a bad row never stops the rows after it.

Decisions:

- ``Uhrzeit`` may be empty (``time_known`` False, ``at`` is the day at 00:00). A time
  written into the ``Datum`` cell (Excel date-time cells) counts when ``Uhrzeit`` is
  empty; if both are given they must agree.
- Which ``Ergebnis`` fits which ``Art`` is :data:`ALLOWED_OUTCOMES`. A letter row
  records that the letter went out: its Ergebnis may stay empty (→ ``versandt``), or
  say what came of it (``verzogen`` when it came back, ``Rückruf``/``Termin vereinbart``/
  ``abgelehnt`` when the person reacted to it).
- ``Termin`` is required for "Termin vereinbart" and must not lie before the contact;
  for other outcomes a Termin (and a Besuchsort) is ignored with a warning.
- ``Besuchsort`` defaults to Wohnung for an appointment; a named café ("Café am Markt")
  keeps its name at the front of the note, as the client list does.
- ``Coach`` is the ``kennung`` from the team file, the full name, "Nachname, Vorname"
  or the first name alone when only one coach has it; stored as the kennung.
- An exact repeat of an earlier valid row (same Kunden-Nr, Datum, Uhrzeit, Art, Ergebnis
  and Coach) is rejected with a WARNING naming both rows: a copied row must not count
  as a second failed attempt.

Privacy: messages and reasons may quote the Kunden-Nr (pseudonymous) and date or time
cells that look like dates, but never a note, a name or other free text. A cell that
fails a check is described by its column instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar

from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt
from planner.intake.columns import ALIASES as CLIENT_ALIASES
from planner.intake.columns import column_letter, header_key
from planner.intake.fields import (
    APPOINTMENT_HINT,
    DATE_HINT,
    PLACE_HINT,
    FieldError,
    fold,
    is_plain_visit_place,
    parse_appointment,
    parse_client_id,
    parse_date,
    parse_visit_place,
)
from planner.intake.tables import BadRow, read_table
from planner.model import Message, Severity, Team, VisitPlace

T = TypeVar("T")

#: Longest note accepted (the note is meant for a sentence or two, not a file note).
MAX_NOTE_CHARS = 2000
_MAX_NOTE_DE = f"{MAX_NOTE_CHARS:,}".replace(",", ".")

#: Canonical field → accepted header spellings (compared after :func:`header_key`).
ALIASES: dict[str, tuple[str, ...]] = {
    "kunden_nr": (*CLIENT_ALIASES["kunden_nr"], "Kunden Nr"),
    "datum": ("Datum", "Kontaktdatum", "Datum des Kontakts", "Kontakt am"),
    "uhrzeit": ("Uhrzeit", "Zeit", "Uhr", "Kontaktzeit", "Uhrzeit des Kontakts"),
    "coach": (
        "Coach",
        "Coachin",
        "Kennung",
        "Coach-Kennung",
        "Kennung Coach",
        "Bearbeiter",
        "Bearbeiterin",
        "Mitarbeiter",
        "Mitarbeiterin",
    ),
    "art": ("Art", "Kontaktart", "Art des Kontakts", "Kontaktweg", "Art des Versuchs"),
    "ergebnis": ("Ergebnis", "Kontaktergebnis", "Ergebnis des Kontakts", "Ergebnis des Versuchs"),
    "termin": ("Termin", "vereinbarter Termin", "neuer Termin", "Termin am"),
    "besuchsort": ("Besuchsort", "Ort des Besuchs", "Ort des Termins", "Terminort"),
    "wiedervorlage": ("Wiedervorlage", "WV", "Wiedervorlage am", "Wiedervorlagedatum"),
    "notiz": ("Notiz", "Notizen", "Bemerkung", "Bemerkungen", "Hinweis", "Hinweise", "Kommentar"),
}

#: How a field is named in messages when the file has no column for it.
DISPLAY_NAMES: dict[str, str] = {
    "kunden_nr": "Kunden-Nr",
    "datum": "Datum",
    "uhrzeit": "Uhrzeit",
    "coach": "Coach",
    "art": "Art",
    "ergebnis": "Ergebnis",
    "termin": "Termin",
    "besuchsort": "Besuchsort",
    "wiedervorlage": "Wiedervorlage",
    "notiz": "Notiz",
}

REQUIRED_FIELDS: tuple[str, ...] = ("kunden_nr", "datum", "coach", "art", "ergebnis")

#: Which outcomes fit which kind of attempt (order: as listed in messages).
ALLOWED_OUTCOMES: dict[AttemptKind, tuple[Outcome, ...]] = {
    AttemptKind.CALL: (
        Outcome.REACHED,
        Outcome.NOT_REACHED,
        Outcome.MAILBOX,
        Outcome.WRONG_NUMBER,
        Outcome.CALLBACK,
        Outcome.APPOINTMENT,
        Outcome.CANCELLED,
        Outcome.DECLINED,
        Outcome.MOVED,
        Outcome.HANDED_BACK,
        Outcome.COACHING,
        Outcome.REFERRED,
    ),
    AttemptKind.LETTER: (
        Outcome.SENT,
        Outcome.MOVED,
        Outcome.DECLINED,
        Outcome.CALLBACK,
        Outcome.APPOINTMENT,
    ),
    AttemptKind.VISIT: (
        Outcome.MET,
        Outcome.NOT_MET,
        Outcome.APPOINTMENT,
        Outcome.CANCELLED,
        Outcome.DECLINED,
        Outcome.MOVED,
        Outcome.HANDED_BACK,
        Outcome.COACHING,
        Outcome.REFERRED,
    ),
}

#: The word meant when an outcome is written for the wrong kind ("erreicht" at the door).
_CORRECTIONS: dict[tuple[AttemptKind, Outcome], Outcome] = {
    (AttemptKind.VISIT, Outcome.REACHED): Outcome.MET,
    (AttemptKind.VISIT, Outcome.NOT_REACHED): Outcome.NOT_MET,
    (AttemptKind.CALL, Outcome.MET): Outcome.REACHED,
    (AttemptKind.CALL, Outcome.NOT_MET): Outcome.NOT_REACHED,
}

#: Further words people write (folded, blanks collapsed); labels and codes always work.
_KIND_WORDS: dict[str, AttemptKind] = {
    "telefonat": AttemptKind.CALL,
    "telefon": AttemptKind.CALL,
    "anschreiben": AttemptKind.LETTER,
    "hausbesuch": AttemptKind.VISIT,
}
_OUTCOME_WORDS: dict[str, Outcome] = {
    "anrufbeantworter": Outcome.MAILBOX,
    "ab": Outcome.MAILBOX,
    "rueckrufbitte": Outcome.CALLBACK,
    "termin": Outcome.APPOINTMENT,
    "versendet": Outcome.SENT,
    "verschickt": Outcome.SENT,
    "weggezogen": Outcome.MOVED,
    "unbekannt verzogen": Outcome.MOVED,
    "an pap uebergeben": Outcome.HANDED_BACK,
    "an ansprechpartner uebergeben": Outcome.HANDED_BACK,
    "an ansprechpartnerin uebergeben": Outcome.HANDED_BACK,
    "zurueck an ansprechperson": Outcome.HANDED_BACK,
    "coaching angenommen": Outcome.COACHING,
    "weitervermittelt": Outcome.REFERRED,
    "an beratung vermittelt": Outcome.REFERRED,
    "schuldnerberatung": Outcome.REFERRED,
}

_TIME = re.compile(r"^(?P<h>\d{1,2})(?:[:.](?P<m>\d{2})(?::\d{2})?)?(?:\s*uhr)?$")
TIME_HINT = "Erwartet wird eine Uhrzeit wie „14:30“ (leer lassen, wenn sie unbekannt ist)."


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RejectedOutcome:
    """A row of the outcomes file that was not recorded, and why."""

    row: int
    case_id: str  # "" when the Kunden-Nr is missing or does not look like one
    reason: str  # German, e.g. "Zeile 4: Ergebnis passt nicht zur Art (…)."
    source: str = ""  # file name


@dataclass(frozen=True)
class OutcomesResult:
    """Everything read from one outcomes file."""

    source: str
    attempts: tuple[Attempt, ...]
    rejected: tuple[RejectedOutcome, ...]
    messages: tuple[Message, ...]
    #: Rows of a call list nobody filled in (the call was not made): counted, not errors.
    untouched: tuple[int, ...] = ()

    @property
    def row_count(self) -> int:
        return len(self.attempts) + len(self.rejected) + len(self.untouched)


def read_outcomes(
    path: Path | str,
    team: Team,
    *,
    known_cases: Collection[str] | None = None,
    recorded_by: str = "",
    today: date | None = None,
) -> OutcomesResult:
    """Read an outcomes file (CSV or XLSX).

    ``today`` (default: the system date, the only clock access here) rejects contacts
    dated in the future. Raises :class:`planner.errors.InputFileError` when the file as
    a whole is unreadable.
    """
    table = read_table(path)
    return parse_outcome_rows(
        table.header,
        table.rows,
        table.source,
        team,
        known_cases=known_cases,
        recorded_by=recorded_by,
        today=today if today is not None else date.today(),
        row_numbers=table.row_numbers,
        bad_rows=table.bad_rows,
    )


def parse_outcome_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    source: str,
    team: Team,
    *,
    known_cases: Collection[str] | None = None,
    recorded_by: str = "",
    today: date | None = None,
    first_row: int = 2,
    row_numbers: Sequence[int] | None = None,
    bad_rows: Iterable[BadRow] = (),
) -> OutcomesResult:
    """Parse rows of cell strings (pure).

    Rows are numbered from ``first_row`` unless ``row_numbers`` gives the spreadsheet row
    of each. ``known_cases`` (Kunden-Nrn in the store) rejects rows of unknown people;
    without ``today`` the future-date check is skipped. ``bad_rows`` (from
    :class:`planner.intake.tables.Table`) are rejected with the reader's reason.
    """
    numbers = (
        list(row_numbers)
        if row_numbers is not None
        else list(range(first_row, first_row + len(rows)))
    )
    if len(numbers) != len(rows):
        raise ValueError("row_numbers must have one entry per row")
    bad_by_row = {bad.row: bad for bad in bad_rows}
    if not bad_by_row.keys() <= set(numbers):
        raise ValueError("every bad row must be one of the rows")

    columns = _map_columns(header, source, rows)
    if columns.missing:
        return OutcomesResult(source, (), (), columns.messages)

    ctx = _Context(
        source=source,
        coaches=_CoachIndex(team),
        known=None if known_cases is None else {c.casefold(): c for c in known_cases},
        recorded_by=recorded_by,
        today=today,
    )
    attempts: list[Attempt] = []
    rejected: list[RejectedOutcome] = []
    messages: list[Message] = list(columns.messages)
    first_seen: dict[tuple[object, ...], int] = {}  # duplicate key → row of its first use
    untouched: list[int] = []
    for number, cells in zip(numbers, rows, strict=True):
        if number in bad_by_row:  # checked first: its emptied cells may look blank
            result = _bad_row(columns, cells, bad_by_row[number], source)
        elif all(not cell.strip() for cell in cells):
            continue
        elif not any(columns.value(cells, name) for name in _FILLED_IN):
            # A call list row with only its pre-filled Coach and Art: nobody called.
            untouched.append(number)
            continue
        else:
            result = _parse_row(columns, cells, number, ctx)
        if isinstance(result.value, Attempt):
            attempt = result.value
            key = _identity(attempt)
            first = first_seen.setdefault(key, number)
            if first != number:
                result = _duplicate(columns, attempt, number, first, source)
        messages.extend(result.messages)
        if isinstance(result.value, Attempt):
            attempts.append(result.value)
        else:
            rejected.append(result.value)
    if untouched:
        messages.append(
            Message(
                Severity.OK,
                f"{len(untouched)} Zeilen ohne Datum und Ergebnis (nicht angerufen) übersprungen.",
                file=source,
            )
        )
    return OutcomesResult(
        source, tuple(attempts), tuple(rejected), tuple(messages), tuple(untouched)
    )


#: Fields a coach fills in; a row with none of them is an untouched call-list row.
_FILLED_IN = ("datum", "uhrzeit", "ergebnis", "termin", "wiedervorlage", "notiz")


# --------------------------------------------------------------------------- columns


_KEYS: dict[str, str] = {
    header_key(variant): canonical
    for canonical, variants in ALIASES.items()
    for variant in (canonical, *variants)
}


@dataclass(frozen=True)
class _Columns:
    """Which column holds which field, and the headers as written."""

    headers: tuple[str, ...]
    fields: dict[str, int]
    missing: tuple[str, ...]  # required fields without a column
    messages: tuple[Message, ...]

    def header(self, name: str) -> str:
        index = self.fields.get(name)
        if index is not None and self.headers[index].strip():
            return self.headers[index].strip()
        return DISPLAY_NAMES[name]

    def raw(self, cells: Sequence[str], name: str) -> str:
        index = self.fields.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def value(self, cells: Sequence[str], name: str) -> str:
        """Cell text with blanks collapsed ('' if the file has no such column)."""
        return " ".join(self.raw(cells, name).split())


def _map_columns(header: Sequence[str], source: str, rows: Sequence[Sequence[str]]) -> _Columns:
    fields: dict[str, int] = {}
    unknown: list[int] = []
    duplicates: list[int] = []
    for index, text in enumerate(header):
        key = header_key(text)
        canonical = _KEYS.get(key) if key else None
        if canonical is None:
            # An unnamed column only matters when it holds data.
            if key or any(index < len(row) and row[index].strip() for row in rows):
                unknown.append(index)
        elif canonical in fields:
            duplicates.append(index)
        else:
            fields[canonical] = index

    def label(index: int) -> str:
        text = header[index].strip()
        return f"„{text}“" if text else f"Spalte {column_letter(index)} (ohne Überschrift)"

    missing = tuple(name for name in REQUIRED_FIELDS if name not in fields)
    if missing:
        found = ", ".join(label(i) for i, h in enumerate(header) if h.strip()) or "keine"
        text = (
            f"Es fehlen Pflichtspalten: {', '.join(f'„{DISPLAY_NAMES[m]}“' for m in missing)}. "
            f"Gefundene Spalten: {found}. Erwartet wird die Überschriftenzeile "
            "„Kunden-Nr;Datum;Uhrzeit;Coach;Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;"
            "Notiz“ in der ersten Zeile. Es wurde nichts eingetragen."
        )
        return _Columns(tuple(header), fields, missing, (Message(Severity.ERROR, text, source),))

    messages: list[Message] = []
    if unknown:
        messages.append(
            Message(
                Severity.WARNING,
                "Diese Spalten kennt der Planer nicht; sie werden nicht ausgewertet: "
                f"{', '.join(label(i) for i in unknown)}.",
                source,
            )
        )
    for index in duplicates:
        first = fields[_KEYS[header_key(header[index])]]
        messages.append(
            Message(
                Severity.WARNING,
                f"Die Spalte {label(index)} ist doppelt (es gilt schon die Spalte "
                f"{label(first)}); sie wird nicht ausgewertet.",
                source,
                field=header[index].strip(),
            )
        )
    return _Columns(tuple(header), fields, (), tuple(messages))


# --------------------------------------------------------------------------- coaches


class _CoachIndex:
    """Finds a coach by kennung, full name or unique first name (folded)."""

    def __init__(self, team: Team) -> None:
        self.keys = tuple(coach.key for coach in team.coaches)
        self._by_key = {_fold_words(coach.key): coach.key for coach in team.coaches}
        self._by_name: dict[str, list[str]] = {}
        self._by_first: dict[str, list[str]] = {}
        for coach in team.coaches:
            name = _fold_words(coach.name)
            if name:
                self._by_name.setdefault(name, []).append(coach.key)
                self._by_first.setdefault(name.split()[0], []).append(coach.key)

    def resolve(self, text: str) -> tuple[str | None, list[str]]:
        """(kennung, []) when found; (None, candidates) when ambiguous or unknown."""
        folded = _fold_words(text)
        if "," in folded:  # "Becker, Anna"
            last, _, first = folded.partition(",")
            folded = " ".join(f"{first} {last}".split())
        if folded in self._by_key:
            return self._by_key[folded], []
        for index in (self._by_name, self._by_first):
            keys = index.get(folded, [])
            if len(keys) == 1:
                return keys[0], []
            if keys:
                return None, keys
        return None, []


def _fold_words(text: str) -> str:
    return " ".join(fold(text).split())


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class _Context:
    source: str
    coaches: _CoachIndex
    known: dict[str, str] | None  # folded Kunden-Nr → as stored
    recorded_by: str
    today: date | None


@dataclass(frozen=True)
class _RowResult:
    value: Attempt | RejectedOutcome
    messages: tuple[Message, ...]


def _bad_row(columns: _Columns, cells: Sequence[str], bad: BadRow, source: str) -> _RowResult:
    """Reject a row the reader could not take over (NUL character, overlong cell)."""
    try:
        case_id = parse_client_id(columns.raw(cells, "kunden_nr"))
    except FieldError:
        case_id = ""
    header = columns.headers[bad.column].strip() if bad.column < len(columns.headers) else ""
    field = header or f"Spalte {column_letter(bad.column)}"
    reason = f"Zeile {bad.row}: Die Zelle in „{field}“ {bad.problem}."
    text = f"Die Zelle in „{field}“ {bad.problem}. {bad.advice}"
    message = Message(Severity.ERROR, text, source, bad.row, field, case_id or None)
    return _RowResult(RejectedOutcome(bad.row, case_id, reason, source), (message,))


def _identity(attempt: Attempt) -> tuple[object, ...]:
    """What makes two rows the same attempt (Termin and Notiz do not count)."""
    return (
        attempt.case_id,
        attempt.at,
        attempt.time_known,
        attempt.kind,
        attempt.outcome,
        attempt.coach,
    )


def _duplicate(
    columns: _Columns, attempt: Attempt, row: int, first: int, source: str
) -> _RowResult:
    text = (
        f"Zeile {row} wiederholt Zeile {first} (gleiche Kunden-Nr, Datum, Uhrzeit, Art, "
        "Ergebnis und Coach) und wird nicht noch einmal eingetragen. War ein weiterer "
        "Versuch gemeint, bitte die Uhrzeit ergänzen."
    )
    header = columns.header("kunden_nr")
    message = Message(Severity.WARNING, text, source, row, header, attempt.case_id)
    reason = f"Zeile {row}: doppelt (wie Zeile {first})."
    return _RowResult(RejectedOutcome(row, attempt.case_id, reason, source), (message,))


def _parse_row(columns: _Columns, cells: Sequence[str], row: int, ctx: _Context) -> _RowResult:
    problems: list[tuple[str, str, str]] = []  # (field header, short reason, full text)
    warnings: list[tuple[str, str]] = []  # (field header, text)

    def error(name: str, short: str, text: str) -> None:
        problems.append((columns.header(name), short, text))

    def warn(name: str, text: str) -> None:
        warnings.append((columns.header(name), text))

    def check(name: str, parser: Callable[[str], T], default: T, hint: str) -> T:
        text = columns.value(cells, name)
        try:
            return parser(text)
        except FieldError as err:
            label = columns.header(name)
            full = err.full if _quotable(text) else f"{label}: Eintrag nicht lesbar. {hint}"
            error(name, f"{label} ungültig", full)
            return default

    case_id = _case_id(columns, cells, ctx, error)

    # --- when
    day = check("datum", parse_date, None, DATE_HINT)
    if day is None and not columns.value(cells, "datum"):
        error("datum", "Datum fehlt", f"Das Datum fehlt. {DATE_HINT}")
    clock = check("uhrzeit", _parse_time, None, TIME_HINT)
    if day is not None:
        clock = _time_from_date(columns, cells, clock, error)
        if ctx.today is not None and day > ctx.today:
            error(
                "datum",
                "Datum liegt in der Zukunft",
                f"Das Datum {day:%d.%m.%Y} liegt in der Zukunft (heute ist "
                f"{ctx.today:%d.%m.%Y}). Eingetragen wird nur, was schon geschehen ist.",
            )
    at = datetime.combine(day, clock or time(0, 0)) if day is not None else None

    # --- who and what
    coach = _coach(columns, cells, ctx, error)
    kind, outcome = _kind_and_outcome(columns, cells, error)

    # --- appointment, follow-up, note
    appointment: datetime | None = None
    place: VisitPlace | None = None
    place_text = columns.value(cells, "besuchsort")
    if outcome is Outcome.APPOINTMENT:
        appointment = check("termin", parse_appointment, None, APPOINTMENT_HINT)
        if appointment is None and not columns.value(cells, "termin"):
            error(
                "termin",
                "Termin fehlt",
                "Beim Ergebnis „Termin vereinbart“ fehlt der Termin. Bitte Datum und "
                "Uhrzeit eintragen, z. B. „02.12.2026 10:30“.",
            )
        elif appointment is not None and at is not None and _before(appointment, at, clock):
            error(
                "termin",
                "Termin liegt vor dem Kontakt",
                f"Der Termin {appointment:%d.%m.%Y %H:%M} liegt vor dem Kontakt "
                f"({_when(at, clock)}). Bitte Termin oder Datum prüfen.",
            )
        place = check("besuchsort", parse_visit_place, VisitPlace.HOME, PLACE_HINT)
    elif outcome is not None:
        if columns.value(cells, "termin"):
            warn(
                "termin",
                "Ein Termin wird nur beim Ergebnis „Termin vereinbart“ übernommen; hier "
                f"ist das Ergebnis „{outcome.label}“. Der Termin wird nicht eingetragen.",
            )
        if place_text:
            warn(
                "besuchsort",
                "Der Besuchsort gilt nur für einen vereinbarten Termin; hier ist das "
                f"Ergebnis „{outcome.label}“. Er wird nicht eingetragen.",
            )
    follow_up = check("wiedervorlage", parse_date, None, DATE_HINT)
    if follow_up is not None and day is not None and follow_up < day:
        error(
            "wiedervorlage",
            "Wiedervorlage vor dem Datum",
            f"Die Wiedervorlage {follow_up:%d.%m.%Y} liegt vor dem Datum des Kontakts "
            f"({day:%d.%m.%Y}). Bitte prüfen.",
        )
    note = _clean_note(columns.raw(cells, "notiz"))
    if len(note) > MAX_NOTE_CHARS:
        error(
            "notiz",
            "Notiz zu lang",
            f"Die Notiz ist {f'{len(note):,}'.replace(',', '.')} Zeichen lang, erlaubt sind "
            f"höchstens {_MAX_NOTE_DE}. Bitte kürzen – in die Notiz gehört nur, was für den "
            "nächsten Kontakt wichtig ist.",
        )
    if place is not None and not is_plain_visit_place(place_text):
        # Keep the café's name where the coach will read it (as the client list does).
        note = "\n".join(p for p in (f"Besuchsort: {place_text}", note) if p)

    def message(severity: Severity, header: str, text: str) -> Message:
        return Message(severity, text, ctx.source, row, header, case_id or None)

    warning_messages = tuple(message(Severity.WARNING, h, t) for h, t in warnings)
    if problems or at is None or coach is None or kind is None or outcome is None:
        reason = f"Zeile {row}: " + "; ".join(short for _, short, _ in problems) + "."
        errors = tuple(message(Severity.ERROR, h, text) for h, _, text in problems)
        return _RowResult(
            RejectedOutcome(row, case_id, reason, ctx.source), errors + warning_messages
        )
    attempt = Attempt(
        case_id=case_id,
        at=at,
        coach=coach,
        kind=kind,
        outcome=outcome,
        appointment=appointment,
        place=place,
        follow_up=follow_up,
        note=note,
        time_known=clock is not None,
        recorded_by=ctx.recorded_by,
        source=f"{ctx.source}, Zeile {row}",
    )
    return _RowResult(attempt, warning_messages)


_ErrorSink = Callable[[str, str, str], None]


def _case_id(columns: _Columns, cells: Sequence[str], ctx: _Context, error: _ErrorSink) -> str:
    """The Kunden-Nr as stored, or '' after reporting why there is none."""
    header = columns.header("kunden_nr")
    try:
        case_id = parse_client_id(columns.raw(cells, "kunden_nr"))
    except FieldError as err:  # the text never quotes the cell (it may hold a name)
        error("kunden_nr", f"{header} ungültig", err.full)
        return ""
    if not case_id:
        error("kunden_nr", "Kunden-Nr fehlt", "Die Kunden-Nr fehlt. Bitte eintragen.")
        return ""
    if ctx.known is not None:
        stored = ctx.known.get(case_id.casefold())
        if stored is None:
            error(
                "kunden_nr",
                f"Kunden-Nr {case_id} nicht im Bestand",
                f"Die Kunden-Nr „{case_id}“ ist nicht im Bestand (erst mit planner import "
                "einlesen). Oder ist sie falsch geschrieben?",
            )
            return case_id
        return stored  # the spelling of the store, so "bm-1001" joins "BM-1001"
    return case_id


def _coach(columns: _Columns, cells: Sequence[str], ctx: _Context, error: _ErrorSink) -> str | None:
    text = columns.value(cells, "coach")
    known = ", ".join(ctx.coaches.keys)
    if not text:
        error("coach", "Coach fehlt", f"Der Coach fehlt. Bitte die Kennung eintragen ({known}).")
        return None
    key, candidates = ctx.coaches.resolve(text)
    if key is not None:
        return key
    if candidates:
        error(
            "coach",
            "Coach nicht eindeutig",
            f"Der Eintrag passt zu mehreren Coaches ({', '.join(candidates)}). Bitte die "
            "Kennung eintragen.",
        )
    else:
        error(
            "coach",
            "Coach unbekannt",
            f"Diesen Coach gibt es in der Teamdatei nicht. Bekannte Kennungen: {known} "
            "(auch der Name aus der Teamdatei geht).",
        )
    return None


def _kind_and_outcome(
    columns: _Columns, cells: Sequence[str], error: _ErrorSink
) -> tuple[AttemptKind | None, Outcome | None]:
    kinds = ", ".join(kind.label for kind in AttemptKind)
    kind_text = columns.value(cells, "art")
    kind = _lookup(AttemptKind, kind_text, _KIND_WORDS)
    if not kind_text:
        error("art", "Art fehlt", f"Die Art fehlt. Erlaubt sind: {kinds}.")
    elif kind is None:
        error("art", "Art unbekannt", f"Diese Art kennt der Planer nicht. Erlaubt sind: {kinds}.")

    outcome_text = columns.value(cells, "ergebnis")
    outcome = _lookup(Outcome, outcome_text, _OUTCOME_WORDS)
    if not outcome_text and kind is AttemptKind.LETTER:
        return kind, Outcome.SENT  # a letter row records that it went out
    allowed = ALLOWED_OUTCOMES[kind] if kind is not None else tuple(Outcome)
    allowed_text = ", ".join(o.label for o in allowed)
    for_kind = f" bei {kind.label}" if kind is not None else ""
    if outcome is None:
        short, intro = ("Ergebnis fehlt", "Das Ergebnis fehlt.")
        if outcome_text:
            short, intro = ("Ergebnis unbekannt", "Dieses Ergebnis kennt der Planer nicht.")
        error("ergebnis", short, f"{intro} Erlaubt sind{for_kind}: {allowed_text}.")
        return kind, None
    if kind is not None and outcome not in allowed:
        meant = _CORRECTIONS.get((kind, outcome))
        hint = f" Gemeint ist wohl „{meant.label}“." if meant is not None else ""
        error(
            "ergebnis",
            f"Ergebnis passt nicht zur Art ({outcome.label} bei {kind.label})",
            f"Das Ergebnis „{outcome.label}“ passt nicht zur Art „{kind.label}“.{hint} "
            f"Erlaubt sind{for_kind}: {allowed_text}.",
        )
        return kind, None
    return kind, outcome


def _lookup[E: (AttemptKind, Outcome)](enum: type[E], text: str, words: dict[str, E]) -> E | None:
    """The member named by ``text``: label or code (any case, "-"/"_" as blank) or a word."""
    if not text:
        return None
    found = enum.parse(text)
    if found is not None:
        return found
    key = " ".join(re.sub(r"[-_]", " ", fold(text)).split())
    for member in enum:
        if key in (" ".join(fold(member.label).split()), member.value.replace("_", " ")):
            return member
    return words.get(key)


def _time_from_date(
    columns: _Columns, cells: Sequence[str], clock: time | None, error: _ErrorSink
) -> time | None:
    """The time of day, also when Excel wrote it into the Datum cell."""
    try:
        stamp = parse_appointment(columns.value(cells, "datum"))
    except FieldError:  # no time (or 00:00, a date-only cell) in the Datum cell
        return clock
    if stamp is None or clock is None:
        return stamp.time() if stamp is not None else clock
    if stamp.time() != clock:
        error(
            "uhrzeit",
            "Uhrzeit widerspricht dem Datum",
            f"In „{columns.header('datum')}“ steht die Uhrzeit {stamp:%H:%M}, in "
            f"„{columns.header('uhrzeit')}“ aber {clock:%H:%M}. Bitte eine davon korrigieren.",
        )
    return clock


def _parse_time(text: str) -> time | None:
    """``14:30``, ``9.30``, ``14 Uhr``, ``14:30:00`` → time; empty → None."""
    shown = " ".join(text.split())
    if not shown:
        return None
    match = _TIME.match(fold(shown))
    if not match:
        raise FieldError(f"„{shown}“ ist keine Uhrzeit.", TIME_HINT)
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if hour > 23 or minute > 59:
        raise FieldError(f"Die Uhrzeit „{shown}“ gibt es nicht.", TIME_HINT)
    return time(hour, minute)


def _before(appointment: datetime, at: datetime, clock: time | None) -> bool:
    """True if the appointment lies before the contact (same day counts when the time is
    unknown)."""
    if clock is None:
        return appointment.date() < at.date()
    return appointment < at


def _when(at: datetime, clock: time | None) -> str:
    return f"{at:%d.%m.%Y %H:%M}" if clock is not None else f"{at:%d.%m.%Y}"


def _quotable(text: str) -> bool:
    """True if a failed date or time cell may be quoted: it looks like a date or time
    (digits, few letters such as "Mo" or "Uhr"), not like a name or a sentence."""
    letters = sum(char.isalpha() for char in text)
    return any(char.isdigit() for char in text) and letters <= 12 and len(text) <= 40


def _clean_note(text: str) -> str:
    """Note without control and format characters; line breaks kept as ``\\n``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    # Control and invisible format characters (bidi overrides, zero-width) would only
    # garble or disguise the note on screen and in exports.
    kept = (c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf"))
    return "".join(kept).strip()
