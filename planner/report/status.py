"""The lead's status report: ``stand.html`` and ``stand.xlsx`` from a
:class:`~planner.campaign.coverage.Coverage`.

``stand.html`` is one self-contained page (no script, nothing loaded from anywhere,
printable on A4) whose charts are inline SVG written by ``status.html.j2`` from the
coordinates of :mod:`planner.report.charts`. ``stand.xlsx`` holds the same tables, a
sheet each, formula-safe (:func:`planner.tabular.write_xlsx`).

Small numbers: every figure about fewer than ``settings.MIN_GROUP_SIZE`` people is
shown as "< 5" – a group (region, municipality, coach) of fewer people shows no figure
at all, and a count of 1 to 4 people (per month, outcome, reason) is hidden. Where the
hidden number would follow from a total shown beside it, a second one is hidden too
(:func:`planner.campaign.coverage.withheld`). Both files build on the same
:class:`StatusReport`, so they hide the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import jinja2

from planner import settings
from planner.campaign.coverage import (
    AreaShare,
    CodeCount,
    Coverage,
    Interval,
    small,
    withheld,
)
from planner.campaign.stats import NO_PLACE, Share, Waiting
from planner.render._format import PRIVACY_NOTE, clock, date_de, decimal_de
from planner.report.charts import (
    MAP_CLASSES,
    LineChart,
    Outline,
    line_chart,
    municipality_outline,
    share_colour,
)
from planner.tabular import SheetTable, write_xlsx

HTML_NAME = "stand.html"
XLSX_NAME = "stand.xlsx"
#: What a hidden number reads as.
HIDDEN = f"< {settings.MIN_GROUP_SIZE}"
#: The rule, as the report states it.
SMALL_NUMBERS_NOTE = (
    f"Kleine Zahlen werden nicht gezeigt: Angaben zu weniger als {settings.MIN_GROUP_SIZE} "
    f"Personen stehen als „{HIDDEN}“ da, auch ganze Gruppen (Region, Gemeinde, Coach) – in "
    "kleinen Orten ließe sich sonst auf Einzelne schließen. Ergäbe sich eine verdeckte Zahl "
    "aus der Summe, ist eine zweite verdeckt."
)
WAITING_NOTE = (
    "Einzelfälle mit Kunden-Nr: nur für die interne Arbeit. Für die Weitergabe den Bericht "
    "mit --ohne-einzelfaelle erstellen."
)
_MONTHS = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)  # fmt: skip
_MONTHS_SHORT = (
    "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni",
    "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.",
)  # fmt: skip

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "resources/templates"),
    autoescape=True,  # Kunden-Nr and coach keys come from files
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# --------------------------------------------------------------------------- formatting


def percent_de(share: float) -> str:
    """``0.685`` → ``"69 %"`` (whole percent, halves up)."""
    return f"{int(share * 100 + 0.5)} %"


def count_de(value: int) -> str:
    """``12345`` → ``"12.345"``."""
    return f"{value:,}".replace(",", ".")


def shown(value: int, hidden: bool) -> str:
    """A count as the report prints it."""
    return HIDDEN if hidden else count_de(value)


def month_de(month: date) -> str:
    """``November 2026``."""
    return f"{_MONTHS[month.month - 1]} {month.year}"


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class ShareRow:
    """Reached among a group, with whether the report hides the group's figures."""

    label: str
    cases: int
    reached: int
    hidden: bool
    ags: str = ""

    @property
    def share(self) -> float:
        return self.reached / self.cases if self.cases else 0.0

    @property
    def cases_text(self) -> str:
        return shown(self.cases, self.hidden)

    @property
    def reached_text(self) -> str:
        return "" if self.hidden else count_de(self.reached)

    @property
    def share_text(self) -> str:
        return "" if self.hidden or not self.cases else percent_de(self.share)


@dataclass(frozen=True)
class CountRow:
    """A code (outcome, reason) or a month with its counts and which of them are hidden."""

    code: str
    label: str
    counts: tuple[int, ...]
    hidden: tuple[bool, ...]
    bar: float = 0.0  # first count in % of the largest shown one (chart length)

    def text(self, i: int) -> str:
        return shown(self.counts[i], self.hidden[i])

    def cell(self, i: int) -> int | str:
        """The count for a spreadsheet cell: a number, or the hidden mark."""
        return HIDDEN if self.hidden[i] else self.counts[i]


@dataclass(frozen=True)
class KeyFigure:
    label: str
    value: str  # as printed ("69 %", "< 5")
    note: str = ""
    number: int | float | None = None  # for the spreadsheet (None: the text)

    @property
    def cell(self) -> int | float | str:
        return self.value if self.number is None else self.number


@dataclass(frozen=True)
class StatusReport:
    """Everything both files show, with the small numbers already hidden."""

    coverage: Coverage
    created: datetime
    overall: ShareRow
    figures: tuple[KeyFigure, ...]
    regions: tuple[ShareRow, ...]
    municipalities: tuple[ShareRow, ...]
    coaches: tuple[ShareRow, ...]
    months: tuple[CountRow, ...]  # counts: first contacts, follow-up contacts, attempts
    outcomes: tuple[CountRow, ...]  # counts: people, attempts
    reasons: tuple[CountRow, ...]  # counts: people
    waiting: tuple[Waiting, ...] | None  # None: left out for passing the report on
    coach_names: Mapping[str, str]

    @property
    def period_text(self) -> str:
        p = self.coverage.period
        return f"{date_de(p.start)} bis {date_de(p.end)}"


def share_rows(
    shares: Sequence[Share], *, partition: bool, names: Mapping[str, str] | None = None
) -> tuple[ShareRow, ...]:
    """Rows of a breakdown; groups of fewer than five people hidden (with ``partition``
    a second one where the total would give the first away)."""
    # The cases without a place live in no village: that their number follows from the
    # total harms nobody, so they do not make a second (real) group disappear.
    placed = [i for i, s in enumerate(shares) if s.label != NO_PLACE]
    hidden = [small(s.cases) for s in shares]
    for i, h in zip(placed, withheld([shares[i].cases for i in placed], partition=partition),
                    strict=True):  # fmt: skip
        hidden[i] = h
    return tuple(
        ShareRow(
            (names or {}).get(s.label, s.label),
            s.cases,
            s.reached,
            h,
            s.ags if isinstance(s, AreaShare) else "",
        )
        for s, h in zip(shares, hidden, strict=True)
    )


def _code_rows(counts: Sequence[CodeCount], *, with_attempts: bool) -> tuple[CountRow, ...]:
    # The codes split the people (reasons) or the attempts (outcomes) of a shown total.
    people = withheld([c.people for c in counts], partition=True)
    rows = []
    for c, hide in zip(counts, people, strict=True):
        if with_attempts:
            rows.append(CountRow(c.code, c.label, (c.people, c.attempts or 0), (hide, hide)))
        else:
            rows.append(CountRow(c.code, c.label, (c.people,), (hide,)))
    return _with_bars(rows)


def _with_bars(rows: Sequence[CountRow]) -> tuple[CountRow, ...]:
    """The rows with bar lengths: the largest shown first count is a full bar."""
    top = max((r.counts[0] for r in rows if not r.hidden[0]), default=0)
    return tuple(
        replace(r, bar=round(r.counts[0] / top * 100, 1) if top and not r.hidden[0] else 0.0)
        for r in rows
    )


def build_report(
    coverage: Coverage,
    *,
    created: datetime,
    coach_names: Mapping[str, str] | None = None,
    with_waiting: bool = True,
) -> StatusReport:
    """The report's content for ``coverage`` (``coach_names``: key → name from the team)."""
    stats = coverage.stats
    names = dict(coach_names or {})
    overall = ShareRow("alle", stats.cases, stats.reached, small(stats.cases))
    firsts = withheld([m.first for m in coverage.months], partition=True)
    months = _with_bars(
        [
            CountRow(
                m.month.isoformat(),
                month_de(m.month),
                (m.first, m.follow_up, m.attempts),
                (first, small(m.follow_up), small(m.attempts)),
            )
            for m, first in zip(coverage.months, firsts, strict=True)
        ]
    )
    return StatusReport(
        coverage=coverage,
        created=created,
        overall=overall,
        figures=_key_figures(coverage, overall),
        regions=share_rows(stats.by_region, partition=True),
        municipalities=share_rows(coverage.by_municipality, partition=True),
        coaches=share_rows(stats.by_coach, partition=False, names=names),
        months=months,
        outcomes=_code_rows(coverage.outcomes, with_attempts=True),
        reasons=_code_rows(
            (*coverage.reasons, CodeCount("besuch", "Besuch steht an", coverage.visits_due)),
            with_attempts=False,
        ),
        waiting=stats.longest_waiting if with_waiting else None,
        coach_names=names,
    )


def _key_figures(coverage: Coverage, overall: ShareRow) -> tuple[KeyFigure, ...]:
    stats, results = coverage.stats, coverage.results
    per_reached = stats.attempts_per_reached
    median = coverage.median_days_to_first_contact
    n_first = len(coverage.days_to_first_contact)
    attempts = sum(c.attempts or 0 for c in coverage.outcomes)

    def count(n: int) -> str:
        return shown(n, small(n))

    def number(n: int) -> int | None:
        return None if small(n) else n

    return (
        KeyFigure("Erreicht", HIDDEN, "Personen auf der Liste")
        if overall.hidden
        else KeyFigure(
            "Erreicht",
            percent_de(overall.share),
            f"{count_de(overall.reached)} von {count_de(overall.cases)} Personen",
        ),
        KeyFigure(
            "Erstmals erreicht",
            count(coverage.first_reached),
            "Personen im Zeitraum",
            number(coverage.first_reached),
        ),
        KeyFigure(
            "Tage bis zum Erstkontakt",
            HIDDEN if small(n_first) or median is None else decimal_de(median, 0),
            "Median, ab Aufnahme in die Liste",
            None if small(n_first) else median,
        ),
        KeyFigure(
            "Versuche je Erreichten",
            HIDDEN if per_reached is None or small(stats.reached) else decimal_de(per_reached),
            "Anrufe, Briefe, Besuche",
            None if per_reached is None or small(stats.reached) else round(per_reached, 1),
        ),
        KeyFigure(
            "An Ansprechperson übergeben",
            count(results.handed_back),
            "Personen im Zeitraum",
            number(results.handed_back),
        ),
        KeyFigure(
            "Coaching oder Beratung",
            count(results.coaching_or_referral),
            f"Coaching {count(results.coaching)} · vermittelt {count(results.referred)}",
            number(results.coaching_or_referral),
        ),
        KeyFigure("Versuche", count(attempts), "im Zeitraum", number(attempts)),
        KeyFigure(
            "Offene Fälle",
            count(stats.open),
            f"abgeschlossen {count(stats.closed)} · nicht mehr in der Liste {count(stats.missing)}",
            number(stats.open),
        ),
    )


# --------------------------------------------------------------------------- HTML


def status_html(report: StatusReport) -> str:
    """The report as one self-contained HTML page."""
    cov = report.coverage
    return _ENV.get_template("status.html.j2").render(
        r=report,
        period=report.period_text,
        day=date_de(cov.period.end),
        created=f"{date_de(report.created.date())}, {clock(report.created)} Uhr",
        interval=cov.interval.label,
        chart=_timeline_chart(cov),
        map=_map_view(report),
        classes=_map_legend(),
        hidden=HIDDEN,
        small_note=SMALL_NUMBERS_NOTE,
        waiting_note=WAITING_NOTE,
        waiting=_waiting_rows(report),
        notes=notes(report),
        privacy=PRIVACY_NOTE,
        attribution=settings.ATTRIBUTION,
        min_group=settings.MIN_GROUP_SIZE,
        bar=lambda share: round(share * 100, 1),
    )


def _timeline_chart(cov: Coverage) -> LineChart | None:
    if not cov.timeline or not cov.timeline[0].points:
        return None
    days = [p.day for p in cov.timeline[0].points]
    series = [
        (s.label, [None if small(p.cases) or not p.cases else p.share for p in s.points])
        for s in cov.timeline
    ]
    if all(v is None for _, values in series for v in values):
        return None

    def day_label(day: date) -> str:
        if cov.interval is Interval.MONTH:
            return f"{_MONTHS_SHORT[day.month - 1]} {day:%y}"
        return f"{day:%d.%m.}"

    return line_chart(days, series, day_label=day_label, value_label=percent_de)


@dataclass(frozen=True)
class MapArea:
    name: str
    path: str
    fill: str
    pattern: bool  # hidden: hatched
    label_x: float
    label_y: float
    value: str  # printed under the name ("" none)
    title: str  # tooltip


@dataclass(frozen=True)
class MapView:
    outline: Outline
    areas: tuple[MapArea, ...]


def _map_view(report: StatusReport) -> MapView:
    outline = municipality_outline()
    rows = {r.ags: r for r in report.municipalities if r.ags}
    areas = []
    for area in outline.areas:
        row = rows.get(area.ags)
        if row is None:
            areas.append(
                MapArea(
                    area.name,
                    area.path,
                    "#ffffff",
                    False,
                    area.label_x,
                    area.label_y,
                    "",
                    f"{area.name}: keine Fälle",
                )
            )
        elif row.hidden:
            areas.append(
                MapArea(
                    area.name,
                    area.path,
                    "#ffffff",
                    True,
                    area.label_x,
                    area.label_y,
                    "",
                    f"{area.name}: {HIDDEN} Personen",
                )
            )
        else:
            title = f"{area.name}: {row.reached_text} von {row.cases_text} erreicht"
            title += f" ({row.share_text})"
            areas.append(
                MapArea(
                    area.name,
                    area.path,
                    share_colour(row.share),
                    False,
                    area.label_x,
                    area.label_y,
                    row.share_text,
                    title,
                )
            )
    return MapView(outline, tuple(areas))


def _map_legend() -> list[dict[str, str]]:
    bounds = [*(lower for lower, _ in MAP_CLASSES), 1.0]
    legend = []
    for i, (lower, fill) in enumerate(MAP_CLASSES):
        upper = bounds[i + 1]
        text = f"{round(lower * 100)} bis unter {round(upper * 100)} %"
        if i == len(MAP_CLASSES) - 1:
            text = f"{round(lower * 100)} bis 100 %"
        legend.append({"fill": fill, "text": text})
    return legend


def _waiting_rows(report: StatusReport) -> list[dict[str, str]]:
    return [
        {
            "id": w.case_id,
            "since": date_de(w.since),
            "days": count_de(w.days),
            "attempts": count_de(w.attempts),
            "last": w.last_outcome.label if w.last_outcome is not None else "noch kein Versuch",
            "step": w.step.label,
        }
        for w in report.waiting or ()
    ]


# --------------------------------------------------------------------------- XLSX


def status_tables(report: StatusReport) -> list[SheetTable]:
    """The report's tables, one worksheet each (hidden numbers as "< 5")."""
    cov = report.coverage

    def share_table(title: str, head: str, rows: Sequence[ShareRow], note: str) -> SheetTable:
        return SheetTable(
            title,
            [head, "Personen", "erreicht", "Anteil erreicht"],
            [
                [r.label, HIDDEN, None, None]
                if r.hidden
                else [r.label, r.cases, r.reached, r.share if r.cases else None]
                for r in rows
            ],
            widths=(28, 12, 12, 16),
            formats={3: "0%"},
            note=note,
        )

    tables = [
        SheetTable(
            "Überblick",
            ["Kennzahl", "Wert", "Erläuterung"],
            [
                ["Zeitraum", report.period_text, "Stand der Fälle am Ende des Zeitraums"],
                *([f.label, f.cell, f.note] for f in report.figures),
            ],
            widths=(34, 16, 70),
            note="Beratung Mobil – Stand der Kampagne, erstellt am "
            + date_de(report.created.date()),
        ),
        share_table("Regionen", "Region", report.regions, "Erreicht je Region"),
        share_table("Gemeinden", "Gemeinde", report.municipalities, "Erreicht je Gemeinde"),
        share_table(
            "Coaches",
            "Coach",
            report.coaches,
            "Erreicht je Coach – unter den Personen, bei denen der Coach es versucht hat",
        ),
        SheetTable(
            "Monate",
            ["Monat", "Erstkontakte", "Folgekontakte", "Versuche"],
            [[m.label, m.cell(0), m.cell(1), m.cell(2)] for m in report.months],
            widths=(20, 14, 14, 12),
            note="Kontakte je Monat (nur Tage im Zeitraum)",
        ),
        SheetTable(
            "Verlauf",
            ["Stichtag", "Region", "Personen", "erreicht", "Anteil erreicht"],
            [
                [p.day, s.label, HIDDEN, None, None]
                if small(p.cases)
                else [p.day, s.label, p.cases, p.reached, p.share if p.cases else None]
                for s in cov.timeline
                for p in s.points
            ],
            widths=(12, 20, 12, 12, 16),
            formats={4: "0%"},
            note=f"Erreicht im Zeitverlauf, je {cov.interval.label} (Stand am Stichtag)",
        ),
        SheetTable(
            "Ergebnisse",
            ["Code", "Ergebnis", "Personen", "Versuche"],
            [[o.code, o.label, o.cell(0), o.cell(1)] for o in report.outcomes],
            widths=(22, 32, 12, 12),
            note="Ergebnisse der Versuche im Zeitraum, nach Code",
        ),
        SheetTable(
            "Gründe",
            ["Code", "Grund", "Personen"],
            [[r.code, r.label, r.cell(0)] for r in report.reasons],
            widths=(28, 56, 12),
            note=f"Warum Fälle nicht eingeplant werden, Stand {date_de(cov.period.end)}",
        ),
    ]
    if report.waiting is not None:
        tables.append(
            SheetTable(
                "Wartende",
                [
                    "Kunden-Nr",
                    "wartet seit",
                    "Tage",
                    "Versuche",
                    "letztes Ergebnis",
                    "nächster Schritt",
                ],
                [
                    [
                        w.case_id,
                        w.since,
                        w.days,
                        w.attempts,
                        w.last_outcome.label if w.last_outcome is not None else "noch kein Versuch",
                        w.step.label,
                    ]
                    for w in report.waiting
                ],
                widths=(14, 12, 8, 10, 24, 28),
                note="Wer am längsten wartet (noch nicht erreicht). " + WAITING_NOTE,
                landscape=True,
            )
        )
    tables.append(
        SheetTable(
            "Hinweise",
            ["Hinweis"],
            [[text] for text in notes(report)],
            widths=(110,),
        )
    )
    return tables


def notes(report: StatusReport) -> list[str]:
    """How to read the figures (German), for both files."""
    cov = report.coverage
    return [
        SMALL_NUMBERS_NOTE,
        f"Zeitraum {report.period_text}. Stand der Fälle (erreicht, Wartende, Gründe) am "
        f"{date_de(cov.period.end)}; Kontakte, Ergebnisse, Übergaben und Tage bis zum "
        "Erstkontakt aus den Versuchen im Zeitraum.",
        "Erreicht: mindestens ein Kontakt – Anruf angenommen, Rückruf erbeten, Termin "
        "vereinbart oder abgesagt, angetroffen, auch abgelehnt, übergeben, Coaching, "
        "vermittelt.",
        "Folgekontakte: weitere Kontakte mit Personen, die schon einmal erreicht wurden.",
        "Tage bis zum Erstkontakt: vom Tag der Aufnahme in die Kundenliste bis zum ersten "
        "Kontakt; wer noch nicht erreicht ist, zählt hier nicht (siehe Wartende).",
        "Wartet seit: letzter Kontakt des Jobcenters laut Kundenliste, sonst Aufnahme in die "
        "Liste.",
        f"Gründe: wie in plan.csv; „Besuch steht an“: vereinbarter Termin oder angekündigter "
        f"Besuch. {PRIVACY_NOTE}.",
    ]


# --------------------------------------------------------------------------- files


def write_status(report: StatusReport, folder: Path) -> tuple[Path, Path]:
    """Write ``stand.html`` and ``stand.xlsx`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / HTML_NAME
    html.write_text(status_html(report), encoding="utf-8")
    footer = f"Beratung Mobil – Stand {date_de(report.coverage.period.end)}"
    if report.waiting is not None:
        footer += f" – {PRIVACY_NOTE}"
    xlsx = write_xlsx(folder / XLSX_NAME, status_tables(report), footer=footer)
    return html, xlsx
