"""Parsers for single cells of the client list (and the coach hours of the team file).

Every parser is a pure function: it takes the text of one cell and returns a value or
raises :class:`FieldError` with a German explanation. No parser raises anything else,
whatever the input (a property test checks this).

Decisions about the availability language (documented for users in
``data/vorlage/README.md``):

- ``vormittags`` = 08:00-12:00, ``nachmittags`` = 13:00-17:00, ``ganztags`` = 08:00-17:00;
- ``täglich`` = Mo-So (the solver only uses the days the coaches work);
  ``werktags``/``wochentags`` = Mo-Fr (colloquial meaning), ``Wochenende`` = Sa, So;
- times without days apply to the days of the group before (``Mo 9-12 / 14-16``), or to
  Mo-Fr when no days were named at all; days without times mean the whole day (00:00-24:00);
- groups are separated by ``;``, ``/``, ``|`` or a line break; a group that names only days
  shares the times of the next group, so ``Di/Do 14-17`` means Tuesday and Thursday;
- an end time of ``24:00`` is allowed (minute 1440), windows never cross midnight.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from planner.model import WEEKDAYS_DE, WEEKDAYS_LONG_DE, VisitPlace, WeeklyWindow

DAY_MIN = 24 * 60

#: Meaning of the time-of-day words (minutes after midnight).
MORNING = (8 * 60, 12 * 60)
AFTERNOON = (13 * 60, 17 * 60)
WHOLE_WORKDAY = (8 * 60, 17 * 60)

#: Plausible WGS84 range for Germany with a margin (the district check comes later).
LAT_RANGE = (47.0, 56.0)
LON_RANGE = (5.0, 16.0)

#: Longest visit that still fits into one working day.
MAX_DURATION_MIN = 480

AVAILABILITY_HINT = (
    "Erwartet wird z. B. „Mo-Fr 09:00-12:00; Di, Do 14:00-17:00“ "
    "(Tage Mo Di Mi Do Fr Sa So, Uhrzeiten von-bis, Gruppen mit „;“ trennen)."
)
DATE_HINT = "Erwartet wird ein Datum wie „24.11.2026“ oder „2026-11-24“."
APPOINTMENT_HINT = "Erwartet wird Datum und Uhrzeit, z. B. „02.12.2026 10:30“."
PRIORITY_HINT = "Erlaubt sind 1 (hoch), 2 (mittel), 3 (niedrig)."
DURATION_HINT = "Erwartet werden Minuten, z. B. „45“, „45 min“, „1:30“ oder „1,5 h“."
PLACE_HINT = "Erlaubt sind „Wohnung“, „Café“ oder „Beratungsmobil“ (leer = Wohnung)."
COORD_HINT = "Erwartet werden Dezimalgrad, z. B. Breite „50,5526“ und Länge „8,5042“."


class FieldError(ValueError):
    """A cell value that cannot be used.

    ``text`` says what is wrong (short, German), ``hint`` what the user should do.
    ``field`` optionally names the canonical field at fault when a parser looks at
    several cells (coordinates).
    """

    def __init__(self, text: str, hint: str = "", *, field: str | None = None) -> None:
        super().__init__(f"{text} {hint}".strip())
        self.text = text
        self.hint = hint
        self.field = field

    @property
    def full(self) -> str:
        """Problem and advice in one German text."""
        return f"{self.text} {self.hint}".strip()


# --------------------------------------------------------------------------- text folding


def fold(text: str) -> str:
    """Lower-case, umlauts spelled out (ä → ae, ß → ss), other accents dropped (é → e)."""
    text = unicodedata.normalize("NFC", text).casefold()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _quote(text: str) -> str:
    """Quote a user's value German-style, shortened so messages stay readable."""
    text = " ".join(text.split())
    if len(text) > 60:
        text = text[:57] + "…"
    return f"„{text}“"


# --------------------------------------------------------------------------- Kunden-Nr

#: Longest Kunden-Nr accepted. Real numbers are short: the BA customer number has 10
#: characters ("123D456789"), a BG number 14 ("12345BG0012345"), local ones like "BM-1001"
#: fewer. A longer cell is almost always a whole row in one cell (written with "," under
#: a ";" header), which holds the person's name and must not reach any output.
MAX_CLIENT_ID_CHARS = 20

#: Characters allowed inside a Kunden-Nr besides letters and digits.
CLIENT_ID_SEPARATORS = "-/._ "

CLIENT_ID_HINT = (
    "Eine Kunden-Nr besteht aus höchstens 20 Buchstaben und Ziffern, dazwischen sind "
    "„-“, „/“, „.“, „_“ und Leerzeichen erlaubt (z. B. „123D456789“ oder „BM-1001“)."
)

_DELIMITER_NAMES = {
    ",": ("ein Komma", "Kommas statt Semikolons"),
    ";": ("ein Semikolon", "Semikolons statt Kommas"),
    "\t": ("einen Tabulator", "Tabulatoren statt Semikolons"),
}


def parse_client_id(text: str) -> str:
    """Check that a Kunden-Nr cell looks like an ID; return it stripped ('' if empty).

    The error never quotes the cell: a cell that fails here typically holds a whole row
    with the person's name, and error texts end up in reports and on screen.
    """
    value = text.strip()
    intro = "Die Kunden-Nr sieht nicht wie eine Kunden-Nr aus"
    for char, (name, swap) in _DELIMITER_NAMES.items():
        if char in value:
            raise FieldError(
                f"{intro}: sie enthält {name}.",
                f"Wurde die Zeile mit {swap} geschrieben? Dann steht die ganze Zeile in "
                "einer Zelle. Bitte die Liste mit demselben Trennzeichen wie die "
                "Überschrift speichern (in Excel: „CSV UTF-8“).",
            )
    if any(char in "\r\n\x0b\x0c\x85\u2028\u2029" for char in value):
        raise FieldError(f"{intro}: sie enthält einen Zeilenumbruch.", CLIENT_ID_HINT)
    if len(value) > MAX_CLIENT_ID_CHARS:
        raise FieldError(
            f"{intro}: sie ist {len(value)} Zeichen lang, erlaubt sind höchstens "
            f"{MAX_CLIENT_ID_CHARS}. Steht dort mehr als die Nummer, z. B. auch der Name?",
            CLIENT_ID_HINT,
        )
    for char in value:
        if not (char.isalnum() or char in CLIENT_ID_SEPARATORS):
            # One character cannot identify anyone; control characters are shown as codes.
            shown = f"„{char}“" if char.isprintable() else f"U+{ord(char):04X}"
            raise FieldError(f"{intro}: sie enthält das Zeichen {shown}.", CLIENT_ID_HINT)
    return " ".join(value.split())


# --------------------------------------------------------------------------- availability

_DAY_NAMES: dict[str, int] = {}
for _index, (_short, _long) in enumerate(
    zip(
        ("mo", "di", "mi", "do", "fr", "sa", "so"),
        ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"),
        strict=True,
    )
):
    _DAY_NAMES[_short] = _index
    _DAY_NAMES[_long] = _index
    _DAY_NAMES[_long + "s"] = _index
_DAY_NAMES["sonnabend"] = _DAY_NAMES["sonnabends"] = 5


def weekday_number(text: str) -> int | None:
    """0 for "Mo"/"Montag"/"montags" … 6 for Sunday; None if it is no weekday."""
    return _DAY_NAMES.get(text.strip().casefold().rstrip("."))


_DAY_WORDS: dict[str, tuple[int, ...]] = {
    "taeglich": tuple(range(7)),
    "jeden tag": tuple(range(7)),
    "werktags": tuple(range(5)),
    "werktaeglich": tuple(range(5)),
    "wochentags": tuple(range(5)),
    "wochenende": (5, 6),
    "am wochenende": (5, 6),
}

_TIME_WORDS: dict[str, tuple[int, int]] = {
    "vormittags": MORNING,
    "vormittag": MORNING,
    "vorm.": MORNING,
    "nachmittags": AFTERNOON,
    "nachmittag": AFTERNOON,
    "nachm.": AFTERNOON,
    "ganztags": WHOLE_WORKDAY,
    "ganztaegig": WHOLE_WORKDAY,
}


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so "montags" wins over "mo".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_DAY = rf"(?:{_alternation(_DAY_NAMES)})(?![a-z])\.?"
_TIME = r"\d+(?:[:.]\d+)?"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<group>[;/|\n])
  | (?P<sep>,|&|\+|\b(?:und|sowie|oder)\b)
  | (?P<filler>\b(?:von|am|an|jeweils|nur|ca\.?|zwischen)\b)
  | (?P<dayrange>(?P<d1>{_DAY})\s*-\s*(?P<d2>{_DAY}))
  | (?P<dayword>\b(?:{_alternation(_DAY_WORDS)})(?![a-z]))
  | (?P<day>\b{_DAY})
  | (?P<timeword>\b(?:{_alternation(_TIME_WORDS)})(?![a-z]))
  | (?P<timerange>(?P<t1>{_TIME})\s*-\s*(?P<t2>{_TIME}))
  | (?P<lonetime>{_TIME})
  | (?P<other>[^\s;/|,&+]+)
    """,
    re.VERBOSE,
)


def _day_index(token: str) -> int:
    return _DAY_NAMES[token.rstrip(".")]


def _parse_clock(token: str, *, is_end: bool, original: str) -> int:
    """``9``, ``09:00``, ``9.30`` → minutes after midnight; ``24:00`` only as an end."""
    hour_text, _, minute_text = token.replace(".", ":").partition(":")
    if len(hour_text) > 2 or (minute_text and len(minute_text) != 2):
        raise FieldError(
            f"Die Uhrzeit „{token}“ in {_quote(original)} ist unklar.", AVAILABILITY_HINT
        )
    hour, minute = int(hour_text), int(minute_text or 0)
    if minute >= 60 or hour > 24 or (hour == 24 and (minute or not is_end)):
        shown = f"{hour:02d}:{minute:02d}"
        raise FieldError(
            f"Die Uhrzeit {shown} in {_quote(original)} gibt es nicht.", AVAILABILITY_HINT
        )
    return hour * 60 + minute


@dataclass
class _Clause:
    """Days and time ranges that belong together while tokenising (internal, mutable)."""

    days: list[int]
    times: list[tuple[int, int]]
    times_first: bool = False


def parse_availability(text: str) -> tuple[WeeklyWindow, ...]:
    """Parse weekly availability such as ``Mo-Fr 09:00-12:00; Di, Do 14:00-17:00``.

    Returns windows sorted by weekday and start, overlapping or touching windows of a
    day merged. Empty text → ``()`` (any time within working hours).
    """
    original = text
    norm = unicodedata.normalize("NFKC", text).casefold()
    norm = fold(norm).replace("\r\n", "\n").replace("\r", "\n")
    norm = re.sub(r"[\u2010-\u2015\u2212]", "-", norm)  # typographic dashes
    norm = re.sub(r"\bbis\b", "-", norm)
    norm = re.sub(r"\buhr\b", " ", norm)
    norm = re.sub(rf"\bzwischen\s+({_TIME})\s*(?:und|-)\s*({_TIME})", r"\1-\2", norm)
    if not norm.strip():
        return ()

    clauses: list[tuple[list[int], list[tuple[int, int]]]] = []
    current = _Clause([], [])

    def flush() -> None:
        nonlocal current
        if current.days or current.times:
            clauses.append((current.days, current.times))
        current = _Clause([], [])

    def add_days(days: tuple[int, ...] | list[int]) -> None:
        if current.times and current.days and not current.times_first:
            flush()  # "Mo 9-12, Mi …": a new clause starts
        if current.times and not current.days:
            current.times_first = True  # "9-12 Mo, Mi": times written before the days
        current.days.extend(days)

    def add_time(span: tuple[int, int]) -> None:
        if current.times_first and current.days:
            flush()
        current.times.append(span)

    for match in _TOKEN.finditer(norm):
        kind = _token_kind(match)
        token = match.group(0)
        if kind in {"space", "sep", "filler"}:
            continue
        if kind == "group":
            if current.times:  # a days-only group continues into the next one
                flush()
        elif kind == "day":
            add_days([_day_index(token)])
        elif kind == "dayrange":
            first, last = _day_index(match.group("d1")), _day_index(match.group("d2"))
            add_days([(first + i) % 7 for i in range((last - first) % 7 + 1)])
        elif kind == "dayword":
            add_days(_DAY_WORDS[" ".join(token.split())])
        elif kind == "timeword":
            add_time(_TIME_WORDS[token])
        elif kind == "timerange":
            start = _parse_clock(match.group("t1"), is_end=False, original=original)
            end = _parse_clock(match.group("t2"), is_end=True, original=original)
            if end == start:
                raise FieldError(
                    f"Beginn und Ende sind gleich ({token.strip()}) in {_quote(original)}.",
                    AVAILABILITY_HINT,
                )
            if end < start:
                raise FieldError(
                    f"Das Ende liegt vor dem Beginn ({token.strip()}) in {_quote(original)}.",
                    AVAILABILITY_HINT,
                )
            add_time((start, end))
        elif kind == "lonetime":
            raise FieldError(
                f"Zu „{token}“ fehlt Beginn oder Ende des Zeitraums in {_quote(original)}.",
                AVAILABILITY_HINT,
            )
        else:
            raise FieldError(
                f"„{token}“ ist kein Wochentag und keine Uhrzeit ({_quote(original)}).",
                AVAILABILITY_HINT,
            )
    flush()

    windows: list[WeeklyWindow] = []
    previous_days: list[int] = list(range(5))  # times without any days: working days
    for days, times in clauses:
        # "Mo 9-12 / 14-16": a group with times only keeps the days of the group before.
        days = days or previous_days
        previous_days = days
        for day in days:
            for start, end in times or [(0, DAY_MIN)]:  # days without times: whole day
                windows.append(WeeklyWindow(day, start, end))
    return merge_windows(windows)


def _token_kind(match: re.Match[str]) -> str:
    for name in (
        "space", "group", "sep", "filler", "dayrange", "dayword", "day",
        "timeword", "timerange", "lonetime",
    ):  # fmt: skip
        if match.group(name) is not None:
            return name
    return "other"


def merge_windows(windows: Iterable[WeeklyWindow]) -> tuple[WeeklyWindow, ...]:
    """Sort windows and merge those that overlap or touch on the same weekday."""
    merged: list[WeeklyWindow] = []
    for window in sorted(windows):
        last = merged[-1] if merged else None
        if last and last.weekday == window.weekday and window.start <= last.end:
            merged[-1] = WeeklyWindow(last.weekday, last.start, max(last.end, window.end))
        else:
            merged.append(window)
    return tuple(merged)


def _clock(minutes: int) -> str:
    # Unlike ``planner.model.hhmm`` this keeps 24:00 (end of day) instead of wrapping.
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_list(days: list[int]) -> str:
    """``[0, 1, 2, 4]`` → ``Mo-Mi, Fr``."""
    parts: list[str] = []
    run: list[int] = []
    for day in sorted(days) + [99]:
        if run and day != run[-1] + 1:
            if len(run) >= 3:
                parts.append(f"{WEEKDAYS_DE[run[0]]}-{WEEKDAYS_DE[run[-1]]}")
            else:
                parts.extend(WEEKDAYS_DE[d] for d in run)
            run = []
        run.append(day)
    return ", ".join(parts)


def format_availability(windows: Iterable[WeeklyWindow]) -> str:
    """Canonical text of availability windows; ``parse_availability`` reads it back.

    Days with identical windows are grouped: ``Mo-Fr 09:00-12:00; Di, Do 14:00-17:00``.
    """
    by_day: dict[int, list[tuple[int, int]]] = {}
    for window in merge_windows(windows):
        by_day.setdefault(window.weekday, []).append((window.start, window.end))
    groups: dict[tuple[tuple[int, int], ...], list[int]] = {}
    for day, spans in by_day.items():
        groups.setdefault(tuple(spans), []).append(day)
    parts = []
    for group_spans, days in sorted(groups.items(), key=lambda item: min(item[1])):
        times = ", ".join(f"{_clock(s)}-{_clock(e)}" for s, e in group_spans)
        parts.append(f"{_day_list(days)} {times}")
    return "; ".join(parts)


# --------------------------------------------------------------------------- dates and times

_WEEKDAY_PREFIX = r"(?:(?P<wd>mo|di|mi|do|fr|sa|so)[a-z]*\.?,?\s+)?"
_DATETIME = re.compile(
    rf"""^\s*{_WEEKDAY_PREFIX}
    (?:(?P<d>\d{{1,2}})\s*\.\s*(?P<m>\d{{1,2}})\s*\.\s*(?P<y>\d{{4}}|\d{{2}})
      |(?P<iy>\d{{4}})-(?P<im>\d{{1,2}})-(?P<id>\d{{1,2}}))
    (?:(?:\s*,\s*|\s+|t)(?:um\s+)?
       (?:(?P<hh>\d{{1,2}})[:.](?P<mm>\d{{2}})(?:[:.]\d{{2}}(?:\.\d+)?)?\s*(?:uhr)?
         |(?P<h>\d{{1,2}})\s*uhr))?
    \s*$""",
    re.VERBOSE,
)

_MONTHS_DE = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip


def _split_datetime(text: str, hint: str) -> tuple[date, time | None]:
    """Parse a German or ISO date with an optional time of day."""
    match = _DATETIME.match(fold(text))
    if not match:
        raise FieldError(f"{_quote(text)} ist kein Datum, das ich lesen kann.", hint)
    if match.group("d"):
        day, month, year = int(match["d"]), int(match["m"]), int(match["y"])
        if len(match["y"]) == 2:  # same pivot as strptime's %y: 69 → 2069, 70 → 1970
            year += 2000 if year < 70 else 1900
    else:
        day, month, year = int(match["id"]), int(match["im"]), int(match["iy"])
    if not 1 <= month <= 12:
        raise FieldError(f"Im Datum {_quote(text)} gibt es den Monat {month} nicht.", hint)
    if not 1950 <= year <= 2099:
        raise FieldError(f"Das Jahr {year} in {_quote(text)} ist nicht plausibel.", hint)
    month_days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= month_days:
        raise FieldError(
            f"Den {day:02d}.{month:02d}.{year} gibt es nicht "
            f"(der {_MONTHS_DE[month - 1]} {year} hat {month_days} Tage).",
            hint,
        )
    result = date(year, month, day)
    if match["wd"] is not None and _DAY_NAMES[match["wd"]] != result.weekday():
        raise FieldError(
            f"Der {result:%d.%m.%Y} ist ein {WEEKDAYS_LONG_DE[result.weekday()]}, "
            f"im Feld steht aber {_quote(text)}.",
            "Bitte Datum oder Wochentag korrigieren.",
        )
    hour_text = match["hh"] or match["h"]
    if hour_text is None:
        return result, None
    hour, minute = int(hour_text), int(match["mm"] or 0)
    if hour > 23 or minute > 59:
        raise FieldError(f"Die Uhrzeit in {_quote(text)} gibt es nicht.", hint)
    return result, time(hour, minute)


def parse_date(text: str) -> date | None:
    """``24.11.2026``, ``24.11.26``, ``2026-11-24``, ``24.11.2026 00:00`` → date; empty → None.

    A time part (as Excel adds to date cells) is accepted and dropped.
    """
    if not text.strip():
        return None
    return _split_datetime(text, DATE_HINT)[0]


def parse_appointment(text: str) -> datetime | None:
    """``02.12.2026 10:30``, ``2.12.2026, 10:30 Uhr``, ``2026-12-02T10:30`` → datetime.

    Empty → None. A date without time is an error, and so is 00:00, which is what a
    spreadsheet shows for a date-only cell.
    """
    if not text.strip():
        return None
    day, clock = _split_datetime(text, APPOINTMENT_HINT)
    if clock is None or clock == time(0, 0):
        raise FieldError(
            f"Termin ohne Uhrzeit: {_quote(text)}.",
            "Bitte die Uhrzeit ergänzen, z. B. „02.12.2026 10:30“, oder das Feld leeren.",
        )
    return datetime.combine(day, clock)


# --------------------------------------------------------------------------- small fields

_PRIORITY_WORDS = {"hoch": 1, "mittel": 2, "normal": 2, "niedrig": 3}
_PRIORITY = re.compile(
    r"^(?:prio(?:ritaet)?\s*)?(?P<n>[1-3])?(?:\.0)?\s*[-:/(]?\s*"
    r"(?P<w>hoch|mittel|normal|niedrig)?\s*\)?$"
)


def parse_priority(text: str) -> int:
    """``1``/``hoch``/``1 (hoch)``/``1 - hoch`` → 1 … 3; empty → 2 (mittel)."""
    norm = " ".join(fold(text).split())
    if not norm:
        return 2
    match = _PRIORITY.match(norm)
    if not match or not (match["n"] or match["w"]):
        raise FieldError(
            f"Unbekannte Priorität {_quote(text)}",
            "– erlaubt sind 1 (hoch), 2 (mittel), 3 (niedrig).",
        )
    number = int(match["n"]) if match["n"] else None
    word = _PRIORITY_WORDS[match["w"]] if match["w"] else None
    if number and word and number != word:
        raise FieldError(f"Priorität {_quote(text)} widerspricht sich.", PRIORITY_HINT)
    return number or word or 2


_HOURS_MINUTES = re.compile(
    r"^(?P<h>\d+)\s*(?::|h|std\.?|stunden?)\s*(?P<m>\d{1,2})\s*(?:min\.?|minuten|m)?$"
)
_AMOUNT = re.compile(
    r"^(?P<n>[-−]?\s*\d+(?:\.\d+)?|[-−]?\s*\.\d+)\s*(?P<u>min\.?|minuten|minute|m|h|std\.?|stunden?)?$"
)


def parse_duration(text: str) -> int | None:
    """Visit length in minutes: ``45``, ``45 min``, ``1:30`` (90), ``1,5 h`` (90); empty → None."""
    norm = " ".join(fold(text).split()).replace(",", ".")
    if not norm:
        return None
    if match := _HOURS_MINUTES.match(norm):
        if int(match["m"]) >= 60:
            raise FieldError(f"Die Dauer {_quote(text)} ist unklar.", DURATION_HINT)
        minutes = float(int(match["h"]) * 60 + int(match["m"]))
    elif match := _AMOUNT.match(norm):
        amount = float(match["n"].replace("−", "-").replace(" ", ""))
        unit = match["u"] or "min"
        minutes = amount * 60 if unit[0] in "hs" else amount
    else:
        raise FieldError(f"Die Dauer {_quote(text)} verstehe ich nicht.", DURATION_HINT)
    if minutes < 0:
        raise FieldError(f"Die Dauer {_quote(text)} ist negativ.", DURATION_HINT)
    if minutes >= MAX_DURATION_MIN + 0.5:  # checked before rounding: float("9" * 400) is inf
        raise FieldError(
            f"Die Dauer {_quote(text)} ist länger als {MAX_DURATION_MIN // 60} Stunden.",
            "Ein Besuch muss in einen Arbeitstag passen; bitte in Minuten angeben, z. B. „90“.",
        )
    rounded = int(minutes + 0.5)
    if rounded == 0:
        raise FieldError(
            f"Die Dauer {_quote(text)} ist null.", f"{DURATION_HINT} Leer lassen = Standarddauer."
        )
    return rounded


_HOME_WORDS = {"wohnung", "zuhause", "hausbesuch", "daheim", "inderwohnung", "wohnungdeskunden"}
_VAN_WORDS = {
    "beratungsmobil",
    "mobil",
    "bus",
    "beratungsbus",
    "immobil",
    "imbus",
    "imberatungsmobil",
}


def parse_visit_place(text: str) -> VisitPlace:
    """``Wohnung``/``zu Hause``/``Hausbesuch`` → HOME, ``Café …`` → CAFE, ``Beratungsmobil``/
    ``Mobil``/``Bus`` → VAN; empty → HOME. A café may be named (``Café am Markt``)."""
    key = re.sub(r"[^a-z]", "", fold(text))
    if not key or key in _HOME_WORDS:
        return VisitPlace.HOME
    if key.startswith("cafe"):
        return VisitPlace.CAFE
    if key in _VAN_WORDS:
        return VisitPlace.VAN
    raise FieldError(f"Unbekannter Besuchsort {_quote(text)}.", PLACE_HINT)


def is_plain_visit_place(text: str) -> bool:
    """True if the cell only names the kind of place (no café name or other detail)."""
    key = re.sub(r"[^a-z]", "", fold(text))
    return key in _HOME_WORDS | _VAN_WORDS | {"", "cafe"}


# --------------------------------------------------------------------------- coordinates

_NUMBER = re.compile(r"^[-−+]?\d+(?:\.\d+)?$")


def _parse_degrees(text: str, label: str, field: str) -> float:
    norm = "".join(text.split()).replace(",", ".").replace("°", "").replace("−", "-")
    if not _NUMBER.match(norm):
        raise FieldError(f"{label} {_quote(text)} ist keine Zahl.", COORD_HINT, field=field)
    return float(norm)


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def validate_position(lat: float, lon: float) -> tuple[float, float]:
    """Check that (lat, lon) can lie in Germany; hint at swapped or separator-less values."""
    lat_ok = LAT_RANGE[0] <= lat <= LAT_RANGE[1]
    lon_ok = LON_RANGE[0] <= lon <= LON_RANGE[1]
    if lat_ok and lon_ok:
        return lat, lon
    swapped = LAT_RANGE[0] <= lon <= LAT_RANGE[1] and LON_RANGE[0] <= lat <= LON_RANGE[1]
    if swapped:
        raise FieldError(
            f"Breite {_num(lat)} und Länge {_num(lon)} liegen nicht in Deutschland – vertauscht?",
            "In Mittelhessen ist die Breite etwa 50,5 und die Länge etwa 8,4.",
            field="breite",
        )
    bad_field, value, label, span = (
        ("breite", lat, "Breite", LAT_RANGE) if not lat_ok else ("laenge", lon, "Länge", LON_RANGE)
    )
    hint = f"Erlaubt ist {_num(span[0])} bis {_num(span[1])}."
    if abs(value) >= 1000:
        hint += " Fehlt das Dezimalkomma?"
    raise FieldError(f"{label} {_num(value)} liegt nicht in Deutschland.", hint, field=bad_field)


def parse_position(lat_text: str, lon_text: str) -> tuple[float, float] | None:
    """``Breite``/``Länge`` cells (decimal comma or point) → (lat, lon); both empty → None."""
    has_lat, has_lon = bool(lat_text.strip()), bool(lon_text.strip())
    if not has_lat and not has_lon:
        return None
    if not has_lon:
        raise FieldError(
            "Breite ist angegeben, Länge fehlt.",
            "Bitte beide Werte eintragen oder beide Felder leer lassen.",
            field="laenge",
        )
    if not has_lat:
        raise FieldError(
            "Länge ist angegeben, Breite fehlt.",
            "Bitte beide Werte eintragen oder beide Felder leer lassen.",
            field="breite",
        )
    lat = _parse_degrees(lat_text, "Breite", "breite")
    lon = _parse_degrees(lon_text, "Länge", "laenge")
    return validate_position(lat, lon)


# --------------------------------------------------------------------------- address parts


def parse_phone(text: str) -> str:
    """Phone numbers are kept as written; only surrounding blanks are removed."""
    return text.strip()


def join_street(street: str, number: str) -> str:
    """``Hauptstraße`` + ``12a`` → ``Hauptstraße 12a`` (no duplicate if already included)."""
    street, number = " ".join(street.split()), " ".join(number.split())
    if not number:
        return street
    if not street:
        return ""  # a house number alone does not locate anything
    if fold(street).endswith(fold(number)) and re.search(r"\d", number):
        return street
    return f"{street} {number}"
