"""Woche (lead only): the week's published plan as map and tables per day and coach;
move or unpin a visit, re-plan around the pins, publish the draft, print route sheets.

Everything that plans or checks runs in :mod:`planner.workflow` (``tours_of_week``,
``move_visit``, ``unpin_visit``, ``draft_plan``, ``publish_draft``); this module reads
forms, keeps the lead's draft between requests and turns plans into view dicts.

The draft lives in the app's memory, one per account, and is published as it was shown
(``publish_draft`` refuses it when the store changed since). It is lost when the app
restarts; the lead then simply plans again.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from planner import geodata, settings
from planner.calendar_de import days_off
from planner.campaign.model import Publication
from planner.campaign.week import Change
from planner.model import WEEKDAYS_DE, Plan, Stop, Team, Tour, Unplanned
from planner.reasons import Reason
from planner.render._format import clock, date_de, date_long_de, date_short_de
from planner.render.sheet import sheet_css, sheet_html
from planner.solve import FirstOf, SolutionLimit, StoppingCriterion, TimeLimit
from planner.store import Role, UnknownCase, WebSession
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.pages.cases import case_href
from planner.web.security import csrf_protected, require_role
from planner.workflow import (
    Draft,
    PlanChangeRefused,
    draft_plan,
    move_visit,
    publish_draft,
    tours_of_day,
    tours_of_week,
    unpin_visit,
)

DAYS = 5  # Monday to Friday
#: Colour classes ``coach-0`` … ``coach-7`` in week.css (the map's Okabe–Ito palette).
COLOURS = 8
#: Reasons of cases that simply are not due this week: listed folded (they are most).
_NOT_DUE = frozenset({Reason.CALL_FIRST, Reason.LETTER_FIRST, Reason.NOT_DUE,
                      Reason.CONTACT_DONE, Reason.CLOSED, Reason.MISSING_FROM_LIST})  # fmt: skip

#: Short notes after an action (``?hinweis=…``); the Kunden-Nr comes in ``fall``.
_NOTES = {
    "verschoben": "{case} ist verschoben und fest eingeplant.",
    "geloest": "{case} ist aus dem veröffentlichten Plan genommen; die nächste Neuplanung "
    "plant den Besuch frei ein, wenn er fällig ist.",
    "veroeffentlicht": "Der Plan ist veröffentlicht. Die Coaches sehen ihn ab sofort.",
    "verworfen": "Der Entwurf ist verworfen; es gilt weiter der veröffentlichte Plan.",
}
_ALERTS = {
    "veraltet": "Seit dem Entwurf hat sich der Plan oder ein Fall geändert – der Entwurf "
    "ist verworfen. Bitte neu planen.",
    "kein-entwurf": "Es gibt keinen Entwurf (mehr) für diese Woche. Bitte neu planen.",
    "vergangen": "Diese Woche ist vorbei; sie kann nicht mehr neu geplant werden.",
    "laeuft": "Die Neuplanung läuft schon. Bitte einen Moment warten und die Seite neu laden.",
}


def budget() -> StoppingCriterion:
    """The search budget of a re-plan: the reproducible solution limit, a time limit as
    safety net (like ``planner plan``)."""
    return FirstOf(
        (SolutionLimit(settings.DEFAULT_SOLUTION_LIMIT), TimeLimit(settings.DEFAULT_TIME_LIMIT_S))
    )


# --------------------------------------------------------------------------- drafts


@dataclass
class _Drafts:
    """The leads' drafts (one per account) and who is planning right now."""

    by_user: dict[str, tuple[date, Draft]] = field(default_factory=dict)  # week, draft
    busy: set[str] = field(default_factory=set)

    def get(self, user: str, monday: date) -> Draft | None:
        found = self.by_user.get(user)
        return found[1] if found is not None and found[0] == monday else None


def _drafts(request: Request) -> _Drafts:
    # Kept on the app (not the module): every app, e.g. each test's, has its own.
    state = request.app.state
    drafts = getattr(state, "week_drafts", None)
    if not isinstance(drafts, _Drafts):
        drafts = _Drafts()
        state.week_drafts = drafts
    return drafts


# --------------------------------------------------------------------------- the week


def parse_day(text: str) -> date | None:
    """``TT.MM.JJJJ`` (what the page shows) or ``JJJJ-MM-TT`` (form values), else None."""
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _monday(ctx: AppContext, raw: object) -> date:
    """The week asked for (``von``, any day of it), else today's week; 400 if unreadable."""
    if not isinstance(raw, str) or not raw.strip():
        return monday_of(ctx.today())
    day = parse_day(raw[:20])
    if day is None:
        raise HTTPException(400, "Das Datum bitte als TT.MM.JJJJ angeben.")
    return monday_of(day)


def planning_range(monday: date, today: date) -> tuple[date, int] | None:
    """The days a re-plan may change: the whole week before it starts, from today on
    while it runs (past days stay as published), None once it is over."""
    end = monday + timedelta(days=DAYS)
    if today <= monday:
        return monday, DAYS
    if today < end:
        return today, (end - today).days
    return None


def week_href(monday: date, **query: str) -> str:
    return "/woche?" + urlencode({"von": date_de(monday), **query})


@dataclass(frozen=True)
class _Published:
    tours: tuple[Tour, ...]
    publication: Publication | None  # the newest covering the week


def _load_published(ctx: AppContext, monday: date) -> _Published:
    tours = tours_of_week(ctx.store, ctx.team, monday, DAYS, travel=ctx.travel)
    return _Published(tours, ctx.store.publication(monday, DAYS))


@dataclass(frozen=True)
class _Editing:
    """The change form that is open: for which visit, with what values, and the refusal."""

    case_id: str
    coach: str = ""
    day: str = ""  # ISO
    time: str = ""  # HH:MM
    error: str = ""


async def week_page(request: Request) -> Response:
    """GET /woche: the published week (``?entwurf=1``: the lead's draft instead)."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    monday = _monday(ctx, request.query_params.get("von"))
    editing = None
    if case_id := request.query_params.get("aendern", "")[:100]:
        editing = _Editing(case_id)
    draft_view = request.query_params.get("entwurf") == "1"
    return await _week_response(request, ctx, session, monday, editing=editing,
                                draft_view=draft_view)  # fmt: skip


async def _week_response(
    request: Request,
    ctx: AppContext,
    session: WebSession,
    monday: date,
    *,
    editing: _Editing | None = None,
    draft_view: bool = False,
    status: int = 200,
) -> Response:
    today, now = ctx.today(), ctx.now()
    draft = _drafts(request).get(session.user.name, monday)
    published = await ctx.run(_load_published, ctx, monday)
    showing_draft = draft_view and draft is not None
    tours = published.tours
    if showing_draft and draft is not None:
        tours = _with_draft(published.tours, draft.result.plan)
    visits = sum(len(t.stops) for t in tours)
    what = "Entwurf" if showing_draft else "Wochenplan"
    # Names and places are on the page: who looked is logged (how many visits, not whose).
    await ctx.write(ctx.store.log, None, f"{what} angesehen",
                    f"Woche ab {date_de(monday)}: {visits} Besuche angezeigt",
                    user=session.user.name, at=now)  # fmt: skip
    span = planning_range(monday, today)
    query = request.query_params
    note = _NOTES.get(query.get("hinweis", ""), "").format(case=query.get("fall", "")[:100])
    alert = _ALERTS.get(query.get("hinweis", ""), "")
    friday = monday + timedelta(days=DAYS - 1)
    movable = [monday + timedelta(days=i) for i in range(DAYS)]
    movable = [d for d in movable if d >= today]
    days = _days_view(ctx, monday, tours, editing=None if showing_draft else editing,
                      today=today, now=now, draft=showing_draft)  # fmt: skip
    if showing_draft and draft is not None:
        plan = draft.result.plan
        for day in days:  # days the re-plan did not touch: say so
            day["kept"] = not 0 <= (date.fromisoformat(day["iso"]) - plan.start).days < plan.days
    opened = any(row["editing"] for day in days for tour in day["tours"] for row in tour["rows"])
    if editing is not None and editing.error and not opened:
        alert = f"{editing.case_id}: {editing.error}"  # no row to show it next to
    context_: dict[str, Any] = {
        "title": "Woche",
        "monday": monday,
        "von": date_de(monday),
        "period": f"{date_short_de(monday)} – {date_short_de(friday)}{friday.year}",
        "previous_href": week_href(monday - timedelta(days=7)),
        "next_href": week_href(monday + timedelta(days=7)),
        "this_week_href": week_href(monday_of(today)) if monday != monday_of(today) else "",
        "publication": _publication_view(ctx, published.publication),
        "draft": (
            _draft_view(ctx, draft, monday)
            if showing_draft and draft is not None
            else {"planned": draft.result.plan.planned_count}  # only "there is a draft"
            if draft is not None
            else None
        ),
        "showing_draft": showing_draft,
        "draft_href": week_href(monday, entwurf="1"),
        "week_href": week_href(monday),
        "can_plan": span is not None,
        "plan_from": date_short_de(span[0]) if span is not None and span[0] != monday else "",
        "days": days,
        "visits": visits,
        "coaches": [(c.key, c.name) for c in ctx.team.coaches],
        "movable_days": [(d.isoformat(), date_short_de(d)) for d in movable],
        "editing": editing,
        "note": note,
        "alert": alert,
        "focus": query.get("fall", "")[:100] if note else "",
        "map_json": _map_json(ctx, tours),
    }
    return render(request, "week.html.j2", context_, status=status)


def _with_draft(published: tuple[Tour, ...], plan: Plan) -> tuple[Tour, ...]:
    """The week as it would be: the draft's days, the published tours on the others
    (a re-plan during the week leaves the days before today as they were)."""
    end = plan.start + timedelta(days=plan.days)
    kept = [t for t in published if not plan.start <= t.day < end]
    return tuple(sorted((*kept, *plan.tours), key=lambda t: t.day))


def _publication_view(ctx: AppContext, publication: Publication | None) -> dict[str, Any] | None:
    if publication is None:
        return None
    by = publication.published_by
    return {
        "at": publication.published_at,
        "by": ctx.coach_name(by) if by in {c.key for c in ctx.team.coaches} else by,
    }


def _coach_index(team: Team) -> dict[str, int]:
    return {c.key: i % COLOURS for i, c in enumerate(team.coaches)}


def _days_view(
    ctx: AppContext,
    monday: date,
    tours: tuple[Tour, ...],
    *,
    editing: _Editing | None,
    today: date,
    now: datetime,
    draft: bool,
) -> list[dict[str, Any]]:
    colour = _coach_index(ctx.team)
    by_day: dict[date, list[Tour]] = defaultdict(list)
    for tour in tours:
        by_day[tour.day].append(tour)
    off: dict[date, list[str]] = defaultdict(list)  # holidays and absences: why no tour
    for o in days_off(ctx.team, monday, DAYS):
        off[o.day].append(o.line)
    days = []
    for offset in range(DAYS):
        day = monday + timedelta(days=offset)
        days.append({
            "iso": day.isoformat(),
            "label": date_long_de(day),
            "short": date_short_de(day),
            "past": day < today,
            "today": day == today,
            "kept": False,  # in a draft: outside the re-planned days
            "off": off[day],
            "tours": [_tour_view(ctx, t, colour, editing=editing, now=now, draft=draft)
                      for t in sorted(by_day[day], key=lambda t: colour.get(t.coach.key, 99))],
        })  # fmt: skip
    return days


def _tour_view(
    ctx: AppContext,
    tour: Tour,
    colour: dict[str, int],
    *,
    editing: _Editing | None,
    now: datetime,
    draft: bool,
) -> dict[str, Any]:
    return {
        "coach": tour.coach.name,
        "coach_key": tour.coach.key,
        "colour": colour.get(tour.coach.key, 0),
        "van": tour.with_van,
        "times": f"{clock(tour.start)}–{clock(tour.end)}",
        "visits": len(tour.stops),
        "sheet_href": f"/woche/laufzettel/{tour.coach.key}/{tour.day.isoformat()}",
        "rows": [
            _stop_view(tour, number, stop, editing=editing, now=now, draft=draft)
            for number, stop in enumerate(tour.stops, start=1)
        ],  # fmt: skip
    }


def _stop_view(
    tour: Tour, number: int, stop: Stop, *, editing: _Editing | None, now: datetime, draft: bool
) -> dict[str, Any]:
    client, site = stop.visit.client, stop.visit.site
    place = site.municipality
    if site.ortsteil and site.ortsteil != site.municipality:
        place = f"{site.municipality}-{site.ortsteil}"
    where = ""
    if site.meeting_place:
        where = f"Treffpunkt: {site.meeting_place}"
    elif stop.visit.stand:
        where = f"Beratungsmobil: {stop.visit.stand}"
    # Visits that have begun stay as they are: they happened (or are happening).
    changeable = not draft and stop.start > now
    open_form = editing if changeable and editing and editing.case_id == client.id else None
    return {
        "number": number,
        "id": client.id,
        "anchor": _anchor(client.id),
        "href": case_href(client.id),
        "name": client.name,
        "time": f"{clock(stop.start)}–{clock(stop.end)}",
        "start": clock(stop.start),
        "place": place,
        "where": where,
        "window": _window(stop),
        "changeable": changeable,
        "editing": open_form,
        "form": {
            "coach": open_form.coach if open_form and open_form.coach else tour.coach.key,
            "day": open_form.day if open_form and open_form.day else tour.day.isoformat(),
            "time": open_form.time if open_form and open_form.time else clock(stop.start),
        },
    }


def _anchor(case_id: str) -> str:
    """The HTML id of a visit's row (Kunden-Nr are free text)."""
    return "besuch-" + re.sub(r"[^A-Za-z0-9_-]+", "-", case_id)


def _window(stop: Stop) -> str:
    """The person's availability on the visit's weekday ("jederzeit" when none given)."""
    windows = stop.visit.client.availability
    if not windows:
        return "jederzeit"
    same_day = [w for w in windows if w.weekday == stop.start.weekday()]
    if same_day:
        return ", ".join(str(w).split(" ", 1)[1] for w in same_day)
    return "an anderen Tagen: " + ", ".join(str(w) for w in windows)


def _draft_view(ctx: AppContext, draft: Draft, monday: date) -> dict[str, Any]:
    result = draft.result
    plan = result.plan
    names = {u.client_id: u for u in plan.unplanned}
    planned_names = {s.visit.client.id: s.visit.client.name for t in plan.tours for s in t.stops}
    return {
        "from": date_short_de(plan.start),
        "to": date_short_de(plan.start + timedelta(days=plan.days - 1)),
        "partial": plan.start != monday,
        "planned": plan.planned_count,
        "unplanned": len(plan.unplanned),
        "total": plan.planned_count + len(plan.unplanned),
        "stop_reason": plan.stop_reason,
        "seconds": f"{plan.solve_seconds:.0f}",
        "first": result.previous is None,
        "changes": [_change_view(ctx, c, names, planned_names) for c in result.changes],
        "groups": _unplanned_groups(plan),
        "notes": [m.text for m in result.week.notes],
    }


def _pin_text(ctx: AppContext, day_time: datetime, coach: str) -> str:
    return f"{WEEKDAYS_DE[day_time.weekday()]} {day_time:%d.%m. %H:%M} · {ctx.coach_name(coach)}"


def _change_view(
    ctx: AppContext, change: Change, unplanned: dict[str, Unplanned], names: dict[str, str]
) -> dict[str, str]:
    before, after = change.before, change.after
    left = unplanned.get(change.case_id)  # dropped from the plan: why
    name = names.get(change.case_id, "")
    if not name and left is not None:
        name = left.name or (left.client.name if left.client is not None else "")
    return {
        "id": change.case_id,
        "href": case_href(change.case_id),
        "name": name,
        "kind": change.kind.label,
        "kind_code": change.kind.value,
        "before": _pin_text(ctx, before.start, before.coach) if before is not None else "–",
        "after": _pin_text(ctx, after.start, after.coach) if after is not None else "–",
        "why": left.reason if left is not None and after is None else "",
    }


def _unplanned_groups(plan: Plan) -> list[dict[str, Any]]:
    """Everyone not in a tour, grouped by the kind of reason; the ones to act on first."""
    groups: dict[Reason, list[Unplanned]] = defaultdict(list)
    for item in plan.unplanned:
        groups[item.code].append(item)
    counts = Counter({code: len(items) for code, items in groups.items()})
    ordered = sorted(counts, key=lambda code: (code in _NOT_DUE, -counts[code], code.value))
    return [
        {
            "label": code.label,
            "count": counts[code],
            "open": code not in _NOT_DUE,
            "rows": [
                {
                    "id": u.client_id or "–",
                    "href": case_href(u.client_id) if u.client_id else "",
                    "name": u.name or (u.client.name if u.client else ""),
                    "reason": u.reason,
                }
                for u in sorted(groups[code], key=lambda u: u.client_id)
            ],
        }
        for code in ordered
    ]


def _map_json(ctx: AppContext, tours: tuple[Tour, ...]) -> str:
    """What week-map.js draws: the district, place names, offices and the tours."""
    colour = _coach_index(ctx.team)
    offices = {o.key: o for o in ctx.team.offices}
    data = {
        "outline": geodata.district_geojson(),
        "places": [[m.name, round(m.lat, 5), round(m.lon, 5)] for m in geodata.municipalities()],
        "offices": [[o.name, o.lat, o.lon] for o in offices.values()],
        "tours": [
            {
                "day": t.day.isoformat(),
                "label": f"{date_short_de(t.day)} · {t.coach.name}",
                "c": colour.get(t.coach.key, 0),
                "from": [t.start_office.lat, t.start_office.lon],
                "to": [t.end_office.lat, t.end_office.lon],
                "stops": [
                    {
                        "n": n,
                        "at": [s.visit.site.lat, s.visit.site.lon],
                        "t": clock(s.start),
                        "id": s.visit.client.id,
                        "name": s.visit.client.name,
                        "place": s.visit.site.municipality,
                        "a": _anchor(s.visit.client.id),
                    }
                    for n, s in enumerate(t.stops, start=1)
                ],
            }
            for t in tours
        ],
    }
    # Inside <script type="application/json">: no "<" at all, so neither "</script" nor
    # "<!--" in client data can end or bend the block (JSON.parse reads \u003c back).
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


# --------------------------------------------------------------------------- move, unpin


def _field(form: FormData, name: str, limit: int = 100) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


@csrf_protected
async def move(request: Request) -> Response:
    """POST /woche/verschieben: a visit to another coach, day or start time, checked
    exactly against the published plan; refused with the German reason."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    monday = _monday(ctx, form.get("von"))
    case_id = _field(form, "kunden_nr")
    if not case_id:
        raise HTTPException(400, "Kunden-Nr fehlt.")
    coach, day_text, time_text = _field(form, "coach"), _field(form, "tag"), _field(form, "zeit")
    editing = _Editing(case_id, coach, day_text, time_text)
    error = _check_move(ctx, monday, coach, day_text, time_text)
    if not error:
        day, clock_time = parse_day(day_text), _parse_time(time_text)
        assert day is not None and clock_time is not None  # checked above
        start = datetime.combine(day, clock_time)
        try:
            await ctx.write(move_visit, ctx.store, ctx.team, case_id, coach, start,
                            user=session.user.name, now=ctx.now(),
                            travel=ctx.travel)  # fmt: skip
        except UnknownCase:
            unknown = f"Die Kunden-Nr {case_id} ist nicht in der Datenbank."
            raise HTTPException(404, unknown) from None
        except PlanChangeRefused as refused:
            error = str(refused)
        else:
            await ctx.write(ctx.store.log, case_id, "Besuch verschoben",
                            f"{coach} {start:%d.%m.%Y %H:%M}", user=session.user.name,
                            at=ctx.now())  # fmt: skip
            target = week_href(monday, hinweis="verschoben", fall=case_id)
            return RedirectResponse(target, status_code=303)
    await ctx.write(ctx.store.log, case_id, "Verschieben abgelehnt", error[:200],
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return await _week_response(request, ctx, session, monday,
                                editing=_replace_error(editing, error), status=409)  # fmt: skip


def _replace_error(editing: _Editing, error: str) -> _Editing:
    return _Editing(editing.case_id, editing.coach, editing.day, editing.time, error)


def _parse_time(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _check_move(ctx: AppContext, monday: date, coach: str, day_text: str, time_text: str) -> str:
    """What is wrong with the form (German), or "" – the plan itself is checked by
    :func:`~planner.workflow.move_visit`."""
    if coach not in {c.key for c in ctx.team.coaches}:
        return "Bitte einen Coach aus der Liste wählen."
    day, clock_time = parse_day(day_text), _parse_time(time_text)
    if day is None:
        return "Bitte einen Tag wählen."
    if clock_time is None:
        return "Die Uhrzeit bitte als HH:MM angeben, z. B. 10:30."
    if not monday <= day < monday + timedelta(days=DAYS):
        # Only within the week shown: each week has its own published plan.
        return "Bitte einen Tag dieser Woche wählen."
    if datetime.combine(day, clock_time) <= ctx.now():
        return "Dieser Zeitpunkt ist schon vorbei."
    return ""


@csrf_protected
async def unpin(request: Request) -> Response:
    """POST /woche/loesen: take a visit out of the published plan (the next re-plan
    places it freely)."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    monday = _monday(ctx, form.get("von"))
    case_id = _field(form, "kunden_nr")
    day = parse_day(_field(form, "tag"))
    if not case_id or day is None:
        raise HTTPException(400, "Kunden-Nr oder Tag fehlt.")
    try:
        await ctx.write(unpin_visit, ctx.store, case_id, day, user=session.user.name,
                        now=ctx.now())  # fmt: skip
    except PlanChangeRefused as refused:
        editing = _Editing(case_id, error=str(refused))
        return await _week_response(request, ctx, session, monday, editing=editing, status=409)
    await ctx.write(ctx.store.log, case_id, "Besuch aus dem Plan genommen", date_de(day),
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return RedirectResponse(week_href(monday, hinweis="geloest", fall=case_id), status_code=303)


# --------------------------------------------------------------------------- re-plan, publish


@csrf_protected
async def replan(request: Request) -> Response:
    """POST /woche/neu-planen: plan the week around the pins (seconds, in a worker
    thread) and keep the result as the lead's draft."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    monday = _monday(ctx, form.get("von"))
    today = ctx.today()
    span = planning_range(monday, today)
    if span is None:
        return RedirectResponse(week_href(monday, hinweis="vergangen"), status_code=303)
    drafts, user = _drafts(request), session.user.name
    if user in drafts.busy:  # a second click while the first plan is still being worked out
        return RedirectResponse(week_href(monday, hinweis="laeuft"), status_code=303)
    drafts.busy.add(user)
    try:
        draft = await ctx.run(draft_plan, ctx.store, ctx.team, span[0], span[1], budget(),
                              today=today, travel=ctx.travel)  # fmt: skip
    finally:
        drafts.busy.discard(user)
    drafts.by_user[user] = (monday, draft)
    plan = draft.result.plan
    await ctx.write(ctx.store.log, None, "Neuplanung berechnet",
                    f"ab {date_de(span[0])}, {span[1]} Tage: {plan.planned_count} eingeplant, "
                    f"{len(plan.unplanned)} nicht eingeplant", user=user, at=ctx.now())  # fmt: skip
    return RedirectResponse(week_href(monday, entwurf="1"), status_code=303)


@csrf_protected
async def publish(request: Request) -> Response:
    """POST /woche/veroeffentlichen: make the lead's draft the binding plan."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    monday = _monday(ctx, form.get("von"))
    drafts, user = _drafts(request), session.user.name
    draft = drafts.get(user, monday)
    if draft is None:
        return RedirectResponse(week_href(monday, hinweis="kein-entwurf"), status_code=303)
    del drafts.by_user[user]
    try:
        await ctx.write(publish_draft, ctx.store, draft, user=user, today=ctx.today(),
                        now=ctx.now())  # fmt: skip
    except PlanChangeRefused:
        return RedirectResponse(week_href(monday, hinweis="veraltet"), status_code=303)
    return RedirectResponse(week_href(monday, hinweis="veroeffentlicht"), status_code=303)


@csrf_protected
async def discard(request: Request) -> Response:
    """POST /woche/verwerfen: forget the lead's draft."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    monday = _monday(ctx, form.get("von"))
    _drafts(request).by_user.pop(session.user.name, None)
    return RedirectResponse(week_href(monday, hinweis="verworfen"), status_code=303)


# --------------------------------------------------------------------------- route sheets


def _sheet_target(request: Request) -> tuple[AppContext, WebSession, str, date]:
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    coach = request.path_params["coach"]
    day = parse_day(request.path_params["day"])
    if coach not in {c.key for c in ctx.team.coaches} or day is None:
        raise HTTPException(404, "Diesen Laufzettel gibt es nicht.")
    return ctx, session, coach, day


async def sheet_page(request: Request) -> Response:
    """GET /woche/laufzettel/{coach}/{JJJJ-MM-TT}: the printable route sheet of one
    published tour, with names (audited per case: it holds addresses and phones)."""
    ctx, session, coach, day = _sheet_target(request)
    tours = await ctx.run(tours_of_day, ctx.store, ctx.team, day, coach=coach, travel=ctx.travel)
    if not tours:
        raise HTTPException(
            404, f"{ctx.coach_name(coach)} hat am {date_de(day)} keine veröffentlichte Tour."
        )
    tour = tours[0]
    for stop in tour.stops:
        await ctx.write(ctx.store.log, stop.visit.client.id, "Laufzettel geöffnet",
                        f"{coach} {date_de(day)}", user=session.user.name,
                        at=ctx.now())  # fmt: skip
    html = sheet_html(
        tour,
        show_names=True,  # the lead is logged in; the coach needs the name at the door
        travel_is_estimate=ctx.travel is None or ctx.travel.is_estimate,
        travel_model="" if ctx.travel is None else ctx.travel.description,
        leg_path=ctx.leg_path,
        created=ctx.now(),
        # The app's Content-Security-Policy forbids inline styles: link the sheet's CSS.
        stylesheet=f"/woche/laufzettel/{coach}/{day.isoformat()}/druck.css",
        back=(week_href(monday_of(day)), "Zurück zur Woche"),
    )
    return HTMLResponse(html)


async def sheet_stylesheet(request: Request) -> Response:
    """GET /woche/laufzettel/{coach}/{JJJJ-MM-TT}/druck.css: the sheet's print CSS."""
    ctx, _, coach, day = _sheet_target(request)
    return Response(sheet_css(ctx.coach_name(coach), day), media_type="text/css")
