"""Command line: ``planner demo``, ``plan``, ``check``, the campaign commands ``import``,
``record``, ``calls``, ``suggest``, ``reopen``, ``purge``, the lead's report ``status``,
the browser app's ``web`` and ``user``, and the road data's ``roads`` (German throughout).

argparse rather than a CLI framework: its every message goes through gettext, so the
whole ``--help`` output and every usage error can be German (see ``_argparse_de``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from planner import __version__, cancel, output_folder, settings
from planner._argparse_de import german
from planner.errors import PlannerError, StoreError
from planner.model import WEEKDAYS_DE, IntakeResult, Message, Plan, Severity, Team
from planner.roads.commands import add_road_options, add_roads_parser, context_from, roads_command
from planner.solve import FirstOf, SolutionLimit, TimeLimit
from planner.tabular import write_csv

if TYPE_CHECKING:
    from planner.campaign.calls import CallList
    from planner.render.ics import CalendarHistory
    from planner.render.letters import LetterSettings
    from planner.store import Role, Store
    from planner.workflow import StorePlan

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
    p.add_argument("--ohne-pdf", dest="without_pdf", action="store_true",
                   help="Laufzettel nur als HTML, ohne PDF (schneller)")  # fmt: skip
    p.add_argument("--kalender-adressen", dest="calendar_addresses", action="store_true",
                   help="Straße und Hausnummer in die Kalenderdateien (kalender/*.ics) "
                   "schreiben; sonst nur Treffpunkt, Standort oder Ort – Kalender werden oft "
                   "mit Servern und Telefonen abgeglichen")  # fmt: skip


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
    add_road_options(demo)

    campaign_demo = commands.add_parser(
        "demo-kampagne", help="Demo der Kampagne: zwei Wochen Verlauf, dann Anrufliste und Plan",
        description="Legt eine Demo-Datenbank an (erfundene Personen), spielt zwei Wochen "
        "Anrufe, Briefe und Besuche ab 16.11.2026 durch und schreibt die Anrufliste und "
        "den Plan für die Woche ab 30.11.2026.",
    )  # fmt: skip
    _add_plan_options(campaign_demo, "maps/kampagne")
    add_road_options(campaign_demo)

    plan = commands.add_parser(
        "plan", help="Touren planen und Karte, Laufzettel und plan.csv schreiben",
        description="Plant Touren für einen oder mehrere Tage.",
    )  # fmt: skip
    plan.add_argument("--clients", type=Path, metavar="DATEI",
                      help="Kundenliste (CSV oder XLSX) für eine einmalige Planung; "
                      "ohne Angabe: die offenen Fälle der Kampagnen-Datenbank")  # fmt: skip
    plan.add_argument("--team", type=Path, required=True, metavar="DATEI",
                      help="Teamdatei (TOML): Coaches, Büros, Beratungsmobil")  # fmt: skip
    plan.add_argument("--from", dest="start", type=_date, metavar="DATUM",
                      help="erster Planungstag, TT.MM.JJJJ (sonst nächster Montag)")  # fmt: skip
    plan.add_argument("--days", type=_positive_int, default=5, metavar="N",
                      help="Anzahl Tage (Standard: 5)")  # fmt: skip
    _add_plan_options(plan, "maps/plan")
    add_road_options(plan)
    plan.add_argument("--publish", action="store_true",
                      help="Plan verbindlich machen: seine Besuche werden angeheftet und bei "
                      "einer späteren Neuplanung derselben Tage beibehalten")  # fmt: skip
    plan.add_argument("--briefe", action="store_true",
                      help="nur mit --clients und --namen: ein Ankündigungsschreiben (PDF) je "
                      "eingeplantem Besuch nach briefe/ (Vorlage und Telefonnummern: "
                      "vorlagen/ neben der Teamdatei)")  # fmt: skip
    _add_store_options(plan)

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
    add_road_options(check, calibration=False)
    _add_campaign_commands(commands)
    _add_letters_command(commands)
    _add_web_commands(commands)
    add_roads_parser(commands)
    return parser


def _add_letters_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    letters = commands.add_parser(
        "letters", help="Ankündigungsschreiben (PDF) für die Fälle mit nächstem Schritt Brief",
        description="Schreibt für jeden Fall, dessen nächster Schritt ein Ankündigungsbrief "
        "ist, ein Schreiben mit einem Besuchstermin (Tag und Zeitfenster, bei der "
        "Bezugscoach, wenn möglich) als PDF. Der Besuch wird in den veröffentlichten Plan "
        "eingetragen und der Brief als versandt am DATUM gespeichert. Die Schreiben "
        "enthalten Name und Anschrift: nur mit --namen.",
    )  # fmt: skip
    letters.add_argument("--team", type=Path, required=True, metavar="DATEI",
                         help="Teamdatei; daneben vorlagen/ankuendigung.html.j2 (eigene "
                         "Vorlage) und vorlagen/briefe.toml (Absender, "
                         "Telefonnummern)")  # fmt: skip
    letters.add_argument("--from", dest="start", type=_date, required=True, metavar="DATUM",
                         help="Datum der Schreiben (Versand), TT.MM.JJJJ; der Besuch liegt "
                         f"frühestens {settings.LETTER_DAYS_BEFORE_VISIT} Tage später")  # fmt: skip
    letters.add_argument("--days", type=_positive_int, default=5, metavar="N",
                         help="so viele Tage ab dem frühesten Besuchstag absuchen "
                         "(Standard: 5)")  # fmt: skip
    letters.add_argument("--out", type=Path, required=True, metavar="ORDNER",
                         help="Ausgabeordner für die PDF-Dateien und briefe.csv")  # fmt: skip
    letters.add_argument("--namen", action="store_true",
                         help="nötig: bestätigt, dass Schreiben mit Name und Anschrift "
                         "(Sozialdaten) erstellt werden")  # fmt: skip
    _add_store_options(letters)


def _add_store_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PFAD",
                   help=f"Kampagnen-Datenbank: SQLite-Datei oder postgresql+psycopg://…-URL "
                   f"(sonst ${settings.DB_ENV}, sonst ./{settings.DEFAULT_DB})")  # fmt: skip
    p.add_argument("--benutzer", metavar="NAME",
                   help="wer die Änderung macht (Protokoll; Standard: Anmeldename)")  # fmt: skip


def _add_campaign_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    imp = commands.add_parser(
        "import", help="Kundenliste in die Kampagnen-Datenbank übernehmen",
        description="Legt Fälle nach Kunden-Nr an oder aktualisiert sie. Wer in einer späteren "
        "Liste fehlt, bleibt gespeichert und wird markiert.",
    )  # fmt: skip
    imp.add_argument("liste", type=Path, metavar="LISTE", help="Kundenliste (CSV oder XLSX)")
    imp.add_argument("--team", type=Path, metavar="DATEI",
                     help="Teamdatei (für Regionen und Treffpunkte)")  # fmt: skip
    add_road_options(imp, calibration=False)
    _add_store_options(imp)

    rec = commands.add_parser(
        "record", help="Ergebnisse von Anrufen, Briefen und Besuchen eintragen",
        description="Liest eine Ergebnisdatei mit den Spalten Kunden-Nr;Datum;Uhrzeit;Coach;"
        "Art;Ergebnis;Termin;Besuchsort;Wiedervorlage;Notiz (auch die ausgefüllte Anrufliste).",
    )  # fmt: skip
    rec.add_argument("datei", type=Path, metavar="DATEI", help="Ergebnisdatei (CSV oder XLSX)")
    rec.add_argument("--team", type=Path, required=True, metavar="DATEI", help="Teamdatei")
    _add_store_options(rec)

    calls = commands.add_parser(
        "calls", help="Anrufliste für einen Tag schreiben",
        description="Wen jede Coach an diesem Tag anrufen sollte, in Reihenfolge, mit der "
        "besten Tageszeit. Schreibt eine CSV-Datei und daneben eine druckbare HTML-Seite.",
    )  # fmt: skip
    calls.add_argument("--date", dest="day", type=_date, required=True, metavar="DATUM",
                       help="Tag der Anrufe, TT.MM.JJJJ")  # fmt: skip
    calls.add_argument("--coach", metavar="KENNUNG", help="nur diese Coach")
    calls.add_argument("--out", type=Path, required=True, metavar="DATEI",
                       help="Anrufliste (.csv; daneben .html)")  # fmt: skip
    calls.add_argument("--team", type=Path, required=True, metavar="DATEI", help="Teamdatei")
    calls.add_argument("--namen", action="store_true", help="Namen zeigen (sonst nur Kunden-Nr)")
    _add_store_options(calls)

    sug = commands.add_parser(
        "suggest", help="freie Termine für einen Fall vorschlagen (während des Anrufs)",
        description="Die besten fünf Termine gegen den veröffentlichten Plan: Coach, Tag, "
        "Uhrzeit, zusätzliche Fahrzeit und Begründung.",
    )  # fmt: skip
    sug.add_argument("kunden_nr", metavar="KUNDEN-NR", help="Kunden-Nr des Falls")
    sug.add_argument("--team", type=Path, required=True, metavar="DATEI", help="Teamdatei")
    sug.add_argument("--from", dest="start", type=_date, required=True, metavar="DATUM",
                     help="erster möglicher Tag, TT.MM.JJJJ")  # fmt: skip
    sug.add_argument("--days", type=_positive_int, default=5, metavar="N",
                     help="Anzahl Tage (Standard: 5)")  # fmt: skip
    _add_store_options(sug)

    reopen = commands.add_parser(
        "reopen", help="abgeschlossenen Fall wieder öffnen (nur die Leitung)",
        description="Öffnet einen abgelehnten oder verzogenen Fall wieder; wird protokolliert.",
    )  # fmt: skip
    reopen.add_argument("kunden_nr", metavar="KUNDEN-NR", help="Kunden-Nr des Falls")
    _add_store_options(reopen)

    purge = commands.add_parser(
        "purge", help="persönliche Angaben alter abgeschlossener Fälle löschen",
        description="Entfernt Name, Telefon, Adresse und Notizen abgeschlossener Fälle nach "
        "Ablauf der Löschfrist; Kunden-Nr, Gemeinde, Daten und Ergebnisse bleiben für die "
        "Statistik.",
    )  # fmt: skip
    purge.add_argument("--nach-tagen", dest="after_days", type=_positive_int,
                       default=settings.DELETION_AFTER_DAYS, metavar="N",
                       help="Löschfrist in Tagen (Standard: "
                       f"{settings.DELETION_AFTER_DAYS})")  # fmt: skip
    _add_store_options(purge)

    status = commands.add_parser(
        "status", help="Stand der Kampagne als Bericht (HTML und Excel) schreiben",
        description="Schreibt stand.html (druckbar, mit Verlauf, Karte und Balken) und "
        "stand.xlsx: erreicht insgesamt, je Region, Gemeinde und Coach, Kontakte je Monat, "
        "Tage bis zum Erstkontakt, wer am längsten wartet, Ergebnisse und Gründe nach Code. "
        f"Zahlen zu weniger als {settings.MIN_GROUP_SIZE} Personen werden nicht gezeigt.",
    )  # fmt: skip
    status.add_argument("--from", dest="start", type=_date, metavar="DATUM",
                        help="erster Tag des Zeitraums, TT.MM.JJJJ (sonst Beginn der "
                        "Kampagne)")  # fmt: skip
    status.add_argument("--to", dest="end", type=_date, metavar="DATUM",
                        help="letzter Tag des Zeitraums, TT.MM.JJJJ (sonst heute)")  # fmt: skip
    status.add_argument("--out", type=Path, required=True, metavar="ORDNER",
                        help="Ausgabeordner für stand.html und stand.xlsx")  # fmt: skip
    status.add_argument("--team", type=Path, metavar="DATEI",
                        help="Teamdatei: Regionen und Namen der Coaches (sonst Regionen wie "
                        "beim Import, Kennungen)")  # fmt: skip
    status.add_argument("--schritt", choices=("tag", "woche", "monat"), metavar="SCHRITT",
                        help="Verlauf je tag, woche oder monat (sonst nach Länge des "
                        "Zeitraums)")  # fmt: skip
    status.add_argument("--ohne-einzelfaelle", dest="without_cases", action="store_true",
                        help="Liste der am längsten Wartenden (mit Kunden-Nr) weglassen, "
                        "z. B. für die Weitergabe")  # fmt: skip
    _add_store_options(status)


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Portnummer (1–65535)")
    return value


def _add_web_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    web = commands.add_parser(
        "web", help="Browser-App starten (Fälle, Anrufliste, Touren)",
        description="Startet die Browser-App. Standard ist nur dieser Rechner "
        "(127.0.0.1); für andere Rechner --host ausdrücklich angeben, am besten mit TLS "
        "(--tls-cert, --tls-key). Konten legt planner user add an.",
    )  # fmt: skip
    web.add_argument("--host", default="127.0.0.1", metavar="ADRESSE",
                     help="Adresse, auf der die App lauscht (Standard: 127.0.0.1)")  # fmt: skip
    web.add_argument("--port", type=_port, default=8080, metavar="PORT",
                     help="Port (Standard: 8080)")  # fmt: skip
    web.add_argument("--team", type=Path, required=True, metavar="DATEI", help="Teamdatei")
    web.add_argument("--db", metavar="PFAD",
                     help=f"Kampagnen-Datenbank: SQLite-Datei oder postgresql+psycopg://…-URL "
                     f"(sonst ${settings.DB_ENV}, sonst ./{settings.DEFAULT_DB})")  # fmt: skip
    web.add_argument("--tls-cert", type=Path, metavar="DATEI",
                     help="TLS-Zertifikat (PEM); mit --tls-key: https")  # fmt: skip
    web.add_argument("--tls-key", type=Path, metavar="DATEI",
                     help="privater Schlüssel zum TLS-Zertifikat (PEM)")  # fmt: skip
    add_road_options(web)

    user = commands.add_parser(
        "user", help="Konten der Browser-App anlegen, Passwort ändern",
        description="Konten der Browser-App. Passwörter werden nur als argon2-Hash gespeichert.",
    )  # fmt: skip
    actions = user.add_subparsers(dest="user_command", metavar="AKTION", title="Aktionen",
                                  required=True)  # fmt: skip
    add = actions.add_parser(
        "add", help="Konto anlegen",
        description="Legt ein Konto an. Das Passwort (mindestens 12 Zeichen) kommt von der "
        "Standardeingabe: im Terminal verdeckt und zweimal, aus einer Pipe eine Zeile.",
    )  # fmt: skip
    add.add_argument("name", metavar="NAME", help="Anmeldename (Buchstaben, Ziffern, . _ -)")
    add.add_argument("--rolle", required=True, choices=[r.value for r in _roles()],
                     help="coach: sieht die eigenen Fälle; leitung: sieht alle")  # fmt: skip
    add.add_argument("--coach", metavar="KENNUNG",
                     help="ihre Kennung in der Teamdatei (für die Rolle coach nötig)")  # fmt: skip
    add.add_argument("--team", type=Path, metavar="DATEI",
                     help="Teamdatei: prüft, dass es die Kennung gibt")  # fmt: skip
    _add_store_options(add)
    password = actions.add_parser(
        "passwort", help="neues Passwort setzen (beendet alle Anmeldungen des Kontos)",
        description="Setzt ein neues Passwort (Standardeingabe wie bei add) und beendet alle "
        "Anmeldungen dieses Kontos.",
    )  # fmt: skip
    password.add_argument("name", metavar="NAME", help="Anmeldename")
    _add_store_options(password)


def _roles() -> tuple[Role, ...]:
    from planner.store import Role

    return tuple(Role)


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


def _print_plan(plan: Plan, out_dir: Path, *, pdf: bool = True) -> None:
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
    out.print(plan.travel_model, markup=False, highlight=False)
    sheets = "laufzettel/ mit PDF" if pdf else "laufzettel/ (HTML, ohne PDF)"
    out.print(
        f"Ausgabe: {out_dir}/ (karte.html, {sheets}, kalender/, plan.csv, plan.xlsx, "
        "zusammenfassung.txt)"
    )


def _print_notes(notes: Sequence[str]) -> None:
    for note in notes:
        err.print(note, markup=False, highlight=False)


def _run_plan(
    intake: IntakeResult,
    team: Team,
    start: date,
    days: int,
    args: argparse.Namespace,
    title: str,
    letters: LetterSettings | None = None,
) -> None:
    from planner.geocode import using_resolver
    from planner.pipeline import RenderOptions, build_plan, render_outputs

    _print_messages(intake.messages)
    roads = context_from(args)
    _print_notes(roads.notes)
    stopping = FirstOf((SolutionLimit(args.loesungen), TimeLimit(args.zeitlimit)))
    # The folder is locked and checked before planning; it is replaced only at the end.
    with (
        output_folder.staged(args.out) as staging,
        err.status("Plane …") as status,
        using_resolver(roads.resolver),
    ):
        plan, _ = build_plan(
            intake, team, start, days, stopping, travel=roads.travel,
            progress=lambda text: status.update(text),
        )  # fmt: skip
        status.update("Karte, Laufzettel, PDF, Kalender und plan.xlsx schreiben …")
        options = RenderOptions(
            show_names=args.namen, tiles_url=args.kacheln, title=title, roads=roads.overlay,
            calendar_addresses=args.calendar_addresses, previous=args.out, letters=letters,
            pdf=not args.without_pdf,
        )  # fmt: skip
        written = render_outputs(plan, staging, team, options)
    _print_plan(plan, args.out, pdf=not args.without_pdf)
    _print_notes(written.notes)
    if written.letters:
        out.print(f"{len(written.letters)} Ankündigungsschreiben in {args.out}/briefe/")


def _plan(args: argparse.Namespace) -> None:
    start = args.start or _next_monday(date.today())
    output_folder.check_folder(args.out)  # before reading: a bad --out costs nothing
    if args.clients is None:
        if args.briefe:
            raise PlannerError("--briefe gilt nur mit --clients (einmalige Liste); für die "
                               "Fälle der Kampagne: planner letters.")  # fmt: skip
        _plan_store(args, start)
        return
    if args.publish:
        raise PlannerError("--publish gilt nur für die Planung aus der Kampagnen-Datenbank "
                           "(ohne --clients).")  # fmt: skip
    letters = _letter_settings(args) if args.briefe else None
    intake, team = _load(args.clients, args.team)
    if letters is not None:
        from planner.render.letters import check_phones

        check_phones(team.coaches, letters)  # before planning: every coach may get visits
    _run_plan(intake, team, start, args.days, args, f"Touren ab {start:%d.%m.%Y}", letters)


def _demo(args: argparse.Namespace) -> None:
    output_folder.check_folder(args.out)
    intake, team = _load(settings.DEMO_DIR / "kunden.csv", settings.DEMO_DIR / "team.toml")
    _run_plan(intake, team, DEMO_START, 5, args, f"Demo-Woche ab {DEMO_START:%d.%m.%Y}")


def _demo_campaign(args: argparse.Namespace) -> None:
    from planner.campaign_demo import DEMO_WEEK, seed_history
    from planner.geocode import using_resolver
    from planner.pipeline import RenderOptions, render_outputs
    from planner.render.calls import render_calls_html, write_calls_csv
    from planner.store import Store
    from planner.workflow import calls_for, plan_from_store

    output_folder.check_folder(args.out)
    team = _team(settings.DEMO_DIR / "team.toml")
    roads = context_from(args)
    _print_notes(roads.notes)
    stopping = FirstOf((SolutionLimit(args.loesungen), TimeLimit(args.zeitlimit)))
    with (
        output_folder.staged(args.out) as staging,
        err.status("Zwei Wochen Verlauf durchspielen …") as status,
        using_resolver(roads.resolver),
    ):
        with Store.open(str(staging / "kampagne.db")) as store:
            seeded = seed_history(store, team, settings.DEMO_DIR / "kunden.csv", budget=stopping,
                                  travel=roads.travel)  # fmt: skip
            status.update("Anrufliste und Plan für die Woche ab 30.11.2026 …")
            calls = calls_for(store, team, DEMO_WEEK, today=DEMO_WEEK)
            write_calls_csv(calls, staging / "anrufliste.csv", show_names=args.namen)
            render_calls_html(calls, staging / "anrufliste.html", team, show_names=args.namen)
            result = plan_from_store(store, team, DEMO_WEEK, 5, stopping, today=DEMO_WEEK,
                                     travel=roads.travel)  # fmt: skip
            history = _calendar_history(store, result, DEMO_WEEK, 5)
        options = RenderOptions(
            show_names=args.namen, tiles_url=args.kacheln, title="Demo-Kampagne ab 30.11.2026",
            roads=roads.overlay, calendar_addresses=args.calendar_addresses, previous=args.out,
            calendar_history=history, pdf=not args.without_pdf,
        )  # fmt: skip
        written = render_outputs(result.plan, staging, team, options)
    out.print(
        f"Demo-Kampagne: Kundenliste am 16.11.2026 importiert, zwei Wochen mit "
        f"{seeded.attempts} Anrufen, Briefen und Besuchen, {seeded.published_weeks} "
        f"veröffentlichte Wochenpläne, {seeded.closed} Fälle abgeschlossen."
    )
    _print_calls(calls)
    _print_plan(result.plan, args.out, pdf=not args.without_pdf)
    _print_notes(written.notes)
    out.print(f"Datenbank zum Ausprobieren: {args.out}/kampagne.db (z. B. planner calls --db …)")


def _check(args: argparse.Namespace) -> None:
    from planner.geocode import using_resolver
    from planner.intake import read_clients
    from planner.pipeline import geocode_and_regions, rows_report
    from planner.regions import RegionMap

    output_folder.check_file(args.report)
    intake = read_clients(args.clients)
    roads = context_from(args)
    _print_notes(roads.notes)
    with using_resolver(roads.resolver):
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


# --------------------------------------------------------------------------- campaign


def _user(args: argparse.Namespace) -> str:
    import getpass

    if args.benutzer:
        return str(args.benutzer)
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers): still say who in the log
        return "unbekannt"


def _open_store(args: argparse.Namespace) -> Store:
    from planner.store import Store

    url = _store_url(args)
    try:
        return Store.open(url)
    except Exception as exc:  # a driver, a lock, a migration: one German line, exit 8
        raise StoreError(f"Kampagnen-Datenbank „{_shown_url(url)}“ nicht nutzbar: {exc}") from exc


def _store_url(args: argparse.Namespace) -> str:
    import os

    return str(args.db or os.environ.get(settings.DB_ENV) or settings.DEFAULT_DB)


def _shown_url(url: str) -> str:
    """The database address without a password."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url


def _team(path: Path) -> Team:
    from planner.geocode import resolve_office_address
    from planner.intake import load_team

    return load_team(path, resolve_address=resolve_office_address)


def _import(args: argparse.Namespace) -> None:
    from planner.geocode import using_resolver
    from planner.workflow import import_list

    team = _team(args.team) if args.team else None
    roads = context_from(args)
    _print_notes(roads.notes)
    with _open_store(args) as store, using_resolver(roads.resolver):
        report = import_list(store, args.liste, team, today=date.today(), user=_user(args))
    _print_messages(report.intake.messages)
    out.print(f"{args.liste.name}: {report.line()}.")


def _record(args: argparse.Namespace) -> None:
    from planner.workflow import record_outcomes

    team = _team(args.team)
    with _open_store(args) as store:
        report = record_outcomes(
            store, args.datei, team, user=_user(args), today=date.today(), now=datetime.now()
        )
    _print_messages(report.result.messages)
    out.print(f"{args.datei.name}: {report.line()}.")


def _calls(args: argparse.Namespace) -> None:
    from planner.render.calls import render_calls_html, write_calls_csv
    from planner.workflow import calls_for

    output_folder.check_file(args.out)
    team = _team(args.team)
    with _open_store(args) as store:
        calls = calls_for(store, team, args.day, coach=args.coach, today=date.today())
    html = args.out.with_suffix(".html")
    if args.out.suffix.lower() == ".html":
        render_calls_html(calls, args.out, team, show_names=args.namen)
        written = [args.out]
    else:
        write_calls_csv(calls, args.out, show_names=args.namen)
        render_calls_html(calls, html, team, show_names=args.namen)
        written = [args.out, html]
    _print_calls(calls)
    out.print("Ausgabe: " + ", ".join(str(p) for p in written))


def _print_calls(calls: CallList) -> None:
    table = Table(title=f"Anrufliste {WEEKDAYS_DE[calls.day.weekday()]} {calls.day:%d.%m.%Y}")
    for col in ("Nr", "Coach", "Kunden-Nr", "beste Zeit", "Chance", "Versuche", "Grund"):
        table.add_column(col)
    for e in calls.entries:
        table.add_row(
            str(e.order), e.coach, e.case_id, e.band.label, f"{e.p:.0%}", str(e.attempts), e.reason
        )
    out.print(table)
    if calls.not_listed:
        out.print(f"{len(calls.not_listed)} fällige Fälle nicht auf der Liste:")
        for case_id, why in calls.not_listed[:20]:
            out.print(f"  {case_id}: {why}", markup=False, highlight=False)


def _suggest(args: argparse.Namespace) -> None:
    from planner.workflow import suggest_for

    team = _team(args.team)
    with _open_store(args) as store:
        case, slots = suggest_for(
            store, team, args.kunden_nr, args.start, args.days,
            today=date.today(), now=datetime.now(),
        )  # fmt: skip
    if case.site is None:
        out.print(f"{case.id}: Adresse nicht zuzuordnen – kein Vorschlag möglich.")
        return
    if not slots:
        out.print(f"{case.id}: kein freier Termin vom {args.start:%d.%m.%Y} an {args.days} Tage.")
        return
    table = Table(title=f"Terminvorschläge für {case.id}")
    for col in ("Nr", "Tag", "Beginn", "Coach", "Mehr Fahrzeit", "Begründung"):
        table.add_column(col)
    for i, slot in enumerate(slots, 1):
        table.add_row(
            str(i),
            f"{WEEKDAYS_DE[slot.day.weekday()]} {slot.day:%d.%m.}",
            f"{slot.start:%H:%M}",
            slot.coach,
            f"{slot.extra_driving_min} min",
            slot.explanation,
        )
    out.print(table)


def _reopen(args: argparse.Namespace) -> None:
    from planner.campaign.codes import CaseStatus

    with _open_store(args) as store:
        case = store.case(args.kunden_nr)
        if case is None:
            raise StoreError(f"Kunden-Nr {args.kunden_nr} ist nicht in der Datenbank.")
        if case.status is CaseStatus.OPEN:
            out.print(f"{case.id} ist offen – nichts zu tun.")
            return
        store.set_status(
            case.id, CaseStatus.OPEN, on=date.today(), by_outcome=None, user=_user(args)
        )
    out.print(f"{case.id} wieder geöffnet (protokolliert).")


def _purge(args: argparse.Namespace) -> None:
    with _open_store(args) as store:
        n = store.purge_closed(today=date.today(), after_days=args.after_days, user=_user(args))
    out.print(
        f"{n} abgeschlossene Fälle: persönliche Angaben gelöscht (Frist {args.after_days} Tage)."
    )


def _status(args: argparse.Namespace) -> None:
    from planner.campaign.coverage import Interval
    from planner.report.status import build_report, write_status
    from planner.workflow import coverage_for

    today = date.today()
    if args.start is not None and args.start > (args.end or today):
        raise PlannerError("--from liegt nach dem Ende des Zeitraums (--to, sonst heute).")
    output_folder.check_folder(args.out)
    team = _team(args.team) if args.team else None
    now = datetime.now().replace(microsecond=0)
    with _open_store(args) as store:
        coverage = coverage_for(
            store, today=today, start=args.start, end=args.end, team=team,
            interval=Interval(args.schritt) if args.schritt else None,
        )  # fmt: skip
        report = build_report(
            coverage, created=now, with_waiting=not args.without_cases,
            coach_names={c.key: c.name for c in team.coaches} if team else None,
        )  # fmt: skip
        with output_folder.staged(args.out) as staging:
            write_status(report, staging)
        if report.waiting:  # the report names cases: who made it is logged
            store.log(None, "Stand-Bericht erstellt",
                      f"{coverage.stats.cases} Fälle, {len(report.waiting)} wartende genannt",
                      user=_user(args), at=now)  # fmt: skip
    stats = coverage.stats
    reached = (
        f"{stats.reached} von {stats.cases} erreicht"
        if stats.cases >= settings.MIN_GROUP_SIZE
        else f"weniger als {settings.MIN_GROUP_SIZE} Fälle"
    )
    out.print(
        f"Stand {coverage.period.start:%d.%m.%Y} bis {coverage.period.end:%d.%m.%Y}: "
        f"{reached}. Ausgabe: {args.out}/ (stand.html, stand.xlsx)",
        markup=False, highlight=False,
    )  # fmt: skip


def _plan_store(args: argparse.Namespace, start: date) -> None:
    from planner.pipeline import RenderOptions, render_outputs
    from planner.workflow import plan_from_store, write_changes

    team = _team(args.team)
    roads = context_from(args)
    _print_notes(roads.notes)
    stopping = FirstOf((SolutionLimit(args.loesungen), TimeLimit(args.zeitlimit)))
    with (
        _open_store(args) as store,
        output_folder.staged(args.out) as staging,
        err.status("Plane aus der Kampagnen-Datenbank …") as status,
    ):
        result = plan_from_store(
            store, team, start, args.days, stopping,
            today=date.today(), publish=args.publish, user=_user(args),
            progress=lambda text: status.update(text), travel=roads.travel,
        )  # fmt: skip
        status.update("Karte, Laufzettel, PDF, Kalender und plan.xlsx schreiben …")
        options = RenderOptions(
            show_names=args.namen, tiles_url=args.kacheln, title=f"Touren ab {start:%d.%m.%Y}",
            roads=roads.overlay, calendar_addresses=args.calendar_addresses, previous=args.out,
            calendar_history=_calendar_history(store, result, start, args.days),
            pdf=not args.without_pdf,
        )  # fmt: skip
        written = render_outputs(result.plan, staging, team, options)
        write_changes(result, staging / "aenderungen.csv")
    _print_plan(result.plan, args.out, pdf=not args.without_pdf)
    _print_notes(written.notes)
    if result.previous is not None:
        since = f"{result.previous.published_at:%d.%m.%Y %H:%M}"
        out.print(
            f"{len(result.changes)} Änderungen seit der Veröffentlichung vom {since} "
            "(aenderungen.csv)."
        )
        for change in result.changes[:20]:
            out.print(f"  {change.case_id}: {change.text}", markup=False, highlight=False)
    if result.published is not None:
        out.print(f"Veröffentlicht: {len(result.published.visits)} Besuche sind angeheftet.")


def _calendar_history(store: Store, result: StorePlan, start: date, days: int) -> CalendarHistory:
    """SEQUENCE and cancelled visits for the calendars, from the published versions."""
    from planner.render.ics import history_from_changes

    versions = len(store.publications(start, days))
    published = result.published is not None
    return history_from_changes(result.changes, versions, published_now=published)


# --------------------------------------------------------------------------- letters


def _letter_settings(args: argparse.Namespace) -> LetterSettings:
    """Sender, phones and template from beside the team file; refused without --namen."""
    from planner.render.letters import NEEDS_NAMES, check_template, letter_settings

    if not args.namen:
        raise PlannerError(NEEDS_NAMES)
    found = letter_settings(args.team)
    check_template(found)
    return found


def _letters(args: argparse.Namespace) -> None:
    from planner.render.letters import Announcement, check_phones, letter_file_name, write_letters
    from planner.render.pdf import weasyprint
    from planner.workflow import commit_letters, propose_letters

    found = _letter_settings(args)  # before anything else: no names, no letters
    output_folder.check_folder(args.out)
    weasyprint()  # a missing PDF library stops the run before anything is stored
    team = _team(args.team)
    now = datetime.now().replace(microsecond=0)
    with _open_store(args) as store, output_folder.staged(args.out) as staging:
        run = propose_letters(store, team, args.start, args.days, now=now)
        coaches = {c.key: c for c in team.coaches}
        check_phones((coaches[p.slot.coach] for p in run.proposals), found)
        items = {
            p.case.id: Announcement(
                p.case.client, p.case.site, coaches[p.slot.coach],
                team.office(coaches[p.slot.coach].office), p.slot.start, p.duration_min,
                p.slot.with_van,
            )
            for p in run.proposals
        }  # fmt: skip
        # The PDFs first: should one fail, nothing has been stored yet.
        paths = dict(
            zip(items, write_letters(list(items.values()), staging, found,
                                     letter_date=args.start), strict=True)
        )  # fmt: skip
        done, refused = commit_letters(store, team, run, user=_user(args), now=now)
        for case_id, _ in refused:
            paths.pop(case_id).unlink()
        rows = [
            {"Kunden-Nr": p.case.id, "Coach": coaches[p.slot.coach].name,
             "Besuch": f"{p.slot.start:%d.%m.%Y %H:%M}",
             "Datei": letter_file_name(items[p.case.id]), "Hinweis": ""}
            for p in done
        ] + [
            {"Kunden-Nr": case_id, "Coach": "", "Besuch": "", "Datei": "", "Hinweis": why}
            for case_id, why in (*run.skipped, *refused)
        ]  # fmt: skip
        write_csv(staging / "briefe.csv", ["Kunden-Nr", "Coach", "Besuch", "Datei", "Hinweis"],
                  rows)  # fmt: skip
    out.print(
        f"{len(done)} Ankündigungsschreiben vom {args.start:%d.%m.%Y} in {args.out}/ "
        f"(Liste: briefe.csv); die Besuche sind in den veröffentlichten Plan eingetragen, "
        "die Briefe als versandt gespeichert."
    )
    for case_id, why in (*run.skipped, *refused):
        out.print(f"  kein Schreiben für {case_id}: {why}", markup=False, highlight=False)


# --------------------------------------------------------------------------- browser app


def _web(args: argparse.Namespace) -> None:
    from planner.web import serve
    from planner.web.app import LOOPBACK

    if (args.tls_cert is None) != (args.tls_key is None):
        raise PlannerError("--tls-cert und --tls-key bitte nur zusammen angeben.")
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.is_file():
            raise PlannerError(f"TLS-Datei {path} nicht gefunden.")
    tls = args.tls_cert is not None
    if args.host not in LOOPBACK and not tls:
        err.print(
            f"Warnung: Die App ist unter {args.host} ohne TLS erreichbar – Passwörter und "
            "Sozialdaten gehen unverschlüsselt über das Netz. Bitte --tls-cert und --tls-key "
            "angeben oder nur auf 127.0.0.1 lauschen.",
            style="bold yellow", markup=False, highlight=False,
        )  # fmt: skip
    roads = context_from(args)  # a bad road folder stops here, before the app starts
    _print_notes(roads.notes)
    with _open_store(args) as store:  # fails early with one German line (exit 8)
        if not store.users():
            err.print("Hinweis: Es gibt noch kein Konto – zuerst "
                      "planner user add NAME --rolle leitung.", markup=False)  # fmt: skip
    host = f"[{args.host}]" if ":" in args.host else args.host
    scheme = "https" if tls else "http"
    out.print(f"Beratung Mobil: {scheme}://{host}:{args.port}/ – beenden mit Strg+C",
              markup=False, highlight=False)  # fmt: skip
    serve(_store_url(args), args.team, host=args.host, port=args.port,
          tls_cert=args.tls_cert, tls_key=args.tls_key, roads=roads)  # fmt: skip


def _accounts(args: argparse.Namespace) -> None:
    from planner.store import Role
    from planner.web.passwords import check_new_password, hash_password

    if args.user_command == "passwort":
        password = _read_password()
        check_new_password(password)
        with _open_store(args) as store:
            store.set_password(args.name, hash_password(password), user=_user(args))
        out.print(f"Neues Passwort für {args.name} gespeichert; alle Anmeldungen beendet.",
                  markup=False, highlight=False)  # fmt: skip
        return
    role = Role(args.rolle)
    if role is Role.COACH and not args.coach:
        raise PlannerError("Für die Rolle coach bitte --coach KENNUNG angeben (Teamdatei).")
    if args.team is not None and args.coach:
        keys = [c.key for c in _team(args.team).coaches]
        if args.coach not in keys:
            raise PlannerError(f"Die Kennung „{args.coach}“ steht nicht in {args.team.name} "
                               f"(bekannt: {', '.join(keys)}).")  # fmt: skip
    password = _read_password()
    check_new_password(password)  # before the slow hash and before touching the store
    with _open_store(args) as store:
        created = store.add_user(args.name, role, hash_password(password), args.coach,
                                 user=_user(args))  # fmt: skip
    coach = f", Coach {created.coach}" if created.coach else ""
    out.print(f"Konto {created.name} angelegt (Rolle {role.label}{coach}).",
              markup=False, highlight=False)  # fmt: skip


def _read_password() -> str:
    """The new password from standard input: hidden and twice on a terminal, else one line."""
    import getpass

    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Passwort (mindestens 12 Zeichen): ")
        if getpass.getpass("Passwort wiederholen: ") != first:
            raise PlannerError("Die beiden Eingaben stimmen nicht überein.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise PlannerError("Kein Passwort auf der Standardeingabe.")
    return line.rstrip("\r\n")  # only the line break: blanks inside the password count


def _roads(args: argparse.Namespace) -> None:
    roads_command(args, out, err)


_COMMANDS = {
    "demo": _demo,
    "demo-kampagne": _demo_campaign,
    "plan": _plan,
    "check": _check,
    "import": _import,
    "record": _record,
    "calls": _calls,
    "suggest": _suggest,
    "reopen": _reopen,
    "purge": _purge,
    "status": _status,
    "letters": _letters,
    "web": _web,
    "user": _accounts,
    "roads": _roads,
}


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
