"""Pure text helpers for German place and street names (no data, no I/O).

The job-centre exports write the same place in many ways: "Haiger-Dillbrecht",
"Dillbrecht", "Driedorf OT Roth", "35708 Haiger", "Wetzlar (Naunheim)". This module only
produces normalised keys and candidate *readings*; which reading is a real place is
decided by the gazetteer.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from planner.model import Address

__all__ = [
    "PlaceReading",
    "fold",
    "looks_like_street",
    "name_key",
    "normalize_street",
    "parse_query",
    "split_house_number",
    "split_place",
    "split_postcode",
]

# --------------------------------------------------------------------------- folding

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
# Hyphen-like characters seen in exports (Word, Excel, PDFs) → ASCII hyphen.
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_NOT_WORD = re.compile(r"[^\w\s-]|_")
_SPACED_HYPHEN = re.compile(r"\s*-[\s-]*")


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_UMLAUTS)
    # Remaining accents (é, ç, …) are dropped rather than transliterated.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _DASHES.sub("-", text.replace("\u00ad", ""))
    text = _NOT_WORD.sub(" ", text)
    text = " ".join(text.split())
    return _SPACED_HYPHEN.sub("-", text).strip("-").strip()


def fold(text: str) -> str:
    """Comparison form of a name: lowercase, umlauts as ae/oe/ue, ß as ss, no punctuation.

    Already folded input gives the same result ("Rossbach" == "Roßbach"); hyphens and
    dashes become one ``-`` without surrounding spaces, whitespace is collapsed.
    """
    # Unicode case mapping and normalisation do not commute for a few exotic
    # characters; iterating to the fixed point keeps fold() idempotent for any input.
    for _ in range(4):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


def name_key(text: str) -> str:
    """Lookup key: the folded name without spaces and hyphens.

    "Klein-Altenstädten", "Klein Altenstädten" and "Kleinaltenstädten" share one key.
    """
    return fold(text).replace("-", "").replace(" ", "")


# --------------------------------------------------------------------------- places


class PlaceReading(NamedTuple):
    """One way to read a place text: municipality part and Ortsteil part.

    ``municipality`` is empty when the text names a single place, which may be a
    municipality or an Ortsteil ("Haiger", "Dillbrecht").
    """

    municipality: str
    ortsteil: str


_PLZ = re.compile(r"(?<!\d)(?:D\s*-\s*)?(\d{5})(?!\d)")
# "OT", "Ortsteil", "Stadtteil" (also "OT." / "OT:") as a separate word.
_OT_MARKER = re.compile(r"(?i)(?:^|(?<=[\s,;(]))(?:ot|ortsteil|stadtteil)(?:[.:]|(?=\s|$))")
# "Stadt Wetzlar", "Gemeinde Lahnau"; "Aßlar, Stadt" (official form of the name).
_ADMIN_PREFIX = re.compile(r"(?i)^(?:stadt|gemeinde)\s+(?=\S)")
_ADMIN_SUFFIX = re.compile(r"(?i)\s*,\s*(?:stadt|gemeinde)\s*$")
_PAREN = re.compile(r"^(?P<outer>[^()]*)\((?P<inner>[^()]*)\)(?P<rest>[^()]*)$")
_STRIP = " \t,;:/-."
_MAX_TEXT = 200
_MAX_READINGS = 60


def _clean(text: str) -> str:
    text = " ".join(_DASHES.sub("-", text).split()).strip(_STRIP)
    if text.count("(") != text.count(")"):
        # A cut through "Wetzlar (Naunheim)" leaves a lone bracket: drop all brackets.
        text = _clean(text.replace("(", " ").replace(")", " "))
    elif text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = _clean(text[1:-1])
    return text


def split_postcode(text: str) -> tuple[str, str]:
    """Split off the first five-digit postcode: ``"35708 Haiger"`` → ``("35708", "Haiger")``."""
    match = _PLZ.search(text)
    if match is None:
        return "", _clean(text)
    rest = text[: match.start()] + " " + text[match.end() :]
    return match.group(1), _clean(rest)


def _split_points(text: str) -> list[tuple[str, str]]:
    """All (left, right) cuts at separators, strongest separator first."""
    cuts: list[tuple[str, str]] = []
    for sep in (
        re.compile(r"\s*[,;]\s*"),
        re.compile(r"\s+-\s+"),
        re.compile(r"\s*/\s*"),
        re.compile(r"-"),
        re.compile(r"\s+"),
    ):
        for match in sep.finditer(text):
            left, right = _clean(text[: match.start()]), _clean(text[match.end() :])
            if left and right:
                cuts.append((left, right))
    return cuts


def split_place(text: str) -> list[PlaceReading]:
    """Candidate readings of an ``Ort`` text, most plausible first.

    The whole text is always the first reading (one name such as "Klein-Altenstädten" or
    "Silhöfer Aue/Westend"); then explicit markers ("Driedorf OT Roth", "Ortsteil Roth",
    "Wetzlar (Naunheim)"), then every cut at a comma, spaced dash, slash, hyphen or space,
    in both orders ("Haiger-Dillbrecht" and "Dillbrecht-Haiger"). A postcode is ignored.
    """
    _, text = split_postcode(text[:_MAX_TEXT])
    text = _ADMIN_SUFFIX.sub("", _ADMIN_PREFIX.sub("", text))
    text = _clean(text)
    if not text:
        return []
    readings: list[PlaceReading] = []

    def add(municipality: str, ortsteil: str) -> None:
        municipality, ortsteil = _clean(municipality), _clean(ortsteil)
        if ortsteil and len(readings) < _MAX_READINGS:
            reading = PlaceReading(municipality, ortsteil)
            if reading not in readings:
                readings.append(reading)

    marker = _OT_MARKER.search(text)
    if marker is not None:
        left, right = text[: marker.start()], text[marker.end() :]
        add(left, right)
        if _clean(left):
            add(right, left)  # columns written the other way round
        text = _clean(f"{left} {right}")
    add("", text)
    paren = _PAREN.match(text)
    if paren is not None:
        outer = f"{paren['outer']} {paren['rest']}"
        add(outer, paren["inner"])
        add(paren["inner"], outer)
    for left, right in _split_points(text):
        add(left, right)
        add(right, left)
    # The whole text first even when a marker was found: "OT Roth" alone is ("", "Roth").
    readings.sort(key=lambda r: 0 if not r.municipality else 1)
    return readings


# --------------------------------------------------------------------------- streets

_STR_WORD = re.compile(r"\b([Ss])tr(?:\.|\b)\s*")  # "Herborner Str. 27"
_STR_GLUED = re.compile(r"(?<=[^\W\d_])str(?:\.|\b)\s*")  # "Hauptstr. 12"
_STRASSE = re.compile(r"([Ss])trasse\b")
_HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\S)?\s*(?<![\w-])(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$"
)
_STREET_SUFFIX = re.compile(
    r"(?i)(?:stra(?:ss|ß)e|str\.?|weg|gasse|allee|platz|ring|pfad|steg|ufer|damm)$"
)


def normalize_street(text: str) -> str:
    """Expand the usual abbreviations: "Hauptstr. 12" → "Hauptstraße 12"."""
    text = " ".join(_DASHES.sub("-", text).split())

    def _word(match: re.Match[str]) -> str:
        return f"{match.group(1)}traße "

    text = _STR_WORD.sub(_word, text)
    text = _STR_GLUED.sub("straße ", text)
    text = _STRASSE.sub(lambda m: f"{m.group(1)}traße", text)
    return " ".join(text.split())


def split_house_number(text: str) -> tuple[str, str]:
    """``"Hauptstr. 12a"`` → ``("Hauptstraße", "12a")``; no number → ``(street, "")``."""
    street = normalize_street(text)
    match = _HOUSE_NUMBER.match(street)
    if match is None:
        return street, ""
    number = re.sub(r"\s+", "", match["number"])
    return (match["street"] or "").strip(), number


def looks_like_street(text: str) -> bool:
    """True for "Hauptstr. 5", "Am Markt 3" or "Herborner Straße" (not for place names)."""
    street, number = split_house_number(text)
    if number and street and re.search(r"[^\W\d_]{2}", street):
        return True
    return bool(_STREET_SUFFIX.search(street))


# --------------------------------------------------------------------------- free text

_NOISE_PARTS = {"deutschland", "germany", "de", "hessen", "lahn-dill-kreis", "lahn dill kreis"}
_STREET_THEN_PLACE = re.compile(
    r"^(?P<street>.*?[^\W\d_].*?\s\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)\s+(?P<place>[^\d,]+)$"
)


def parse_query(text: str) -> Address:
    """Split a one-line address into street, postcode and place.

    Understands "Hauptstr. 5, 35745 Herborn-Seelbach", "35708 Haiger-Dillbrecht",
    "Driedorf, OT Roth" and "Hauptstr. 5 35745 Herborn"; what is not clearly a street
    stays part of the place text.
    """
    text = " ".join(text[:_MAX_TEXT].split())
    parts = [p.strip() for p in re.split(r"[,;\n]", text) if p.strip()]
    parts = [p for p in parts if fold(p) not in _NOISE_PARTS]
    postcode = street = ""
    places: list[str] = []
    for part in parts:
        match = _PLZ.search(part)
        if match is not None and not postcode:
            postcode = match.group(1)
            before, after = _clean(part[: match.start()]), _clean(part[match.end() :])
            if before and not street and looks_like_street(before):
                street = before
            elif before:
                places.append(before)
            if after:
                places.append(after)
            continue
        if not street and len(parts) > 1 and looks_like_street(part):
            street = part
            continue
        if not street and len(parts) == 1:
            glued = _STREET_THEN_PLACE.match(part)
            if glued is not None and looks_like_street(glued["street"]):
                street, part = glued["street"], glued["place"]
        places.append(part)
    return Address(street=street, postcode=postcode, place=", ".join(places))
