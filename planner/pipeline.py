"""The whole chain in one place: intake → geocode → regions → travel times → solve → render.

Pure orchestration: each stage lives in its own module; this one wires them, keeps
the "nothing lost" promise (every input row ends up in a tour or in the unplanned
list) and writes the output files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from planner import calendar_de, geodata, output_folder
from planner.geocode import geocode_clients
from planner.model import (
    CoachLoad,
    DayOff,
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
from planner.solve import (
    DEFAULT_EFFORT,
    Effort,
    Engine,
    SolveResult,
    StoppingCriterion,
    solve_visits,
)
from planner.solve.problem import coach_day_spans
from planner.traveltime import GreatCircleEstimate, TravelTimeProvider

if TYPE_CHECKING:
    from planner.render.ics import CalendarHistory
    from planner.render.letters import LetterSettings
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
    effort: Effort = DEFAULT_EFFORT,
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
        effort=effort,
    )
    check_conservation(intake, plan)
    return plan, result


def _days_off(team: Team, start: date, days: int, result: SolveResult) -> tuple[DayOff, ...]:
    """Holidays, absences and unused working days, in date order (holidays first)."""
    return tuple(
        sorted((*calendar_de.days_off(team, start, days), *result.idle), key=lambda o: o.day)
    )


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
    effort: Effort = DEFAULT_EFFORT,
) -> tuple[Plan, SolveResult]:
    """Solve located visits into a plan; ``unplanned_before`` joins its unplanned list.

    The common core of a one-off list (:func:`build_plan`) and of planning from the
    campaign store (:mod:`planner.workflow`).
    """
    travel = travel or GreatCircleEstimate()
    progress(f"Touren berechnen für {len(visits)} Besuche …")
    began = time.perf_counter()
    result = solve_visits(visits, team, start, days, travel, stopping, engine=engine, effort=effort)
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
        days_off=_days_off(team, start, days, result),
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
    pdfs: tuple[Path, ...] = ()  # per tour, then per coach for the period
    calendars: tuple[Path, ...] = ()  # per coach
    workbook: Path | None = None
    letters: tuple[Path, ...] = ()
    #: German notes for the user, e.g. why no PDF could be made.
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderOptions:
    """How outputs look: names only on request, tiles only from a server the user names."""

    show_names: bool = False
    tiles_url: str | None = None
    tiles_attribution: str | None = None
    title: str = ""
    #: Road lines and main roads on the map (``--strassen`` or an own OSRM server).
    roads: RoadOverlay | None = None
    #: Route sheets also as PDF (per tour and per coach for the period).
    pdf: bool = True
    #: The street address in calendar events (``--kalender-adressen``); else the place.
    calendar_addresses: bool = False
    #: The output folder this run replaces: its calendars continue the events' versions.
    previous: Path | None = None
    #: The campaign's version and dropped visits for the calendars (plan from the store).
    calendar_history: CalendarHistory | None = None
    #: Announcement letters for every planned visit (``planner plan --briefe``); needs
    #: ``show_names`` (letters carry name and address).
    letters: LetterSettings | None = None
    #: The time printed on the outputs and stamped on calendar events (default: now).
    created: datetime | None = None


def write_outputs(
    plan: Plan, out_dir: Path, team: Team, options: RenderOptions = RenderOptions()
) -> Outputs:
    """Map, route sheets, plan.csv and summary into ``out_dir``, replacing it whole.

    ``out_dir`` ends up holding either its previous contents or the complete new plan
    (see :mod:`planner.output_folder`); the returned paths are the final ones.
    """
    if options.previous is None:
        options = replace(options, previous=out_dir)
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
        tuple(moved(p) for p in written.pdfs),
        tuple(moved(p) for p in written.calendars),
        moved(written.workbook) if written.workbook else None,
        tuple(moved(p) for p in written.letters),
        written.notes,
    )


def render_outputs(
    plan: Plan, out_dir: Path, team: Team, options: RenderOptions = RenderOptions()
) -> Outputs:
    """Map, route sheets (HTML and PDF), calendars, plan.csv, plan.xlsx and summary.txt
    (and letters when asked) into ``out_dir`` (a fresh folder)."""
    from planner.render import render_map, render_sheets, write_plan_csv, write_summary
    from planner.render.ics import CalendarHistory, calendar_name, write_calendars
    from planner.render.minimap import cached_leg_path
    from planner.render.pdf import PdfUnavailable, render_sheet_pdfs, weasyprint, week_pdf_name
    from planner.render.sheet import SheetLinks
    from planner.render.workbook import write_plan_xlsx

    out_dir.mkdir(parents=True, exist_ok=True)
    created = options.created or datetime.now()
    notes: list[str] = []
    if options.letters is not None and not options.show_names:
        from planner.errors import PlannerError
        from planner.render.letters import NEEDS_NAMES

        raise PlannerError(NEEDS_NAMES)
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
    pdf = options.pdf
    if pdf:
        try:
            weasyprint()
        except PdfUnavailable as exc:  # the HTML sheets still print from a browser
            notes.append(f"{exc} Die Laufzettel liegen als HTML vor.")
            pdf = False
    calendars = write_calendars(
        plan, out_dir, created=created, addresses=options.calendar_addresses,
        previous_dir=options.previous, history=options.calendar_history or CalendarHistory(),
    )  # fmt: skip
    sheet_dir = out_dir / "laufzettel"
    # The map of each sheet follows the roads like karte.html; each leg asked once.
    leg_path = cached_leg_path(options.roads.path) if options.roads and options.roads.path else None
    links = SheetLinks(
        pdf=pdf,
        weeks={t.coach.key: week_pdf_name(plan, t.coach.key) for t in plan.tours} if pdf else {},
        calendars={key: f"../kalender/{calendar_name(key)}" for key in calendars},
    )
    sheets = render_sheets(
        plan, sheet_dir, show_names=options.show_names, created=created, leg_path=leg_path,
        links=links,
    )  # fmt: skip
    pdfs: tuple[Path, ...] = ()
    if pdf:
        made = render_sheet_pdfs(
            plan, sheet_dir, show_names=options.show_names, created=created, leg_path=leg_path
        )
        pdfs = (*made.days, *made.weeks.values())
    csv_path = write_plan_csv(plan, out_dir / "plan.csv", show_names=options.show_names)
    workbook = write_plan_xlsx(plan, out_dir / "plan.xlsx", show_names=options.show_names)
    summary = out_dir / "zusammenfassung.txt"
    summary.write_text(write_summary(plan), encoding="utf-8")
    letters: list[Path] = []
    if options.letters is not None:
        from planner.render.letters import announcements_of, write_letters

        letters = write_letters(
            announcements_of(plan.tours), out_dir / "briefe", options.letters,
            letter_date=created.date(),
        )  # fmt: skip
    return Outputs(
        map_path, tuple(sheets), csv_path, summary, pdfs, tuple(calendars.values()), workbook,
        tuple(letters), tuple(notes),
    )  # fmt: skip


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
