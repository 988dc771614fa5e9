"""The daily call list as a CSV to fill in and as a printable page per coach.

The CSV carries, after the information columns, the columns of the outcomes file
(``Kunden-Nr;Datum;Uhrzeit;Coach;Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;Notiz``,
in that relative order, ``Coach`` and ``Art`` pre-filled): a coach fills in Datum,
Uhrzeit and Ergebnis and the file goes straight back into ``planner record``, whose
parser ignores the information columns. Names appear only with ``show_names``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import jinja2

from planner._files import atomic_path
from planner.campaign.calls import CallEntry, CallList
from planner.campaign.codes import AttemptKind, Outcome, TimeBand
from planner.model import Team, hhmm
from planner.render._format import (
    PRIVACY_NOTE,
    clock,
    date_de,
    date_long_de,
    date_short_de,
    decimal_de,
)
from planner.tabular import write_csv

#: Columns of the outcomes file (``planner record``), in its order.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "Kunden-Nr",
    "Datum",
    "Uhrzeit",
    "Coach",
    "Art",
    "Ergebnis",
    "Termin",
    "Besuchsort",
    "Wiedervorlage",
    "Notiz",
)
#: Information columns, placed between ``Kunden-Nr`` and ``Datum``.
_INFO_COLUMNS = ("Telefon", "beste Zeit", "Chance", "Versuche", "letzter Versuch", "Grund")

#: Tick boxes on the printed list: the outcomes a phone call can have, in two rows
#: (somebody answered / nobody did), labelled as the outcomes file expects them.
_CONTACT_OUTCOMES = (Outcome.REACHED, Outcome.CALLBACK, Outcome.APPOINTMENT, Outcome.DECLINED)
_FAILED_OUTCOMES = (Outcome.NOT_REACHED, Outcome.MAILBOX, Outcome.WRONG_NUMBER)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "resources/templates"),
    autoescape=True,  # every client field is untrusted text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def call_columns(*, show_names: bool = False) -> list[str]:
    """Header of the call-list CSV."""
    names = ["Name"] if show_names else []
    return [
        "Reihenfolge",
        OUTCOME_COLUMNS[0],
        *names,
        *_INFO_COLUMNS,
        *OUTCOME_COLUMNS[1:],
    ]


def write_calls_csv(calls: CallList, path: Path, *, show_names: bool = False) -> Path:
    """Write the call list as a CSV to fill in (via :func:`planner.tabular.write_csv`)."""
    rows = []
    for e in calls.entries:
        row = {
            "Reihenfolge": str(e.order),
            "Kunden-Nr": e.case_id,
            "Telefon": e.phone,
            "beste Zeit": e.band.label,
            "Chance": percent_de(e.p),
            "Versuche": str(e.attempts),
            "letzter Versuch": _moment_de(e.last_attempt) if e.last_attempt else "",
            "Grund": e.reason,
            # Left empty for the coach; Coach and Art are the same on every row of a list.
            "Datum": "",
            "Uhrzeit": "",
            "Coach": e.coach,
            "Art": AttemptKind.CALL.label,
            "Ergebnis": "",
            "Termin": "",
            "Besuchsort": "",
            "Wiedervorlage": "",
            "Notiz": "",
        }
        if show_names:
            row["Name"] = e.name
        rows.append(row)
    return write_csv(Path(path), call_columns(show_names=show_names), rows)


def render_calls_html(
    calls: CallList,
    path: Path,
    team: Team,
    *,
    show_names: bool = False,
    created: datetime | None = None,
) -> Path:
    """Write the printable call lists (one page per coach) to ``path``, atomically."""
    html = calls_html(calls, team, show_names=show_names, created=created or datetime.now())
    return _write_atomic(Path(path), html)


def calls_html(calls: CallList, team: Team, *, show_names: bool, created: datetime) -> str:
    """The call lists of one day as an HTML string."""
    return _ENV.get_template("calls.html.j2").render(
        day=date_long_de(calls.day),
        coaches=_coach_views(calls, team, show_names=show_names),
        not_listed=[{"id": case_id, "reason": reason} for case_id, reason in calls.not_listed],
        outcomes={
            "contact": [o.label for o in _CONTACT_OUTCOMES],
            "failed": [o.label for o in _FAILED_OUTCOMES],
        },
        show_names=show_names,
        created=f"Erstellt am {date_de(created.date())} um {clock(created)} Uhr",
        privacy=PRIVACY_NOTE,
    )


def percent_de(p: float) -> str:
    """``23 %``: whole percent, since the estimate is no more exact than that."""
    value = round(p * 100)
    if value < 1:
        return "unter 1 %"
    if value > 99:
        return "über 99 %"
    return f"{decimal_de(value, 0)} %"


# --------------------------------------------------------------------------- view models


def _coach_views(calls: CallList, team: Team, *, show_names: bool) -> list[dict[str, object]]:
    """One section per coach with entries, in team order (unknown keys after them)."""
    known = {c.key: c for c in team.coaches}
    keys = [c.key for c in team.coaches]
    keys += sorted({e.coach for e in calls.entries} - set(keys))
    weekday = calls.day.weekday()
    views: list[dict[str, object]] = []
    for key in keys:
        entries = [e for e in calls.entries if e.coach == key]
        if not entries:
            continue
        coach = known.get(key)
        hours = coach.hours_on(weekday) if coach is not None else None
        views.append(
            {
                "name": coach.name if coach is not None else key,
                "key": key,
                "hours": f"{hhmm(hours[0])}–{hhmm(hours[1])} Uhr" if hours else "–",
                "count": len(entries),
                "by_band": _band_counts(entries),
                "rows": [_row(e, show_names=show_names) for e in entries],
            }
        )
    return views


def _band_counts(entries: list[CallEntry]) -> str:
    parts = []
    for band in TimeBand:
        n = sum(1 for e in entries if e.band is band)
        if n:
            parts.append(f"{_BAND_SHORT[band]} {n}")
    return " · ".join(parts)


def _row(entry: CallEntry, *, show_names: bool) -> dict[str, str]:
    failed = ""
    if entry.failed_calls:
        failed = f"{entry.failed_calls}× nicht erreicht"
    return {
        "nr": str(entry.order),
        "band": _BAND_SHORT[entry.band],
        "band_hours": f"{hhmm(entry.band.start)}–{hhmm(entry.band.end)}",
        "id": entry.case_id,
        "name": entry.name if show_names else "",
        "phone": entry.phone or "–",
        "tel": _tel_href(entry.phone),
        "chance": percent_de(entry.p),
        "attempts": _attempts_de(entry.attempts),
        "failed": failed,
        "last": _moment_short_de(entry.last_attempt) if entry.last_attempt else "",
        "reason": entry.reason,
    }


def _attempts_de(count: int) -> str:
    if count == 0:
        return "noch kein Versuch"
    return f"{count} Versuch" if count == 1 else f"{count} Versuche"


_BAND_SHORT = {
    TimeBand.MORNING: "vormittags",
    TimeBand.AFTERNOON: "nachmittags",
    TimeBand.EVENING: "früher Abend",
}


def _tel_href(phone: str) -> str:
    """``tel:+4964411234`` for tapping on a phone; only digits and a leading plus
    survive, so no client text ends up in a link."""
    digits = re.sub(r"[^0-9]", "", phone)
    if not digits:
        return ""
    return "tel:" + ("+" if phone.strip().startswith("+") else "") + digits


def _moment_short_de(moment: datetime) -> str:
    """``Mi 25.11. 13:05``."""
    return f"{date_short_de(moment.date())} {clock(moment)}"


def _moment_de(moment: datetime) -> str:
    """``30.11.2026 14:05``."""
    return f"{date_de(moment.date())} {clock(moment)}"


def _write_atomic(path: Path, text: str) -> Path:
    """Write beside the target and rename over it: never a torn file."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path
