"""Solomon / Gehring–Homberger VRPTW instances: parse the text format, find files, read BKS.

The format (shared by both sets)::

    C101

    VEHICLE
    NUMBER     CAPACITY
      25         200

    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

        0      40         50          0          0       1236          0
        1      45         68         10        912        967         90
    ...

Row 0 is the depot; its due date is the horizon. Files may have CRLF line ends and
trailing blanks. Service must *start* within [ready, due].
"""

from __future__ import annotations

import csv
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from benchmarks._report import SHARED

# Folder under SHARED per class keyword, in the order a selection lists them.
COLLECTIONS = ("solomon", "homberger200", "homberger_large")


@dataclass(frozen=True)
class Instance:
    """One VRPTW instance in the units of the file; index 0 is the depot."""

    name: str
    capacity: int
    max_vehicles: int
    coords: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]

    @property
    def n_customers(self) -> int:
        return len(self.coords) - 1

    @property
    def horizon(self) -> float:
        return self.due[0]


def parse_instance(text: str) -> Instance:
    """Parse the text of one instance file."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("empty instance file")
    name = lines[0]
    upper = [line.upper() for line in lines]
    try:
        vehicle_row = upper.index("VEHICLE") + 2  # skip the "NUMBER CAPACITY" header
        table_row = upper.index("CUSTOMER") + 2  # skip the column header
    except ValueError as exc:
        raise ValueError(f"{name}: missing VEHICLE or CUSTOMER block") from exc
    max_vehicles, capacity = (int(v) for v in lines[vehicle_row].split()[:2])

    rows = [line.split() for line in lines[table_row:]]
    for expected, row in enumerate(rows):
        if len(row) != 7:
            raise ValueError(f"{name}: customer row {expected} has {len(row)} fields, not 7")
        if int(row[0]) != expected:
            # Node ids double as customer ids in routes, so they must be 0, 1, 2, ...
            raise ValueError(f"{name}: customer numbers must run 0, 1, 2, … (got {row[0]})")
    columns = list(zip(*rows, strict=True))
    return Instance(
        name=name,
        capacity=capacity,
        max_vehicles=max_vehicles,
        coords=tuple((float(x), float(y)) for x, y in zip(columns[1], columns[2], strict=True)),
        demand=tuple(int(float(v)) for v in columns[3]),
        ready=tuple(float(v) for v in columns[4]),
        due=tuple(float(v) for v in columns[5]),
        service=tuple(float(v) for v in columns[6]),
    )


def read_instance(path: Path) -> Instance:
    return parse_instance(Path(path).read_text(encoding="ascii"))


def read_bks(csv_path: Path) -> dict[str, tuple[int, float]]:
    """Best-known solutions: instance name → (vehicles, distance)."""
    with Path(csv_path).open(newline="", encoding="utf-8") as handle:
        return {
            row["instance"].strip(): (int(row["vehicles"]), float(row["distance"]))
            for row in csv.DictReader(handle)
        }


def _natural_key(path: Path) -> list[int | str]:
    # c1_2_2 before c1_2_10
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.stem.lower())]


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"), key=_natural_key) if folder.is_dir() else []


def find_instances(selection: str | Iterable[str], root: Path = SHARED) -> list[Path]:
    """Instance files for a selection, in a stable order without duplicates.

    Tokens (separated by blanks or commas): a class keyword (``solomon``, ``homberger200``,
    ``homberger_large``, ``all``) or a case-insensitive glob on the file name without
    ``.txt``, optionally scoped to one folder as ``solomon/R2*``. An unscoped pattern
    searches every folder: ``R2*`` also matches ``r2_2_1``; ``R2??`` does not.
    """
    tokens = selection.replace(",", " ").split() if isinstance(selection, str) else selection
    found: list[Path] = []
    for token in tokens:
        matches = _match(token.strip(), root)
        if not matches:
            raise ValueError(f"no instance matches {token!r} under {root}")
        found += [p for p in matches if p not in found]
    return found


def _match(token: str, root: Path) -> list[Path]:
    key = token.lower()
    if key == "all":
        return [p for c in COLLECTIONS for p in _files(root / c)]
    if key in COLLECTIONS:
        return _files(root / key)
    folder, _, pattern = key.rpartition("/")
    collections = (folder,) if folder else COLLECTIONS
    return [
        p
        for c in collections
        for p in _files(root / c)
        if fnmatch.fnmatchcase(p.stem.lower(), pattern)
    ]


def collection_of(path: Path) -> str:
    """The class keyword of an instance file (its folder name)."""
    return Path(path).parent.name


def instance_class(name: str) -> str:
    """Solomon class of an instance: C1, C2, R1, R2, RC1 or RC2 (also for ``rc1_2_1``)."""
    match = re.match(r"(RC|R|C)([12])", name.upper())
    return f"{match.group(1)}{match.group(2)}" if match else "?"
