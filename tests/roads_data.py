"""Shared road data for the road tests: the real Monaco extract, prepared once per worker.

``prepared_monaco`` imports ``../shared/data/osm/monaco.osm.pbf`` with the real OSRM tools
into a temp folder shared by the xdist workers (a file lock: the second worker finds the
folder prepared and reuses it). ``monaco_plan`` plans a small fictional week in Monaco
with road times, through the same pipeline as ``planner plan``.
"""

from __future__ import annotations

import fcntl
import os
from datetime import date
from pathlib import Path

import pytest

from planner.model import Address, Client, Coach, Office, Plan, Precision, Site, Team, Visit
from planner.pipeline import plan_visits
from planner.solve import SolutionLimit

ROOT = Path(__file__).resolve().parents[1]
MONACO_PBF = ROOT.parent / "shared" / "data" / "osm" / "monaco.osm.pbf"
VALIDATION = ROOT.parent / "shared" / "data" / "lahn-dill" / "validation"

#: Monaco-Ville, Fontvieille, Condamine, Monte-Carlo, Larvotto: fictional clients.
MONACO_STOPS = (
    ("MC-1", 43.73091, 7.42016, "Rue Grimaldi"),
    ("MC-2", 43.72815, 7.41456, "Avenue Albert II"),
    ("MC-3", 43.73633, 7.42143, "Boulevard de Belgique"),
    ("MC-4", 43.74003, 7.42701, "Boulevard des Moulins"),
    ("MC-5", 43.74395, 7.43152, "Avenue Princesse Grace"),
    ("MC-6", 43.73420, 7.41784, "Boulevard Rainier III"),
)
OFFICE = Office("mc", "Büro Monaco", 43.73870, 7.42465, "Place de la Visitation")
MONDAY = date(2026, 11, 30)


def _shared_root(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp()
    # Under xdist every worker has its own basetemp below a common parent.
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def prepare_monaco(factory: pytest.TempPathFactory) -> Path:
    from planner.roads.importer import import_extract

    root = _shared_root(factory)
    folder = root / "monaco-strassen"
    with (root / "monaco-strassen.prep.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        import_extract(MONACO_PBF, folder)  # reused when already prepared
    return folder


def monaco_team() -> Team:
    week = tuple((d, 8 * 60, 17 * 60) for d in range(5))
    coach = Coach("lea", "Lea Fontaine", "mc", "mc", week)
    return Team(coaches=(coach,), offices=(OFFICE,), van=None, default_visit_min=45)


def monaco_visits() -> tuple[Visit, ...]:
    visits = []
    for row, (ident, lat, lon, street) in enumerate(MONACO_STOPS, start=2):
        client = Client(ident, row, Address(street=f"{street} 1", place="Monaco"))
        site = Site(lat, lon, "Monaco", "", "", Precision.HOUSE_NUMBER)
        visits.append(Visit(client, site, 45))
    return tuple(visits)


def monaco_plan(travel: object) -> Plan:
    plan, _ = plan_visits(
        monaco_visits(), (), (), monaco_team(), MONDAY, 1, SolutionLimit(50),
        travel=travel,  # type: ignore[arg-type]
    )  # fmt: skip
    return plan
