"""The whole chain in one place: intake → geocode → regions → travel times → solve → render.

Pure orchestration: each stage lives in its own module; this one wires them, keeps
the "nothing lost" promise (every input row ends up in a tour or in the unplanned
list) and writes the output files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from planner import calendar_de, geodata, output_folder
from planner.geocode import geocode_clients
from planner.model import (
    CoachLoad,
    GeocodedClient,
    IntakeResult,
    Message,
    Plan,
    Severity,
    Team,
    Unplanned,
    Visit,
)
from planner.reasons import Reason
from planner.regions import RegionMap, assign_regions
from planner.render._format import decimal_de
from planner.solve import Engine, SolveResult, StoppingCriterion, solve_visits
from planner.solve.problem import coach_day_spans
from planner.traveltime import GreatCircleEstimate, TravelTimeProvider

if TYPE_CHECKING:
    from planner.render.map import RoadOverlay

Progress = Callable[[str], None]


class ConservationError(AssertionError):
    """Internal bug guard: a client went missing between input and output."""


def _quiet(_: str) -> None:
    pass


def geocode_and_regions(
    intake: IntakeResult,
    regions: RegionMap,
    meeting_places: Sequence[tuple[str, str]] | None = None,
) -> tuple[GeocodedClient, ...]:
    located = geocode_clients(intake.clients, source=intake.source, meeting_places=meeting_places)
    return assign_regions(located, regions)


def region_map(team: Team) -> RegionMap:
    return RegionMap(team.regions) if team.regions else RegionMap()


def _not_geocoded(g: GeocodedClient) -> Unplanned:
    errors = [m.text for m in g.messages if m.severity is Severity.ERROR]
    reason = errors[0] if errors else "Adresse konnte nicht zugeordnet werden."
    c = g.client
    return Unplanned(
        c.id, c.row, reason, client=c, name=c.name, address=c.address, code=Reason.ADDRESS
    )


def build_plan(
    intake: IntakeResult,
    team: Team,
    start: date,
    days: int,
    stopping: StoppingCriterion,
    *,
    travel: TravelTimeProvider | None = None,
    progress: Progress = _quiet,
    engine: Engine = "auto",
) -> tuple[Plan, SolveResult]:
    """Plan ``days`` days from ``start`` for the clients of one intake result.

    A time limit in ``stopping`` covers the whole planning (geocoding and model building
    included), so ``--zeitlimit 10`` means a plan after about ten seconds.
    """
    planning_began = time.perf_counter()
    travel = travel or GreatCircleEstimate()
    progress("Adressen zuordnen (offline) …")
    geocoded = geocode_and_regions(intake, region_map(team), team.meeting_places)
    visits = tuple(
        Visit(g.client, g.site, g.client.duration_min or team.default_visit_min)
        for g in geocoded
        if g.site is not None
    )
    not_located = tuple(_not_geocoded(g) for g in geocoded if g.site is None)
    rejected = tuple(
        Unplanned(
            r.client_id, r.row, r.reason, name=r.name, address=r.address, code=Reason.INVALID_ROW
        )
        for r in intake.rejected
    )
    messages = intake.messages + tuple(m for g in geocoded for m in g.messages)
    plan, result = plan_visits(
        visits,
        rejected + not_located,
        messages,
        team,
        start,
        days,
        stopping.remaining(time.perf_counter() - planning_began),
        travel=travel,
        progress=progress,
        engine=engine,
    )
    check_conservation(intake, plan)
    return plan, result


def plan_visits(
    visits: Sequence[Visit],
    unplanned_before: Sequence[Unplanned],
    messages: Sequence[Message],
    team: Team,
    start: date,
    days: int,
    stopping: StoppingCriterion,
    *,
    travel: TravelTimeProvider | None = None,
    progress: Progress = _quiet,
    engine: Engine = "auto",
) -> tuple[Plan, SolveResult]:
    """Solve located visits into a plan; ``unplanned_before`` joins its unplanned list.

    The common core of a one-off list (:func:`build_plan`) and of planning from the
    campaign store (:mod:`planner.workflow`).
    """
    travel = travel or GreatCircleEstimate()
    progress(f"Touren berechnen für {len(visits)} Besuche …")
    began = time.perf_counter()
    result = solve_visits(visits, team, start, days, travel, stopping, engine=engine)
    elapsed = time.perf_counter() - began
    unplanned = tuple(
        sorted(
            tuple(unplanned_before) + result.unplanned, key=lambda u: (u.row or 0, u.client_id)
        )
    )
    plan = Plan(
        start=start,
        days=days,
        tours=result.tours,
        unplanned=unplanned,
        travel_model=travel.description,
        travel_is_estimate=travel.is_estimate,
        solve_seconds=elapsed,
        stop_reason=result.stopping,
        messages=tuple(messages),
        days_off=calendar_de.days_off(team, start, days),
        loads=coach_loads(team, result),
    )
    return plan, result


def coach_loads(team: Team, result: SolveResult) -> tuple[CoachLoad, ...]:
    """Working and planned visit minutes per coach (for the fair-load figures)."""
    working: dict[str, int] = {}
    for (coach, _), span in coach_day_spans(result.problem.shifts).items():
        working[coach] = working.get(coach, 0) + span // 60
    visits: dict[str, int] = {}
    for tour in result.tours:
        minutes = sum(stop.visit.duration_min for stop in tour.stops)
        visits[tour.coach.key] = visits.get(tour.coach.key, 0) + minutes
    return tuple(CoachLoad(c, working.get(c.key, 0), visits.get(c.key, 0)) for c in team.coaches)


def check_conservation(intake: IntakeResult, plan: Plan) -> None:
    """Every input row appears exactly once in the plan: in a tour or as unplanned."""
    expected = sorted(
        [(c.row, c.id) for c in intake.clients] + [(r.row, r.client_id) for r in intake.rejected]
    )
    seen = sorted(
        [(s.visit.client.row, s.visit.client.id) for t in plan.tours for s in t.stops]
        + [(u.row or 0, u.client_id) for u in plan.unplanned]
    )
    if expected != seen:
        missing = sorted(set(expected) - set(seen))
        extra = sorted(set(seen) - set(expected))
        raise ConservationError(f"Clients lost or duplicated: missing={missing} extra={extra}")


@dataclass(frozen=True)
class Outputs:
    map: Path
    sheets: tuple[Path, ...]
    csv: Path
    summary: Path


@dataclass(frozen=True)
class RenderOptions:
    """How outputs look: names only on request, tiles only from a server the user names."""

    show_names: bool = False
    tiles_url: str | None = None
    tiles_attribution: str | None = None
    title: str = ""
    #: Road lines and main roads on the map (``--strassen`` or an own OSRM server).
    roads: RoadOverlay | None = None


def write_outputs(
    plan: Plan, out_dir: Path, team: Team, options: RenderOptions = RenderOptions()
) -> Outputs:
    """Map, route sheets, plan.csv and summary into ``out_dir``, replacing it whole.

    ``out_dir`` ends up holding either its previous contents or the complete new plan
    (see :mod:`planner.output_folder`); the returned paths are the final ones.
    """
    with output_folder.staged(out_dir) as staging:
        written = render_outputs(plan, staging, team, options)
    final = out_dir.absolute()

    def moved(path: Path) -> Path:
        return final / path.relative_to(staging)

    return Outputs(
        moved(written.map),
        tuple(moved(p) for p in written.sheets),
        moved(written.csv),
        moved(written.summary),
    )


def render_outputs(
    plan: Plan, out_dir: Path, team: Team, options: RenderOptions = RenderOptions()
) -> Outputs:
    """Map, route sheets, plan.csv and summary.txt into ``out_dir`` (a fresh folder)."""
    from planner.render import render_map, render_sheets, write_plan_csv, write_summary

    out_dir.mkdir(parents=True, exist_ok=True)
    map_path = render_map(
        plan,
        out_dir / "karte.html",
        boundary=geodata.district_geojson(),
        region_outlines=region_map(team).outlines(),
        show_names=options.show_names,
        tiles_url=options.tiles_url,
        tiles_attribution=options.tiles_attribution,
        title=options.title,
        place_labels={m.name: (m.lat, m.lon) for m in geodata.municipalities()},
        roads=options.roads,
    )
    sheets = render_sheets(plan, out_dir / "laufzettel", show_names=options.show_names)
    csv_path = write_plan_csv(plan, out_dir / "plan.csv", show_names=options.show_names)
    summary = out_dir / "zusammenfassung.txt"
    summary.write_text(write_summary(plan), encoding="utf-8")
    return Outputs(map_path, tuple(sheets), csv_path, summary)


def rows_report(intake: IntakeResult, geocoded: Sequence[GeocodedClient]) -> list[dict[str, str]]:
    """One row per input row for ``planner check`` (German column names)."""
    by_row: dict[int, list[Message]] = {}
    for m in intake.messages:
        if m.row is not None:
            by_row.setdefault(m.row, []).append(m)
    rows: list[dict[str, str]] = []
    for r in intake.rejected:
        texts = [m.text for m in by_row.get(r.row, [])] or [r.reason]
        rows.append(_report_row(r.row, r.client_id, Severity.ERROR, None, texts))
    for g in geocoded:
        messages = by_row.get(g.client.row, []) + list(g.messages)
        severities = {m.severity for m in messages}
        status = (
            Severity.ERROR
            if Severity.ERROR in severities or g.site is None
            else Severity.WARNING
            if Severity.WARNING in severities
            else Severity.OK
        )
        rows.append(_report_row(g.client.row, g.client.id, status, g, [m.text for m in messages]))
    return sorted(rows, key=lambda r: int(r["zeile"]))


def _report_row(
    row: int, client_id: str, status: Severity, g: GeocodedClient | None, texts: list[str]
) -> dict[str, str]:
    site = g.site if g is not None else None
    return {
        "zeile": str(row),
        "kunden_nr": client_id,
        "status": status.value,
        "gemeinde": site.municipality if site else "",
        "ortsteil": site.ortsteil if site else "",
        # Decimal comma, like plan.csv: German Excel reads the numbers as numbers.
        "lat": decimal_de(site.lat, 6) if site else "",
        "lon": decimal_de(site.lon, 6) if site else "",
        "genauigkeit": site.precision.value if site else "",
        "meldung": " | ".join(texts),
    }
