"""Heute: the coach's published tour of today – list, map, one tap per outcome at the door.

Loads through :mod:`planner.workflow` (:func:`~planner.workflow.coach_day`,
:func:`~planner.workflow.fill_in_cases`), records with
:func:`~planner.workflow.record_attempts` and audits every read and change, like
``cases.py``. A coach sees their own tour; the lead picks a coach (``?coach=``).

"Folgetermin" at the door is recorded as a visit with the agreed appointment, not pinned
into the published plan: pinning would take the case's pin of today out of the week's
plan (one pin per case) and the coach's list would lose the stop being visited. The
recorded appointment is fixed for that coach; the next re-plan places it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt, Case
from planner.campaign.suggest import FillIn
from planner.campaign.week import Change
from planner.geodata import district_geojson
from planner.intake.outcomes import MAX_NOTE_CHARS
from planner.intake.outcomes import _clean_note as clean_note
from planner.model import Break, Precision, Stop, Tour
from planner.render._format import (
    PRECISION_DE,
    clock,
    date_long_de,
    km_de,
    minutes_de,
    stop_locality,
)
from planner.render.calls import _tel_href as tel_href
from planner.store import Role, User, WebSession
from planner.web.access import may_see, visible_case_ids
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.pages.cases import case_href
from planner.web.security import csrf_protected, current
from planner.workflow import CoachDay, coach_day, fill_in_cases, record_attempts

#: Outcomes at the door, in button order (German labels from the codes).
DOOR_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.MET,
    Outcome.NOT_MET,
    Outcome.APPOINTMENT,
    Outcome.DECLINED,
    Outcome.MOVED,
)
SOURCE = "App, Heute"
_EXACT = (Precision.MANUAL, Precision.HOUSE_NUMBER, Precision.STREET)


# --------------------------------------------------------------------------- whose day


@dataclass(frozen=True)
class Choice:
    """Whose tour or call list a page shows, and whom the lead may pick instead."""

    coach: str  # coach key; "" for a coach account without one
    choices: tuple[tuple[str, str], ...]  # (key, name) for the lead's selector; () else
    lead: bool

    def query(self, **extra: str) -> str:
        """Query string keeping the lead's choice (a coach's own key is implied)."""
        pairs = {"coach": self.coach} if self.lead else {}
        pairs.update({k: v for k, v in extra.items() if v})
        return f"?{urlencode(pairs)}" if pairs else ""


def coach_page(
    ctx: AppContext, choice: Choice, today: date, title: str, action: str, error: str
) -> dict[str, Any]:
    """Template fields every per-coach page (Heute, Anrufliste) starts from."""
    return {
        "title": title,
        "pick_action": action,
        "day": date_long_de(today),
        "choice": choice,
        "coach_name": ctx.coach_name(choice.coach) if choice.coach else "",
        "error": error,
    }


async def pick_coach(request: Request, wanted: object, where: str) -> Choice:
    """The coach a page is about: a coach's own key (another one: 403, audited); for the
    lead ``wanted`` if it is a coach of the team, else their own key or the first coach."""
    ctx = context(request)
    session = current(request)
    user = session.user
    keys = [c.key for c in ctx.team.coaches]
    asked = wanted if isinstance(wanted, str) and wanted else ""
    if user.role is Role.LEAD:
        if asked and asked not in keys:
            raise HTTPException(404, f"Den Coach „{asked}“ gibt es in der Teamdatei nicht.")
        own = user.coach if user.coach in keys else (keys[0] if keys else "")
        choices = tuple((c.key, c.name) for c in ctx.team.coaches)
        return Choice(asked or own, choices, lead=True)
    if asked and asked != user.coach:
        await ctx.write(ctx.store.log, None, "Zugriff verweigert", f"{where} von {asked}",
                        user=user.name, at=ctx.now())  # fmt: skip
        raise HTTPException(403, "Sie sehen nur Ihre eigene Tour und Anrufliste.")
    return Choice(user.coach or "", (), lead=False)


def parse_day(value: object) -> date | None:
    """A date from a form field (``2026-12-02``), or None when empty or not a date."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_clock(value: object) -> time | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


def note_of(form: FormData) -> str:
    """The optional note of an outcome form, cleaned like a note in an outcomes file."""
    text = form.get("notiz")
    note = clean_note(text) if isinstance(text, str) else ""
    if len(note) > MAX_NOTE_CHARS:
        raise FormError(f"Die Notiz ist zu lang (höchstens {MAX_NOTE_CHARS} Zeichen).")
    return note


def door_label(outcome: Outcome) -> str:
    """The outcome's label at the door: an appointment agreed there is a "Folgetermin"."""
    return "Folgetermin" if outcome is Outcome.APPOINTMENT else outcome.label


class FormError(ValueError):
    """A form that cannot be recorded; the message says why (German)."""


# --------------------------------------------------------------------------- page


async def today_page(request: Request) -> Response:
    """GET /heute: the coach's tour of today (the lead: any coach's)."""
    choice = await pick_coach(request, request.query_params.get("coach"), "Heute")
    return await _page(request, choice)


async def _page(
    request: Request, choice: Choice, *, error: str = "", status: int = 200
) -> Response:
    ctx = context(request)
    session = current(request)
    today, now = ctx.today(), ctx.now()
    base: dict[str, Any] = {
        **coach_page(ctx, choice, today, "Heute", "/heute", error),
        "notice": {},
        "missed": "",
        "fills": [],
        "tours": [],
        "elsewhere": [],
        "map": None,
    }
    if not choice.coach:
        return render(request, "today.html.j2", {**base, "no_coach": True}, status=status)
    day = await ctx.run(coach_day, ctx.store, ctx.team, today, choice.coach, travel=ctx.travel)
    done = _last_outcomes(day)
    in_tour = {s.visit.client.id for t in day.tours for s in t.stops}
    notice = _notice(request, day)
    fills: list[dict[str, Any]] = []
    missed = request.query_params.get("verpasst", "")
    last = done.get(missed)
    if missed in in_tour and last is not None and last.outcome is Outcome.NOT_MET:
        fills = await _fill_ins(ctx, session, missed, now)
    else:
        missed = ""
    tours = [_tour_view(t, done, now) for t in day.tours]
    detail = f"{choice.coach}, {today:%d.%m.%Y}: {len(in_tour)} Besuche"
    await ctx.write(ctx.store.log, None, "Tagestour angesehen", detail,
                    user=session.user.name, at=now)  # fmt: skip
    return render(
        request,
        "today.html.j2",
        {
            **base,
            "no_coach": False,
            "tours": tours,
            "published": day.published,
            "day_off": day.day_off,
            "changes": [_change_view(c) for c in day.changes],
            "elsewhere": [_done_view(a) for k, a in done.items() if k not in in_tour],
            "notice": notice,
            "missed": missed,
            "fills": fills,
            "map": _map_data(day.tours, done) if day.tours else None,
            "estimate_note": ctx.travel_note,
            "today_iso": today.isoformat(),
        },
        status=status,
    )


def _last_outcomes(day: CoachDay) -> dict[str, Attempt]:
    """The latest recorded visit outcome per case today (a second tap corrects the first)."""
    done: dict[str, Attempt] = {}
    for attempt in day.visits:
        done[attempt.case_id] = attempt
    return done


def _notice(request: Request, day: CoachDay) -> dict[str, Any]:
    """The confirmation after a recorded outcome (from the redirect's query)."""
    case_id = request.query_params.get("erfasst", "")
    outcome = Outcome.parse(request.query_params.get("ergebnis", ""))
    recorded = next((a for a in reversed(day.visits) if a.case_id == case_id), None)
    if not case_id or outcome is None or recorded is None:
        return {}
    label = door_label(outcome)
    extra = ""
    if outcome is Outcome.APPOINTMENT and recorded.appointment is not None:
        extra = f"Folgetermin {recorded.appointment:%d.%m.%Y %H:%M} ist eingetragen."
    elif outcome.closes:
        extra = "Der Fall ist damit abgeschlossen."
    elif recorded.follow_up is not None:
        extra = f"Wiedervorlage am {recorded.follow_up:%d.%m.%Y}."
    return {"case_id": case_id, "label": label, "extra": extra,
            "missed": outcome is Outcome.NOT_MET}  # fmt: skip


async def _fill_ins(
    ctx: AppContext, session: WebSession, missed: str, now: datetime
) -> list[dict[str, Any]]:
    """The open cases that still fit after ``missed``; names and addresses only of cases
    the user may see (the position is needed to drive there, the name is not)."""
    found = await ctx.run(fill_in_cases, ctx.store, ctx.team, missed, now, travel=ctx.travel)
    if not found:
        return []
    visible: frozenset[str] | None = None
    if session.user.role is not Role.LEAD:
        visible = await ctx.run(visible_case_ids, ctx.store, ctx.team, session.user, now.date())
    await ctx.write(ctx.store.log, missed, "Ersatzbesuche angesehen",
                    f"{len(found)} Vorschläge", user=session.user.name, at=now)  # fmt: skip
    return [_fill_view(f, c, visible is None or c.id in visible) for f, c in found]


def _fill_view(fill: FillIn, case: Case, known: bool) -> dict[str, Any]:
    site = case.site
    return {
        "id": case.id,
        "href": case_href(case.id) if known else "",
        "name": case.client.name if known else "",
        "address": case.client.address.one_line() if known else "",
        "place": _place_of(case),
        "start": clock(fill.start),
        "extra": f"{fill.extra_driving_min:+d} min Fahrt",
        "text": fill.explanation,
        "geo": _geo(site.lat, site.lon) if site else "",
    }


def _place_of(case: Case) -> str:
    site = case.site
    if site is None:
        return case.client.address.place
    if site.ortsteil and site.ortsteil != site.municipality:
        return f"{site.municipality}-{site.ortsteil}"
    return site.municipality


def _geo(lat: float, lon: float) -> str:
    """A ``geo:`` URI: the phone's navigation app opens it, no website is involved."""
    return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"


# --------------------------------------------------------------------------- view models


def _tour_view(tour: Tour, done: dict[str, Attempt], now: datetime) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    pending = sorted(tour.breaks, key=lambda b: b.start)
    next_found = False
    for number, stop in enumerate(tour.stops, start=1):
        while pending and pending[0].start <= stop.start:
            rows.append(_break_view(pending.pop(0)))
        row = _stop_view(number, stop, done.get(stop.visit.client.id), now)
        if not row["recorded"] and not next_found and stop.end >= now:
            row["next"] = next_found = True
        rows.append(row)
    rows.extend(_break_view(b) for b in pending)
    back = f"{minutes_de(tour.return_travel_min)} · {km_de(tour.return_distance_m)}"
    return {
        "van": tour.with_van,
        "start": clock(tour.start),
        "end": clock(tour.end),
        "start_office": tour.start_office.name,
        "end_office": tour.end_office.name,
        "driving": f"{minutes_de(tour.driving_min)} · {km_de(tour.distance_m)}",
        "back": back,
        "visits": len(tour.stops),
        "recorded": sum(1 for s in tour.stops if s.visit.client.id in done),
        "breaks": ", ".join(f"{clock(b.start)}–{clock(b.end)}" for b in tour.breaks),
        "rows": rows,
    }


def _stop_view(number: int, stop: Stop, done: Attempt | None, now: datetime) -> dict[str, Any]:
    client, site = stop.visit.client, stop.visit.site
    if site.meeting_place:
        where_kind, where = "Treffpunkt", site.meeting_place
    elif stop.visit.stand:
        where_kind, where = "Standort Beratungsmobil", stop.visit.stand
    else:
        where_kind, where = "Adresse", client.address.one_line() or "–"
    setup = ""
    if stop.setup_min:  # the Beratungsmobil is set up right before the visit
        ready = stop.start - timedelta(minutes=stop.setup_min)
        setup = f"Aufbau {clock(ready)}–{clock(stop.start)}"
    return {
        "kind": "stop",
        "nr": number,
        "id": client.id,
        "href": case_href(client.id),
        "name": client.name,
        "arrival": clock(stop.arrival),
        "start": clock(stop.start),
        "end": clock(stop.end),
        "begin_later": stop.start != stop.arrival,
        "setup": setup,
        "travel": f"{minutes_de(stop.travel_min)} · {km_de(stop.distance_m)}",
        "window": stop.window or "–",
        "where_kind": where_kind,
        "where": where,
        "locality": stop_locality(stop),
        "phone": client.phone,
        "tel": tel_href(client.phone),
        "geo": _geo(site.lat, site.lon),
        "approx": _approx(stop),
        "duration": minutes_de(stop.visit.duration_min),
        "notes": client.notes,
        "high": client.priority == 1,
        "recorded": _done_view(done) if done else None,
        "past": stop.end < now,
        "next": False,
    }


def _approx(stop: Stop) -> str:
    """How rough the navigation target is: an address or a meeting place may be known
    only to the village or town centre (the van's stand is the place itself)."""
    precision = stop.visit.site.precision
    return "" if stop.visit.stand or precision in _EXACT else PRECISION_DE[precision]


def _break_view(pause: Break) -> dict[str, Any]:
    minutes = int((pause.end - pause.start).total_seconds() // 60)
    return {
        "kind": "break",
        "start": clock(pause.start),
        "end": clock(pause.end),
        "duration": minutes_de(minutes),
    }


def _done_view(attempt: Attempt) -> dict[str, Any]:
    outcome = attempt.outcome
    label = door_label(outcome)
    if outcome is Outcome.APPOINTMENT and attempt.appointment is not None:
        label += f" {attempt.appointment:%d.%m. %H:%M}"
    return {
        "id": attempt.case_id,
        "code": outcome.value,
        "label": label,
        "at": clock(attempt.at),
        "contact": outcome.contact and not outcome.closes,
        "closes": outcome.closes,
    }


def _change_view(change: Change) -> dict[str, str]:
    return {"id": change.case_id, "kind": change.kind.label, "code": change.kind.value,
            "text": change.text}  # fmt: skip


def _missed(attempt: Attempt | None) -> bool:
    return attempt is not None and not attempt.outcome.contact


def _map_data(tours: tuple[Tour, ...], done: dict[str, Attempt]) -> dict[str, Any]:
    """What the offline map draws: the district outline, each tour's line from office to
    office and the numbered stops (no tiles, nothing from outside)."""
    lines = []
    stops = []
    offices = {}
    for tour in tours:
        a, b = tour.start_office, tour.end_office
        offices[a.key] = {"lat": a.lat, "lon": a.lon, "name": a.name}
        offices[b.key] = {"lat": b.lat, "lon": b.lon, "name": b.name}
        points = [[a.lat, a.lon]]
        for number, stop in enumerate(tour.stops, start=1):
            site = stop.visit.site
            points.append([site.lat, site.lon])
            stops.append({
                "nr": number,
                "lat": site.lat,
                "lon": site.lon,
                "label": f"{number}. {clock(stop.start)} {stop.visit.client.id}",
                "done": stop.visit.client.id in done,
                "missed": _missed(done.get(stop.visit.client.id)),
            })  # fmt: skip
        points.append([b.lat, b.lon])
        lines.append({"points": points, "van": tour.with_van})
    return {
        "outline": district_geojson(),
        "lines": lines,
        "stops": stops,
        "offices": list(offices.values()),
    }


# --------------------------------------------------------------------------- record


@dataclass(frozen=True)
class OutcomeForm:
    """A posted outcome (door or call list), read and checked the same way for both."""

    form: FormData
    choice: Choice
    case_id: str
    outcome: Outcome
    today: date
    now: datetime


async def read_outcome_form(
    request: Request, allowed: Collection[Outcome], where: str, refusal: str
) -> OutcomeForm:
    """The form of an outcome POST: 400 for a missing Kunden-Nr or an outcome not in
    ``allowed`` (``refusal``), 403 (audited) for a case the user may not see."""
    ctx = context(request)
    form = await request.form()
    choice = await pick_coach(request, form.get("coach"), where)
    case_id = form.get("kunden_nr")
    if not isinstance(case_id, str) or not case_id:
        raise HTTPException(400, "Kunden-Nr fehlt.")
    outcome = Outcome.parse(str(form.get("ergebnis", "")))
    if outcome is None or outcome not in allowed or not choice.coach:
        raise HTTPException(400, refusal)
    today, now = ctx.today(), ctx.now()
    await require_case(ctx, current(request).user, case_id, today, where)
    return OutcomeForm(form, choice, case_id, outcome, today, now)


async def store_outcome(request: Request, attempt: Attempt, detail: str) -> None:
    """Record ``attempt`` and its audit line ("Ergebnis erfasst: ``detail``")."""
    ctx, user = context(request), current(request).user.name
    await ctx.write(record_attempts, ctx.store, (attempt,), user=user, now=attempt.at)
    await ctx.write(ctx.store.log, attempt.case_id, "Ergebnis erfasst", detail,
                    user=user, at=attempt.at)  # fmt: skip


@csrf_protected
async def record_visit(request: Request) -> Response:
    """POST /heute/ergebnis: the outcome at the door (a visit attempt, now, audited)."""
    posted = await read_outcome_form(
        request, DOOR_OUTCOMES, "Heute (Ergebnis)", "Dieses Ergebnis gibt es beim Besuch nicht."
    )
    choice, case_id, outcome = posted.choice, posted.case_id, posted.outcome
    try:
        attempt = _visit_attempt(
            posted.form, case_id, choice.coach, outcome, posted.now, posted.today
        )
    except FormError as err:
        return await _page(request, choice, error=str(err), status=400)
    detail = f"Besuch: {outcome.label}" + (
        f", Termin {attempt.appointment:%d.%m.%Y %H:%M}" if attempt.appointment else ""
    )
    await store_outcome(request, attempt, detail)
    extra = {"erfasst": case_id, "ergebnis": outcome.value}
    if outcome is Outcome.NOT_MET:
        extra["verpasst"] = case_id
    return RedirectResponse(f"/heute{choice.query(**extra)}#hinweis", status_code=303)


async def require_case(ctx: AppContext, user: User, case_id: str, today: date, where: str) -> None:
    """403 (audited) unless ``user`` may see the case (:mod:`planner.web.access`)."""
    if not await ctx.run(may_see, ctx.store, ctx.team, user, case_id, today):
        await ctx.write(ctx.store.log, case_id, "Zugriff verweigert", where,
                        user=user.name, at=ctx.now())  # fmt: skip
        raise HTTPException(403, "Dieser Fall gehört nicht zu Ihren Fällen.")


def _visit_attempt(
    form: FormData, case_id: str, coach: str, outcome: Outcome, now: datetime, today: date
) -> Attempt:
    follow_up = parse_day(form.get("wiedervorlage")) if outcome is Outcome.MET else None
    if follow_up is not None and follow_up < today:
        raise FormError("Die Wiedervorlage liegt vor heute. Bitte ein späteres Datum wählen.")
    appointment = None
    if outcome is Outcome.APPOINTMENT:
        day, at = parse_day(form.get("termin_datum")), parse_clock(form.get("termin_zeit"))
        if day is None or at is None:
            raise FormError("Für den Folgetermin bitte Datum und Uhrzeit angeben.")
        appointment = datetime.combine(day, at.replace(second=0, microsecond=0))
        if appointment <= now:
            raise FormError("Der Folgetermin liegt in der Vergangenheit.")
    return Attempt(
        case_id, now, coach, AttemptKind.VISIT, outcome, appointment=appointment,
        follow_up=follow_up, note=note_of(form), source=SOURCE,
    )  # fmt: skip
