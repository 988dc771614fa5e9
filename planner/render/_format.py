"""German formatting helpers shared by the map, the route sheets and the CSV/summary."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache
from html import escape

import pyphen

from planner.model import (
    WEEKDAYS_DE,
    WEEKDAYS_LONG_DE,
    Address,
    Precision,
    Stop,
    Tour,
    Unplanned,
    hhmm,
)

#: How exact a position is, in words a coach understands.
PRECISION_DE: dict[Precision, str] = {
    Precision.MANUAL: "manuell gesetzt (genau)",
    Precision.HOUSE_NUMBER: "Hausnummer (genau)",
    Precision.STREET: "Straße (Hausnummer ungefähr)",
    Precision.ORTSTEIL: "Ortsteil-Mitte (ungefähr)",
    Precision.MUNICIPALITY: "Gemeinde-Mitte (grob)",
}

#: Shown wherever driving times appear and the plan uses the offline estimate.
ESTIMATE_NOTE = "Fahrzeiten geschätzt (Luftlinie × Umwegfaktor)"


def travel_note(estimate: bool, model: str) -> str:
    """How driving figures were obtained, said once; estimates always say so."""
    if not estimate:
        return model or "Fahrzeiten aus Straßennetz"
    if "geschätzt" in model:
        return model  # the model describes itself as an estimate already
    return f"{ESTIMATE_NOTE}: {model}" if model else ESTIMATE_NOTE


#: Printed on every sheet: the papers carry social data (§ 35 SGB I).
PRIVACY_NOTE = "Enthält Sozialdaten – nicht liegen lassen, nach Gebrauch vernichten"


def esc(text: object) -> str:
    """HTML-escape any value (client data may contain markup)."""
    return escape(str(text), quote=True)


def clock(moment: datetime) -> str:
    """``08:05`` for a datetime."""
    return hhmm(moment.hour * 60 + moment.minute)


def date_de(day: date) -> str:
    """``30.11.2026``."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def date_long_de(day: date) -> str:
    """``Montag, 30.11.2026``."""
    return f"{WEEKDAYS_LONG_DE[day.weekday()]}, {date_de(day)}"


def date_short_de(day: date) -> str:
    """``Mo 30.11.``."""
    return f"{WEEKDAYS_DE[day.weekday()]} {day.day:02d}.{day.month:02d}."


def minutes_de(minutes: int) -> str:
    """``45 min`` or ``1 h 05 min``."""
    minutes = max(0, int(minutes))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def decimal_de(value: float, digits: int = 1) -> str:
    """A number with a decimal comma (German Excel and readers expect it)."""
    return f"{value:.{digits}f}".replace(".", ",")


def km_de(metres: int) -> str:
    """``12,3 km``."""
    return f"{decimal_de(metres / 1000)} km"


def yes_no(flag: bool) -> str:
    return "ja" if flag else "nein"


def slug(text: str) -> str:
    """A file-name-safe ASCII form of a key (``Coach A`` → ``coach-a``)."""
    folded = text.replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return cleaned or "x"


def tour_label(tour: Tour) -> str:
    """``Mo 30.11. – Anna Becker (Beratungsmobil)``."""
    van = " (Beratungsmobil)" if tour.with_van else ""
    return f"{date_short_de(tour.day)} – {tour.coach.name}{van}"


def stop_locality(stop: Stop) -> str:
    """``Ortsteil Niederscheld · Gemeinde Dillenburg · Region Nord`` (parts present only)."""
    site = stop.visit.site
    parts = []
    if site.ortsteil and site.ortsteil != site.municipality:
        parts.append(f"Ortsteil {site.ortsteil}")
    if site.municipality:
        parts.append(f"Gemeinde {site.municipality}")
    if site.region:
        parts.append(f"Region {site.region}")
    return " · ".join(parts)


def unplanned_address(item: Unplanned) -> Address:
    """The best address known for a client that is not in any tour."""
    if item.client is not None:
        return item.client.address
    return item.address


def unplanned_name(item: Unplanned) -> str:
    if item.client is not None and item.client.name:
        return item.client.name
    return item.name


_LONG_WORD = re.compile(r"[^\W\d_]{12,}")


@cache
def _german() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="de_DE", left=3, right=3)  # as hyphenate-limit-chars


def soft_hyphens(text: str) -> str:
    """``text`` with soft hyphens at the German hyphenation points of its long words.

    The PDF hyphenates by itself (``hyphens: auto``); a browser printing the HTML sheet
    often has no German dictionary and would break a long word in a narrow column
    anywhere ("pflegebedü|rftig"). Soft hyphens are invisible unless a line breaks there.
    """
    return _LONG_WORD.sub(lambda m: str(_german().inserted(m.group(0), hyphen="\u00ad")), text)
