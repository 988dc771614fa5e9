"""Spreadsheet cells the planner writes: formula-safe, and files that are never torn.

Every CSV (and later XLSX) the planner writes goes through here, so the defence against
"CSV injection" lives in one place: a cell from a client list that starts with ``=``,
``+``, ``-``, ``@`` (or a tab / carriage return, which Excel strips before looking) would
be evaluated as a formula by Excel or LibreOffice — ``=HYPERLINK(…)`` exfiltrates data,
``+cmd|…`` runs programs on old installations. Such cells get a leading apostrophe,
which spreadsheets show as plain text. Plain numbers ("-3", "8,5") are left alone so
German Excel still reads them as numbers.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from planner._files import umask

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def defuse(value: str) -> str:
    """The cell text a spreadsheet shows as text, never evaluates."""
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv(
    path: Path,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, str]],
) -> Path:
    """Write a ``;``-separated CSV for German Excel (UTF-8 with BOM), every cell defused.

    The file appears whole or not at all: it is written beside the target and renamed
    over it, so an interrupted run leaves the previous file, never a torn one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # utf-8-sig writes the BOM Excel needs to detect UTF-8 (umlauts in place names).
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.DictWriter(
                stream, fieldnames=list(columns), delimiter=";", lineterminator="\r\n"
            )
            writer.writeheader()
            for row in rows:
                writer.writerow({key: defuse(str(value)) for key, value in row.items()})
        os.chmod(temporary, 0o666 & ~umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
