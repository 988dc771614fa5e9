"""Command line: ``planner demo``, ``planner plan``, ``planner check`` (German throughout).

argparse rather than a CLI framework: its every message goes through gettext, so the
whole ``--help`` output and every usage error can be German (see ``_argparse_de``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from planner import __version__, cancel, output_folder, settings
from planner._argparse_de import german
from planner.errors import PlannerError
from planner.model import WEEKDAYS_DE, IntakeResult, Message, Plan, Severity, Team
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.tabular import write_csv

# soft_wrap: long German messages stay one line each when piped into a file or log.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

#: The fixed demo week: the demo client list's appointments fall into it.
DEMO_START = date(2026, 11, 30)

REPORT_COLUMNS = [
    "zeile", "kunden_nr", "status", "gemeinde", "ortsteil", "lat", "lon", "genauigkeit", "meldung",
]  # fmt: skip


# --------------------------------------------------------------------------- parsing


def _date(text: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT)")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine ganze Zahl") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"„{text}“ muss mindestens 1 sein")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Zahl") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"„{text}“ muss größer als 0 sein")
    return value


def _add_plan_options(p: argparse.ArgumentParser, default_out: str) -> None:
    p.add_argument(
        "--out",
        type=Path,
        default=Path(default_out),
        metavar="ORDNER",
        help=f"Ausgabeordner (Standard: {default_out})",
    )
    p.add_argument(
        "--namen",
        action="store_true",
        help="Namen auf Karte, Laufzetteln und plan.csv zeigen (sonst nur Kunden-Nr)",
    )
    p.add_argument(
        "--loesungen",
        type=_positive_int,
        default=settings.DEFAULT_SOLUTION_LIMIT,
        metavar="N",
        help="Suche nach N gefundenen Lösungen beenden – gleiche Eingaben ergeben "
        f"denselben Plan (Standard: {settings.DEFAULT_SOLUTION_LIMIT})",
    )
    p.add_argument(
        "--zeitlimit",
        type=_seconds,
        default=settings.DEFAULT_TIME_LIMIT_S,
        metavar="SEKUNDEN",
        help="Sicherheitsgrenze für die Rechenzeit; greift sie, ist der Plan nicht "
        f"mehr reproduzierbar (Standard: {settings.DEFAULT_TIME_LIMIT_S:g})",
    )
    p.add_argument("--kacheln", metavar="URL",
                   help="Kartenhintergrund von diesem Kachelserver, z. B. einem eigenen "
                   "http://localhost:8080/{z}/{x}/{y}.png; ohne Angabe kein Hintergrund und "
                   "keine Netzwerkzugriffe")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Beratung Mobil – Besuchs- und Tourenplanung für den Lahn-Dill-Kreis. "
        "Läuft vollständig offline.",
    )
    parser.add_argument("--version", action="version", version=f"planner {__version__}",
                        help="Version anzeigen und beenden")  # fmt: skip
    commands = parser.add_subparsers(dest="command", metavar="BEFEHL", title="Befehle")

    demo = commands.add_parser(
        "demo", help="Demo-Woche mit erfundenen Personen planen",
        description="Plant die Demo-Woche ab 30.11.2026 mit der eingebauten, erfundenen "
        "Kundenliste und schreibt Karte, Laufzettel und plan.csv.",
    )  # fmt: skip
    _add_plan_options(demo, "maps/demo")

    plan = commands.add_parser(
        "plan", help="Touren planen und Karte, Laufzettel und plan.csv schreiben",
        description="Plant Touren für einen oder mehrere Tage.",
    )  # fmt: skip
    plan.add_argument("--clients", type=Path, required=True, metavar="DATEI",
                      help="Kundenliste (CSV oder XLSX)")  # fmt: skip
    plan.add_argument("--team", type=Path, required=True, metavar="DATEI",
                      help="Teamdatei (TOML): Coaches, Büros, Beratungsmobil")  # fmt: skip
    plan.add_argument("--from", dest="start", type=_date, metavar="DATUM",
                      help="erster Planungstag, TT.MM.JJJJ (sonst nächster Montag)")  # fmt: skip
    plan.add_argument("--days", type=_positive_int, default=5, metavar="N",
                      help="Anzahl Tage (Standard: 5)")  # fmt: skip
    _add_plan_options(plan, "maps/plan")

    check = commands.add_parser(
        "check", help="Kundenliste prüfen, ohne zu planen",
        description="Prüft jede Zeile der Kundenliste und ordnet die Adressen zu. Schreibt "
        "einen Bericht mit einer Zeile je Eingabezeile; Exit-Code 0, solange die Datei "
        "lesbar ist.",
    )  # fmt: skip
    check.add_argument("--clients", type=Path, required=True, metavar="DATEI",
                       help="Kundenliste (CSV oder XLSX)")  # fmt: skip
    check.add_argument("--report", type=Path, default=Path("bericht.csv"), metavar="DATEI",
                       help="Bericht als CSV (Standard: bericht.csv)")  # fmt: skip
    return parser


# --------------------------------------------------------------------------- commands


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _load(clients: Path, team_path: Path) -> tuple[IntakeResult, Team]:
    from planner.geocode import resolve_office_address
    from planner.intake import load_team, read_clients

    team = load_team(team_path, resolve_address=resolve_office_address)
    return read_clients(clients), team


def _print_messages(messages: Sequence[Message], limit: int = 30) -> None:
    shown = [m for m in messages if m.severity is not Severity.OK]
    for m in shown[:limit]:
        style = "red" if m.severity is Severity.ERROR else "yellow"
        err.print(str(m), style=style, markup=False, highlight=False)
    if len(shown) > limit:
        err.print(f"… und {len(shown) - limit} weitere Meldungen (siehe planner check).")


def _print_plan(plan: Plan, out_dir: Path) -> None:
    table = Table(title=f"Plan ab {plan.start:%d.%m.%Y}, {plan.days} Tag(e)")
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
        f"Rechenzeit {plan.solve_seconds:.1f} s ({plan.stop_reason})."
    )
    if plan.travel_is_estimate:
        out.print(plan.travel_model)
    out.print(f"Ausgabe: {out_dir}/ (karte.html, laufzettel/, plan.csv, zusammenfassung.txt)")


def _run_plan(
    intake: IntakeResult, team: Team, start: date, days: int, args: argparse.Namespace, title: str
) -> None:
    from planner.pipeline import RenderOptions, build_plan, render_outputs

    _print_messages(intake.messages)
    stopping = FirstOf((SolutionLimit(args.loesungen), TimeLimit(args.zeitlimit)))
    # The folder is locked and checked before planning; it is replaced only at the end.
    with output_folder.staged(args.out) as staging, err.status("Plane …") as status:
        plan, _ = build_plan(
            intake, team, start, days, stopping, progress=lambda text: status.update(text)
        )
        status.update("Karte und Laufzettel schreiben …")
        options = RenderOptions(show_names=args.namen, tiles_url=args.kacheln, title=title)
        render_outputs(plan, staging, team, options)
    _print_plan(plan, args.out)


def _plan(args: argparse.Namespace) -> None:
    start = args.start or _next_monday(date.today())
    output_folder.check_folder(args.out)  # before reading: a bad --out costs nothing
    intake, team = _load(args.clients, args.team)
    _run_plan(intake, team, start, args.days, args, f"Touren ab {start:%d.%m.%Y}")


def _demo(args: argparse.Namespace) -> None:
    output_folder.check_folder(args.out)
    intake, team = _load(settings.DEMO_DIR / "kunden.csv", settings.DEMO_DIR / "team.toml")
    _run_plan(intake, team, DEMO_START, 5, args, f"Demo-Woche ab {DEMO_START:%d.%m.%Y}")


def _check(args: argparse.Namespace) -> None:
    from planner.intake import read_clients
    from planner.pipeline import geocode_and_regions, rows_report
    from planner.regions import RegionMap

    output_folder.check_file(args.report)
    intake = read_clients(args.clients)
    rows = rows_report(intake, geocode_and_regions(intake, RegionMap()))
    write_csv(args.report, REPORT_COLUMNS, rows)
    counts = {s: sum(1 for r in rows if r["status"] == s.value) for s in Severity}
    out.print(
        f"{args.clients.name}: {len(rows)} Zeilen – {counts[Severity.OK]} ok, "
        f"{counts[Severity.WARNING]} mit Warnung, {counts[Severity.ERROR]} mit Fehler. "
        f"Bericht: {args.report}"
    )
    for r in rows:
        if r["status"] != Severity.OK.value:
            style = "red" if r["status"] == Severity.ERROR.value else "yellow"
            line = f"Zeile {r['zeile']} ({r['kunden_nr'] or '–'}): {r['meldung']}"
            out.print(line, style=style, markup=False, highlight=False)


_COMMANDS = {"demo": _demo, "plan": _plan, "check": _check}


def main(argv: Sequence[str] | None = None) -> int:
    with german():
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
    try:
        with cancel.handled():
            _COMMANDS[args.command](args)
    except PlannerError as exc:
        err.print(f"Fehler: {exc}", style="bold red", markup=False, highlight=False)
        return exc.exit_code
    except (cancel.Interrupted, KeyboardInterrupt) as exc:
        stopped = exc if isinstance(exc, cancel.Interrupted) else cancel.Interrupted(2)
        err.print(str(stopped), style="bold red", markup=False, highlight=False)
        return stopped.exit_code
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
