"""Anrufliste: who the coach phones today, one click per outcome, booking a visit.

Loads through :func:`planner.workflow.calls_for` and
:func:`~planner.workflow.attempts_on`, records with
:func:`~planner.workflow.record_attempts`; "Termin vereinbart" shows the ranked slots of
:func:`~planner.workflow.suggest_for` and books one with
:func:`~planner.workflow.book_at` (recorded and pinned into the published plan, or
refused with the German reason). Every read and change is audited, like ``cases.py``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from planner.campaign.calls import CallEntry
from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt
from planner.campaign.suggest import Slot
from planner.model import WEEKDAYS_DE
from planner.render._format import clock
from planner.render.calls import _attempts_de as attempts_de
from planner.render.calls import _tel_href as tel_href
from planner.render.calls import percent_de
from planner.store import UnknownCase
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.pages.cases import case_href
from planner.web.pages.today import (
    Choice,
    FormError,
    coach_page,
    note_of,
    parse_day,
    pick_coach,
    read_outcome_form,
    require_case,
    store_outcome,
)
from planner.web.security import csrf_protected, current
from planner.workflow import (
    PlanChangeRefused,
    attempts_on,
    book_at,
    calls_for,
    suggest_for,
)

#: One click each on the call list (Termin vereinbart goes through the suggestions).
CALL_OUTCOMES: tuple[Outcome, ...] = (
    Outcome.REACHED,
    Outcome.NOT_REACHED,
    Outcome.MAILBOX,
    Outcome.WRONG_NUMBER,
    Outcome.CALLBACK,
    Outcome.DECLINED,
)
SOURCE = "App, Anrufliste"
#: Days the slot suggestions look ahead (two working weeks).
SUGGEST_DAYS = 10


# --------------------------------------------------------------------------- page


async def calls_page(request: Request) -> Response:
    """GET /anrufe: the coach's call list of today (the lead: any coach's); with
    ``?termin=Kunden-Nr`` the slot suggestions for that person."""
    choice = await pick_coach(request, request.query_params.get("coach"), "Anrufliste")
    return await _page(request, choice, termin=request.query_params.get("termin", ""))


async def _page(
    request: Request, choice: Choice, *, termin: str = "", error: str = "", status: int = 200
) -> Response:
    ctx = context(request)
    session = current(request)
    today, now = ctx.today(), ctx.now()
    base: dict[str, Any] = {
        **coach_page(ctx, choice, today, "Anrufliste", "/anrufe", error),
        "notice": _notice(ctx, request),
        "entries": [],
        "done": [],
        "not_listed": [],
        "suggestion": None,
    }
    if not choice.coach:
        return render(request, "calls.html.j2", {**base, "no_coach": True}, status=status)
    calls = await ctx.run(calls_for, ctx.store, ctx.team, today, coach=choice.coach)
    done = await ctx.run(attempts_on, ctx.store, today, coach=choice.coach, kind=AttemptKind.CALL)
    last = {a.case_id: a for a in done}
    entries = calls.for_coach(choice.coach)
    suggestion = None
    if termin:
        suggestion = await _suggestions(request, ctx, termin, today, now)
    detail = f"{choice.coach}, {today:%d.%m.%Y}: {len(entries)} Einträge"
    await ctx.write(ctx.store.log, None, "Anrufliste angesehen", detail,
                    user=session.user.name, at=now)  # fmt: skip
    return render(
        request,
        "calls.html.j2",
        {
            **base,
            "no_coach": False,
            "entries": [_entry_view(e, last.get(e.case_id), choice) for e in entries],
            "done": [_done_view(a) for a in reversed(done)],
            "not_listed": _not_listed(calls.not_listed),
            "suggestion": suggestion,
            "tomorrow": (today + timedelta(days=1)).isoformat(),
            "today_iso": today.isoformat(),
        },
        status=status,
    )


def _entry_view(entry: CallEntry, done: Attempt | None, choice: Choice) -> dict[str, Any]:
    return {
        "order": entry.order,
        "id": entry.case_id,
        "href": case_href(entry.case_id),
        "name": entry.name,
        "phone": entry.phone,
        "tel": tel_href(entry.phone),
        "band": entry.band.label,
        "chance": percent_de(entry.p),
        "attempts": attempts_de(entry.attempts),
        "failed": entry.failed_calls,
        "last": _short(entry.last_attempt) if entry.last_attempt else "",
        "reason": entry.reason,
        "done": _done_view(done) if done else None,
        "termin_href": f"/anrufe{choice.query(termin=entry.case_id)}#termin",
    }


def _done_view(attempt: Attempt) -> dict[str, Any]:
    label = attempt.outcome.label
    if attempt.outcome is Outcome.CALLBACK and attempt.follow_up is not None:
        label += f" am {attempt.follow_up:%d.%m.}"
    if attempt.appointment is not None:
        label += f" {attempt.appointment:%d.%m. %H:%M}"
    return {
        "id": attempt.case_id,
        "at": clock(attempt.at),
        "label": label,
        "code": attempt.outcome.value,
        "contact": attempt.outcome.contact,
    }


def _short(moment: datetime) -> str:
    """``Mo 23.11. 16:24``; without the time when only the date was written (a letter,
    a row of an outcomes file without Uhrzeit is stored at 00:00)."""
    day = f"{WEEKDAYS_DE[moment.weekday()]} {moment:%d.%m.}"
    return day if (moment.hour, moment.minute) == (0, 0) else f"{day} {moment:%H:%M}"


def _not_listed(items: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """Due cases that are not on the list, grouped by reason (most first)."""
    counts = Counter(reason for _, reason in items)
    return [
        {"reason": reason, "count": n, "ids": [i for i, r in items if r == reason]}
        for reason, n in counts.most_common()
    ]


def _notice(ctx: AppContext, request: Request) -> dict[str, str]:
    """The confirmation after recording or booking (from the redirect's query)."""
    query = request.query_params
    case_id = query.get("erfasst", "")
    outcome = Outcome.parse(query.get("ergebnis", ""))
    if not case_id or outcome is None:
        return {}
    text = f"{case_id} – {outcome.label}"
    when = query.get("am", "")
    coach = query.get("bei", "")
    if outcome is Outcome.APPOINTMENT and when:
        try:
            start = datetime.fromisoformat(when)
        except ValueError:
            start = None
        if start is not None:
            text += f": {WEEKDAYS_DE[start.weekday()]} {start:%d.%m.%Y %H:%M}"
            if coach in {c.key for c in ctx.team.coaches}:
                text += f" bei {ctx.coach_name(coach)}"
            text += " – im veröffentlichten Plan eingetragen"
    return {"text": text}


async def _suggestions(
    request: Request, ctx: AppContext, case_id: str, today: date, now: datetime
) -> dict[str, Any]:
    """The ranked slots for ``case_id`` (audited), or why there are none."""
    session = current(request)
    await require_case(ctx, session.user, case_id, today, "Anrufliste (Terminvorschläge)")
    try:
        case, slots = await ctx.run(
            suggest_for, ctx.store, ctx.team, case_id, today, SUGGEST_DAYS, today=today,
            now=now, travel=ctx.travel,
        )  # fmt: skip
    except UnknownCase:
        raise HTTPException(404, f"Die Kunden-Nr {case_id} ist nicht in der Datenbank.") from None
    detail = f"{len(slots)} Vorschläge"
    await ctx.write(ctx.store.log, case_id, "Terminvorschläge angesehen", detail,
                    user=session.user.name, at=now)  # fmt: skip
    return {
        "id": case_id,
        "name": case.client.name,
        "located": case.site is not None,
        "slots": [_slot_view(ctx, s) for s in slots],
    }


def _slot_view(ctx: AppContext, slot: Slot) -> dict[str, Any]:
    return {
        "coach": slot.coach,
        "coach_name": ctx.coach_name(slot.coach),
        "start": slot.start.isoformat(timespec="minutes"),
        "when": f"{WEEKDAYS_DE[slot.start.weekday()]} {slot.start:%d.%m.} {clock(slot.start)}",
        "van": "1" if slot.with_van else "0",
        "extra": f"{slot.extra_driving_min:+d} min Fahrt",
        "chance": percent_de(slot.p) if slot.p is not None else "",
        "preferred": slot.preferred_coach,
        "text": slot.explanation,
    }


# --------------------------------------------------------------------------- record


@csrf_protected
async def record_call(request: Request) -> Response:
    """POST /anrufe/ergebnis: one call's outcome (an Anruf, now, audited)."""
    posted = await read_outcome_form(
        request, CALL_OUTCOMES, "Anrufliste (Ergebnis)",
        "Dieses Ergebnis gibt es auf der Anrufliste nicht.",
    )  # fmt: skip
    choice, case_id, outcome, today = posted.choice, posted.case_id, posted.outcome, posted.today
    try:
        follow_up = None
        if outcome is Outcome.CALLBACK:
            follow_up = parse_day(posted.form.get("rueckruf"))
            if follow_up is None or follow_up < today:
                raise FormError("Für den Rückruf bitte ein Datum ab heute angeben.")
        note = note_of(posted.form)
    except FormError as err:
        return await _page(request, choice, error=str(err), status=400)
    attempt = Attempt(case_id, posted.now, choice.coach, AttemptKind.CALL, outcome,
                      follow_up=follow_up, note=note, source=SOURCE)  # fmt: skip
    await store_outcome(request, attempt, f"Anruf: {outcome.label}")
    target = choice.query(erfasst=case_id, ergebnis=outcome.value)
    return RedirectResponse(f"/anrufe{target}#hinweis", status_code=303)


@csrf_protected
async def book(request: Request) -> Response:
    """POST /anrufe/buchen: "Termin vereinbart" – book an offered slot into the published
    plan (recorded as an Anruf and pinned); a slot that no longer fits is refused."""
    ctx = context(request)
    session = current(request)
    form = await request.form()
    choice = await pick_coach(request, form.get("coach"), "Anrufliste (Termin)")
    case_id = form.get("kunden_nr")
    slot_coach = form.get("slot_coach")
    try:
        start = datetime.fromisoformat(str(form.get("start", "")))
    except ValueError:
        start = None
    keys = {c.key for c in ctx.team.coaches}
    if not isinstance(case_id, str) or not case_id or start is None or slot_coach not in keys:
        raise HTTPException(400, "Der Terminvorschlag ist unvollständig.")
    assert isinstance(slot_coach, str)
    today, now = ctx.today(), ctx.now()
    await require_case(ctx, session.user, case_id, today, "Anrufliste (Termin)")
    try:
        await ctx.write(book_at, ctx.store, ctx.team, case_id, slot_coach, start,
                        with_van=form.get("van") == "1", user=session.user.name,
                        now=now, travel=ctx.travel)  # fmt: skip
    except PlanChangeRefused as refused:
        error = f"Der Termin konnte nicht gebucht werden: {refused}"
        return await _page(request, choice, termin=case_id, error=error, status=409)
    except UnknownCase:
        raise HTTPException(404, f"Die Kunden-Nr {case_id} ist nicht in der Datenbank.") from None
    detail = f"{start:%d.%m.%Y %H:%M} bei {slot_coach}, in den veröffentlichten Plan"
    await ctx.write(ctx.store.log, case_id, "Termin gebucht", detail,
                    user=session.user.name, at=now)  # fmt: skip
    target = choice.query(erfasst=case_id, ergebnis=Outcome.APPOINTMENT.value,
                          am=start.isoformat(timespec="minutes"), bei=slot_coach)  # fmt: skip
    return RedirectResponse(f"/anrufe{target}#hinweis", status_code=303)
