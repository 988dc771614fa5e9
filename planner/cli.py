"""Command line: ``planner demo``, ``planner plan``, ``planner check`` (help texts in German)."""

from __future__ import annotations

import csv
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from planner import settings
from planner.errors import PlannerError
from planner.model import WEEKDAYS_DE, IntakeResult, Plan, Severity, Team

app = typer.Typer(
    name="planner",
    help="Beratung Mobil – Besuchs- und Tourenplanung für den Lahn-Dill-Kreis (offline).",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
err = Console(stderr=True)
out = Console()

#: The fixed demo week: the demo client list's appointments fall into it.
DEMO_START = date(2026, 11, 30)

NamesOpt = Annotated[
    bool,
    typer.Option(
        "--namen", help="Namen auf Karte, Laufzetteln und plan.csv zeigen (sonst nur Kunden-Nr)."
    ),
]
TimeOpt = Annotated[
    float,
    typer.Option(
        "--zeitlimit", min=1, help="Höchstens so viele Sekunden rechnen (Sicherheitsgrenze)."
    ),
]
SolutionsOpt = Annotated[
    int,
    typer.Option(
        "--loesungen",
        min=1,
        help="Suche nach so vielen gefundenen Lösungen beenden (reproduzierbar, Standard).",
    ),
]
TilesOpt = Annotated[
    str | None,
    typer.Option(
        "--kacheln",
        help="URL-Vorlage eines Kachelservers für den Kartenhintergrund, z. B. ein eigener "
        "Server http://localhost:8080/{z}/{x}/{y}.png. Ohne Angabe: kein Hintergrund, "
        "keine Netzwerkzugriffe.",
    ),
]


def _parse_date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise typer.BadParameter(f"„{text}“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).")


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _stopping(time_limit: float, solutions: int):  # type: ignore[no-untyped-def]
    from planner.solve import FirstOf, SolutionLimit, TimeLimit

    return FirstOf((SolutionLimit(solutions), TimeLimit(time_limit)))


def _load(clients: Path, team_path: Path) -> tuple[IntakeResult, Team]:
    from planner.geocode import resolve_office_address
    from planner.intake import load_team, read_clients

    team = load_team(team_path, resolve_address=resolve_office_address)
    return read_clients(clients), team


def _print_messages(intake_messages: tuple, limit: int = 30) -> None:  # type: ignore[type-arg]
    shown = [m for m in intake_messages if m.severity is not Severity.OK]
    for m in shown[:limit]:
        style = "red" if m.severity is Severity.ERROR else "yellow"
        err.print(str(m), style=style, markup=False, highlight=False)
    if len(shown) > limit:
        err.print(f"… und {len(shown) - limit} weitere Meldungen (siehe planner check).")


def _print_plan(plan: Plan, outputs_dir: Path, seconds: float) -> None:
    table = Table(title=f"Plan {plan.start:%d.%m.%Y}, {plan.days} Tag(e)", show_lines=False)
    for col in ("Tag", "Coach", "Mobil", "Start", "Ende", "Besuche", "Fahrzeit", "km"):
        table.add_column(col)
    for t in plan.tours:
        table.add_row(
            f"{WEEKDAYS_DE[t.day.weekday()]} {t.day:%d.%m.}",
            t.coach.name,
            "ja" if t.with_van else "",
            f"{t.start:%H:%M}",
            f"{t.end:%H:%M}",
            str(len(t.stops)),
            f"{t.driving_min} min",
            f"{t.distance_m / 1000:.0f}",
        )
    out.print(table)
    total = plan.planned_count + len(plan.unplanned)
    out.print(
        f"{total} Kundinnen/Kunden: {plan.planned_count} eingeplant, "
        f"{len(plan.unplanned)} nicht eingeplant (Gründe in plan.csv). "
        f"Rechenzeit {seconds:.1f} s ({plan.stop_reason})."
    )
    if plan.travel_is_estimate:
        out.print(plan.travel_model)
    out.print(f"Ausgabe: {outputs_dir}/ (karte.html, laufzettel/, plan.csv, zusammenfassung.txt)")


def _run_plan(
    intake: IntakeResult,
    team: Team,
    start: date,
    days: int,
    out_dir: Path,
    *,
    show_names: bool,
    time_limit: float,
    solutions: int,
    tiles: str | None,
    title: str,
) -> None:
    from planner.pipeline import build_plan, write_outputs

    _print_messages(intake.messages)
    with err.status("Plane …") as status:
        plan, _ = build_plan(
            intake,
            team,
            start,
            days,
            _stopping(time_limit, solutions),
            progress=lambda text: status.update(text),
        )
        status.update("Karten und Laufzettel schreiben …")
        write_outputs(plan, out_dir, team, show_names=show_names, tiles_url=tiles, title=title)
    _print_plan(plan, out_dir, plan.solve_seconds)


@app.command(
    "plan",
    help="Touren für einen oder mehrere Tage planen und Karte, Laufzettel und plan.csv schreiben.",
)
def plan_cmd(
    clients: Annotated[Path, typer.Option("--clients", help="Kundenliste (CSV oder XLSX).")],
    team: Annotated[
        Path, typer.Option("--team", help="Teamdatei (TOML): Coaches, Büros, Beratungsmobil.")
    ],
    start: Annotated[
        str | None,
        typer.Option("--from", help="Erster Planungstag (TT.MM.JJJJ); Standard: nächster Montag."),
    ] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=14, help="Anzahl Tage.")] = 5,
    out_dir: Annotated[Path, typer.Option("--out", help="Ausgabeordner.")] = Path("maps/plan"),
    show_names: NamesOpt = False,
    time_limit: TimeOpt = settings.DEFAULT_TIME_LIMIT_S,
    solutions: SolutionsOpt = settings.DEFAULT_SOLUTION_LIMIT,
    tiles: TilesOpt = None,
) -> None:
    first = _parse_date(start) if start else _next_monday(date.today())
    intake, team_obj = _load(clients, team)
    _run_plan(
        intake,
        team_obj,
        first,
        days,
        out_dir,
        show_names=show_names,
        time_limit=time_limit,
        solutions=solutions,
        tiles=tiles,
        title=f"Touren ab {first:%d.%m.%Y}",
    )


@app.command(
    "demo", help="Demo-Woche mit erfundenen Kundinnen und Kunden planen (keine echten Daten)."
)
def demo_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Ausgabeordner.")] = Path("maps/demo"),
    show_names: NamesOpt = False,
    time_limit: TimeOpt = settings.DEFAULT_TIME_LIMIT_S,
    solutions: SolutionsOpt = settings.DEFAULT_SOLUTION_LIMIT,
    tiles: TilesOpt = None,
) -> None:
    intake, team_obj = _load(settings.DEMO_DIR / "kunden.csv", settings.DEMO_DIR / "team.toml")
    _run_plan(
        intake,
        team_obj,
        DEMO_START,
        5,
        out_dir,
        show_names=show_names,
        time_limit=time_limit,
        solutions=solutions,
        tiles=tiles,
        title=f"Demo-Woche ab {DEMO_START:%d.%m.%Y}",
    )


@app.command("check", help="Kundenliste prüfen: eine Berichtszeile je Eingabezeile, keine Planung.")
def check_cmd(
    clients: Annotated[Path, typer.Option("--clients", help="Kundenliste (CSV oder XLSX).")],
    report: Annotated[
        Path, typer.Option("--report", help="Bericht als CSV (zeile, kunden_nr, status, …).")
    ] = Path("bericht.csv"),
) -> None:
    from planner.intake import read_clients
    from planner.pipeline import geocode_and_regions, rows_report
    from planner.regions import RegionMap

    intake = read_clients(clients)
    rows = rows_report(intake, geocode_and_regions(intake, RegionMap()))
    report.parent.mkdir(parents=True, exist_ok=True)
    with report.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(
            fh,
            fieldnames=[
                "zeile",
                "kunden_nr",
                "status",
                "gemeinde",
                "ortsteil",
                "lat",
                "lon",
                "genauigkeit",
                "meldung",
            ],
            delimiter=";",
        )
        writer.writeheader()
        writer.writerows(rows)
    counts = {s: sum(1 for r in rows if r["status"] == s.value) for s in Severity}
    out.print(
        f"{clients.name}: {len(rows)} Zeilen – {counts[Severity.OK]} ok, "
        f"{counts[Severity.WARNING]} mit Warnung, {counts[Severity.ERROR]} mit Fehler. "
        f"Bericht: {report}"
    )
    for r in rows:
        if r["status"] != Severity.OK.value:
            style = "red" if r["status"] == Severity.ERROR.value else "yellow"
            out.print(
                f"Zeile {r['zeile']} ({r['kunden_nr'] or '–'}): {r['meldung']}",
                style=style,
                markup=False,
                highlight=False,
            )


def main() -> None:
    try:
        app()
    except PlannerError as exc:
        err.print(f"Fehler: {exc}", style="bold red", markup=False, highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
