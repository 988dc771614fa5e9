"""Turn the rows of a client list into ``Client`` objects, rejected rows and messages.

Conservation rule: every data row that is not completely blank becomes exactly one
``Client`` or one ``RejectedRow``. Each problem in a rejected row also yields one ERROR
``Message`` (file, row, column header as written, Kunden-Nr). Warnings never stop a row.

Privacy: a Kunden-Nr that does not look like an ID (see ``parse_client_id``) is never
copied into a rejected row or message – such a cell usually holds the whole row,
name included. The row number identifies the row instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from planner.intake.columns import ColumnMap, column_letter, map_columns
from planner.intake.fields import (
    FieldError,
    format_availability,
    is_plain_visit_place,
    join_street,
    parse_appointment,
    parse_availability,
    parse_client_id,
    parse_date,
    parse_duration,
    parse_phone,
    parse_position,
    parse_priority,
    parse_visit_place,
)
from planner.intake.tables import BadRow, read_table
from planner.model import (
    Address,
    Client,
    IntakeResult,
    Message,
    RejectedRow,
    Severity,
    VisitPlace,
    WeeklyWindow,
)

T = TypeVar("T")

# "Hauptstr. 5, 35578 Wetzlar" in a single address column.
_TRAILING_LOCALITY = re.compile(r"^(?P<street>.*?)[,\s]+(?P<plz>\d{5})\s+(?P<ort>\S.*)$")
# "35578 Wetzlar" in the Ort column.
_LEADING_PLZ = re.compile(r"^(?P<plz>\d{5})\s+(?P<ort>\S.*)$")


def read_clients(path: Path | str, *, today: date | None = None) -> IntakeResult:
    """Read a client list (CSV or XLSX).

    ``today`` is the reference for "Letzter Kontakt in der Zukunft" and "Termin in der
    Vergangenheit"; it defaults to the system date (the only clock access of this stage).
    Raises :class:`planner.errors.InputFileError` when the file as a whole is unusable.
    """
    table = read_table(path)
    return parse_rows(
        table.header,
        table.rows,
        table.source,
        row_numbers=table.row_numbers,
        today=today if today is not None else date.today(),
        bad_rows=table.bad_rows,
    )


def parse_rows(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    source: str,
    *,
    row_numbers: Sequence[int] | None = None,
    today: date | None = None,
    bad_rows: Iterable[BadRow] = (),
) -> IntakeResult:
    """Parse rows of cell strings (pure).

    ``row_numbers`` are the spreadsheet rows of ``rows`` (default 2, 3, … under a header in
    row 1). Without ``today`` the date-relative warnings are skipped. ``bad_rows`` (from
    :class:`planner.intake.tables.Table`) are rejected with the reader's reason.
    """
    numbers = list(row_numbers) if row_numbers is not None else list(range(2, len(rows) + 2))
    if len(numbers) != len(rows):
        raise ValueError("row_numbers must have one entry per row")
    bad_by_row = {bad.row: bad for bad in bad_rows}
    if not bad_by_row.keys() <= set(numbers):
        raise ValueError("every bad row must be one of the rows")
    columns = map_columns(header, source, rows)
    clients: list[Client] = []
    rejected: list[RejectedRow] = []
    messages: list[Message] = list(columns.messages)
    first_row_of: dict[str, int] = {}  # folded Kunden-Nr → first row it appeared in
    for number, cells in zip(numbers, rows, strict=True):
        if number in bad_by_row:  # checked first: its emptied cells may look blank
            outcome = _bad_row(columns, cells, bad_by_row[number], source)
        elif all(not cell.strip() for cell in cells):
            continue
        else:
            context = _RowContext(source, number, today, first_row_of)
            outcome = _parse_row(columns, cells, context)
        messages.extend(outcome.messages)
        if isinstance(outcome.result, Client):
            clients.append(outcome.result)
        else:
            rejected.append(outcome.result)
    return IntakeResult(
        source=source, clients=tuple(clients), rejected=tuple(rejected), messages=tuple(messages)
    )


@dataclass(frozen=True)
class _RowContext:
    source: str
    row: int
    today: date | None
    first_row_of: dict[str, int]  # shared across rows; updated for each new Kunden-Nr


@dataclass(frozen=True)
class _Outcome:
    result: Client | RejectedRow
    messages: tuple[Message, ...]


def _safe_client_id(columns: ColumnMap, cells: Sequence[str]) -> tuple[str, FieldError | None]:
    """The Kunden-Nr, or '' and the error when the cell does not look like one."""
    try:
        return parse_client_id(columns.raw(cells, "kunden_nr")), None
    except FieldError as err:
        return "", err


def _name(columns: ColumnMap, cells: Sequence[str]) -> str:
    name = columns.value(cells, "name")
    first_name = columns.value(cells, "vorname")
    if first_name:
        return f"{first_name} {columns.value(cells, 'nachname') or name}".strip()
    return name or columns.value(cells, "nachname")


def _bad_row(columns: ColumnMap, cells: Sequence[str], bad: BadRow, source: str) -> _Outcome:
    """Reject a row the reader could not take over (NUL character, overlong cell)."""
    client_id, _ = _safe_client_id(columns, cells)
    header = columns.headers[bad.column].strip() if bad.column < len(columns.headers) else ""
    field = header or f"Spalte {column_letter(bad.column)}"
    rejected = RejectedRow(
        row=bad.row,
        client_id=client_id,
        reason=f"Zeile {bad.row}: Die Zelle in „{field}“ {bad.problem}.",
        source=source,
        name=_name(columns, cells),
        address=_address(columns, cells),
    )
    text = f"Die Zelle in „{field}“ {bad.problem}. {bad.advice}"
    message = Message(Severity.ERROR, text, source, bad.row, field, client_id or None)
    return _Outcome(rejected, (message,))


def _parse_row(columns: ColumnMap, cells: Sequence[str], ctx: _RowContext) -> _Outcome:
    client_id, id_error = _safe_client_id(columns, cells)
    problems: list[tuple[str, str, str]] = []  # (field header, short reason, full message)
    warnings: list[tuple[str, str]] = []  # (field header, message)

    def error(header: str, short: str, text: str) -> None:
        problems.append((header, short, text))

    def warn(header: str, text: str) -> None:
        warnings.append((header, text))

    def check(name: str, parser: Callable[[str], T], default: T) -> T:
        text = columns.value(cells, name)
        try:
            return parser(text)
        except FieldError as err:
            header = columns.header(name)
            error(header, f"{header} ungültig ({err.text.rstrip('.')})", err.full)
            return default

    # --- identity
    if id_error is not None:
        header = columns.header("kunden_nr")
        error(header, f"{header} ungültig ({id_error.text.rstrip('.')})", id_error.full)
    elif not client_id:
        header = columns.header("kunden_nr")
        error(
            header,
            "Kunden-Nr fehlt",
            "Die Kunden-Nr fehlt. Bitte eintragen – ohne Kunden-Nr wird die Zeile "
            "nicht eingeplant.",
        )
    else:
        key = client_id.casefold()
        first = ctx.first_row_of.setdefault(key, ctx.row)
        if first != ctx.row:
            header = columns.header("kunden_nr")
            error(
                header,
                f"Kunden-Nr {client_id} doppelt (schon in Zeile {first})",
                f"Die Kunden-Nr „{client_id}“ steht schon in Zeile {first}. Jede Person darf "
                "nur einmal in der Liste stehen: doppelte Zeile löschen oder Kunden-Nr "
                "korrigieren.",
            )

    name = _name(columns, cells)

    # --- address
    address = _address(columns, cells)
    position = None
    try:
        position = parse_position(columns.value(cells, "breite"), columns.value(cells, "laenge"))
    except FieldError as err:
        header = columns.header(err.field or "breite")
        error(header, f"Koordinaten ungültig ({err.text.rstrip('.')})", err.full)
    coordinates_given = bool(columns.value(cells, "breite") or columns.value(cells, "laenge"))
    if not (address.place or address.postcode or coordinates_given):
        header = columns.header("ort")
        error(
            header,
            "keine Adresse (weder Ort noch PLZ noch Koordinaten)",
            "Es fehlt eine Adresse: weder Ort noch PLZ noch Koordinaten sind angegeben. "
            "Bitte mindestens Ort oder PLZ eintragen.",
        )
    if address.postcode and not re.fullmatch(r"\d{5}", address.postcode):
        warn(
            columns.header("plz") if columns.has("plz") else columns.header("plz_ort"),
            f"Die PLZ „{address.postcode}“ hat nicht fünf Ziffern; bitte prüfen. "
            "Der Ort wird trotzdem gesucht.",
        )

    # --- visit parameters
    priority = check("prioritaet", parse_priority, 2)
    last_contact = check("letzter_kontakt", parse_date, None)
    place_text = columns.value(cells, "besuchsort")
    place_problems = len(problems)
    visit_place = check("besuchsort", parse_visit_place, VisitPlace.HOME)
    meeting_place = columns.value(cells, "treffpunkt")
    if is_plain_visit_place(meeting_place):
        # "Café" or "Wohnung" is a kind of place, not a place: lists that headed the
        # Besuchsort column "Treffpunkt" (read that way before this column existed) still work.
        if meeting_place and not place_text:
            place_text = meeting_place
            visit_place = parse_visit_place(place_text)
        meeting_place = ""
    elif not place_text:
        visit_place = VisitPlace.CAFE  # a meeting place means the visit is not at home
    elif visit_place is not VisitPlace.CAFE and len(problems) == place_problems:
        warn(
            columns.header("treffpunkt"),
            f"Der Treffpunkt „{meeting_place}“ gilt nur für den Besuchsort Café, hier ist der "
            f"Besuchsort „{visit_place.value}“. Der Treffpunkt wird nicht verwendet.",
        )
        meeting_place = ""
    no_windows: tuple[WeeklyWindow, ...] = ()
    availability = check("verfuegbarkeit", parse_availability, no_windows)
    appointment = check("termin", parse_appointment, None)
    duration = check("dauer_min", parse_duration, None)

    notes = columns.value(cells, "hinweise")
    if not is_plain_visit_place(place_text):
        # Keep the detail ("Café am Markt") where the coach will read it.
        notes = "; ".join(p for p in (f"Besuchsort: {place_text}", notes) if p)

    # --- warnings that do not stop the row
    if ctx.today is not None and last_contact is not None and last_contact > ctx.today:
        warn(
            columns.header("letzter_kontakt"),
            f"Letzter Kontakt {last_contact:%d.%m.%Y} liegt in der Zukunft (heute ist "
            f"{ctx.today:%d.%m.%Y}) – bitte prüfen. Die Person wird trotzdem eingeplant.",
        )
    if ctx.today is not None and appointment is not None and appointment.date() < ctx.today:
        warn(
            columns.header("termin"),
            f"Der Termin {appointment:%d.%m.%Y %H:%M} liegt in der Vergangenheit (heute ist "
            f"{ctx.today:%d.%m.%Y}) – bitte prüfen. Er wird nur eingeplant, wenn der "
            "Planungszeitraum diesen Tag enthält.",
        )
    if appointment is not None and availability and not _inside(appointment, availability):
        warn(
            columns.header("termin"),
            f"Der Termin {appointment:%d.%m.%Y %H:%M} liegt außerhalb der Verfügbarkeit "
            f"„{format_availability(availability)}“. Es gilt der feste Termin.",
        )

    def message(severity: Severity, header: str, text: str) -> Message:
        return Message(severity, text, ctx.source, ctx.row, header, client_id or None)

    warning_messages = tuple(message(Severity.WARNING, h, t) for h, t in warnings)
    if problems:
        reason = f"Zeile {ctx.row}: " + "; ".join(short for _, short, _ in problems) + "."
        return _Outcome(
            RejectedRow(
                row=ctx.row,
                client_id=client_id,
                reason=reason,
                source=ctx.source,
                name=name,
                address=address,
            ),
            tuple(message(Severity.ERROR, h, text) for h, _, text in problems) + warning_messages,
        )
    client = Client(
        id=client_id,
        row=ctx.row,
        address=address,
        name=name,
        phone=parse_phone(columns.value(cells, "telefon")),
        priority=priority,
        last_contact=last_contact,
        visit_place=visit_place,
        availability=availability,
        appointment=appointment,
        duration_min=duration,
        notes=notes,
        manual_position=position,
        meeting_place=meeting_place,
    )
    return _Outcome(client, warning_messages)


def _address(columns: ColumnMap, cells: Sequence[str]) -> Address:
    """Assemble the address, splitting ``PLZ Ort`` written into a single column."""
    street = join_street(columns.value(cells, "strasse"), columns.value(cells, "hausnummer"))
    postcode = columns.value(cells, "plz").replace(" ", "")
    place = columns.value(cells, "ort")
    combined = columns.value(cells, "plz_ort")
    if combined and not (postcode or place):
        match = _LEADING_PLZ.match(combined)
        postcode, place = (match["plz"], match["ort"]) if match else ("", combined)
    if place and not postcode and (match := _LEADING_PLZ.match(place)):
        postcode, place = match["plz"], match["ort"]
    if street and not (postcode or place) and (match := _TRAILING_LOCALITY.match(street)):
        street, postcode, place = match["street"].rstrip(", "), match["plz"], match["ort"]
    return Address(
        street=street,
        postcode=postcode,
        place=place,
        district=columns.value(cells, "ortsteil"),
    )


def _inside(moment: datetime, windows: Sequence[WeeklyWindow]) -> bool:
    minute = moment.hour * 60 + moment.minute
    return any(w.weekday == moment.weekday() and w.start <= minute < w.end for w in windows)
