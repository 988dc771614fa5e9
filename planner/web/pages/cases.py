"""Fälle: search and filter the cases, open one case with its history, reopen (lead).

The pattern for the app's pages: the handler reads the request, loads through
:mod:`planner.workflow` in a worker thread, asks :mod:`planner.web.access` who may see
what, writes the audit line (reads too) and renders a template. Filtering the list is
view logic (:class:`Filters`, pure); the rules of the campaign stay in the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from planner.campaign.codes import CaseStatus, Step
from planner.campaign.model import Attempt, Case, CaseState
from planner.render.calls import _tel_href as tel_href  # the call list's tap-to-call link
from planner.store import Role, UnknownCase, User
from planner.web.access import may_see, visible_case_ids
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.security import csrf_protected, current, require_role
from planner.workflow import CaseFile, case_file, case_states, reopen_case

PAGE_SIZE = 100
NONE = "ohne"  # filter value: no Bezugscoach yet / address not placed
_PRIORITY = {1: "hoch", 2: "mittel", 3: "niedrig"}


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """The list's search form (unknown status and step values are dropped)."""

    text: str = ""  # Kunden-Nr, name, phone or place, any part, any case
    status: str = ""  # CaseStatus value
    step: str = ""  # Step value
    coach: str = ""  # Bezugscoach key, or NONE
    municipality: str = ""  # Gemeinde, or NONE
    page: int = 1

    @classmethod
    def of(cls, query: QueryParams) -> Filters:
        def pick(name: str, allowed: set[str] | None = None) -> str:
            value = query.get(name, "").strip()[:100]
            return value if allowed is None or value in allowed else ""

        try:
            page = max(1, min(10_000, int(query.get("seite", "1"))))
        except ValueError:
            page = 1
        return cls(
            text=pick("q"),
            status=pick("status", {s.value for s in CaseStatus}),
            step=pick("schritt", {s.value for s in Step}),
            coach=pick("coach"),
            municipality=pick("gemeinde"),
            page=page,
        )

    def query(self, **changes: Any) -> str:
        """The query string of these filters (with ``changes``), for links."""
        f = replace(self, **changes)
        pairs = {
            "q": f.text, "status": f.status, "schritt": f.step, "coach": f.coach,
            "gemeinde": f.municipality, "seite": str(f.page) if f.page > 1 else "",
        }  # fmt: skip
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def selected(self) -> int:
        """How many of the choice filters are set (the search text not counted)."""
        return sum(1 for value in (self.status, self.step, self.coach, self.municipality) if value)

    @property
    def active(self) -> bool:
        return bool(self.text) or self.selected > 0

    def matches(self, case: Case, state: CaseState) -> bool:
        if self.status and case.status.value != self.status:
            return False
        if self.step and state.step.value != self.step:
            return False
        if self.coach and (state.coach or NONE) != self.coach:
            return False
        municipality = case.site.municipality if case.site else ""
        if self.municipality and (municipality or NONE) != self.municipality:
            return False
        return not self.text or _found(self.text, case)


def _found(text: str, case: Case) -> bool:
    needle = text.casefold()
    client = case.client
    haystack = (client.id, client.name, client.address.place, client.address.district,
                case.site.municipality if case.site else "",
                case.site.ortsteil if case.site else "")  # fmt: skip
    if any(needle in value.casefold() for value in haystack):
        return True
    digits = re.sub(r"\D", "", text)  # "06441 99" finds "06441 999975"
    return len(digits) >= 4 and digits in re.sub(r"\D", "", client.phone)


# --------------------------------------------------------------------------- list


@dataclass(frozen=True)
class _Listing:
    rows: list[tuple[Case, CaseState]]  # visible and matching, by Kunden-Nr
    visible: list[tuple[Case, CaseState]]  # visible to the user (for the filter choices)


def _listing(ctx: AppContext, user: User, today: date, filters: Filters) -> _Listing:
    loaded = case_states(ctx.store, today)
    cases, _, states = loaded
    allowed = visible_case_ids(ctx.store, ctx.team, user, today, loaded=loaded)
    visible = [(c, states[c.id]) for c in cases if allowed is None or c.id in allowed]
    return _Listing([(c, s) for c, s in visible if filters.matches(c, s)], visible)


async def cases_page(request: Request) -> Response:
    """GET /faelle: the cases the user may see, filtered, 100 per page."""
    ctx = context(request)
    session = current(request)
    filters = Filters.of(request.query_params)
    listing = await ctx.run(_listing, ctx, session.user, ctx.today(), filters)
    pages = max(1, -(-len(listing.rows) // PAGE_SIZE))
    filters = replace(filters, page=min(filters.page, pages))
    shown = listing.rows[(filters.page - 1) * PAGE_SIZE : filters.page * PAGE_SIZE]
    # The list shows names too: who looked is logged (how many, never the search text).
    detail = f"{len(shown)} von {len(listing.rows)} Fällen angezeigt"
    await ctx.write(ctx.store.log, None, "Fallliste angesehen", detail,
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return render(
        request,
        "cases.html.j2",
        {
            "title": "Fälle",
            "rows": [_row(ctx, c, s) for c, s in shown],
            "total": len(listing.rows),
            "visible": len(listing.visible),
            "filters": filters,
            "choices": _choices(ctx, listing.visible),
            "page": filters.page,
            "pages": pages,
            "first": (filters.page - 1) * PAGE_SIZE + 1,
            "previous": f"?{filters.query(page=filters.page - 1)}" if filters.page > 1 else "",
            "next": f"?{filters.query(page=filters.page + 1)}" if filters.page < pages else "",
            "own_only": session.user.role is Role.COACH,
        },
    )


def _row(ctx: AppContext, case: Case, state: CaseState) -> dict[str, Any]:
    return {
        "id": case.id,
        "href": case_href(case.id),
        "name": case.client.name,
        "place": _place(case),
        "closed": case.status is CaseStatus.CLOSED,
        "step": state.step.label,
        "step_code": state.step.value,
        "reason": state.reason,
        "due": state.due,
        "coach": ctx.coach_name(state.coach) if state.coach else "",
        "attempts": state.attempts,
        "last": state.last_attempt,
        "priority": _PRIORITY.get(case.client.priority, str(case.client.priority)),
        "missing": case.missing_since,
    }


def _place(case: Case) -> str:
    if case.site is None:
        return case.client.address.place or "–"
    if case.site.ortsteil and case.site.ortsteil != case.site.municipality:
        return f"{case.site.municipality}-{case.site.ortsteil}"
    return case.site.municipality


def _choices(ctx: AppContext, visible: list[tuple[Case, CaseState]]) -> dict[str, Any]:
    """Filter choices from what the user can see (a coach sees no other coach's towns)."""
    municipalities = sorted({c.site.municipality for c, _ in visible if c.site})
    coach_keys = {s.coach for _, s in visible if s.coach}
    known = [c.key for c in ctx.team.coaches]
    keys = [k for k in known if k in coach_keys] + sorted(coach_keys - set(known))
    return {
        "status": [(s.value, s.label) for s in CaseStatus],
        "steps": [(s.value, s.label) for s in Step],
        "coaches": [(k, ctx.coach_name(k)) for k in keys] + [(NONE, "noch keine")],
        "municipalities": [(m, m) for m in municipalities] + [(NONE, "Adresse nicht zugeordnet")],
    }


def case_href(case_id: str) -> str:
    # Kunden-Nr are free text: quote everything (the route takes a path, so "/" works).
    return "/faelle/" + quote(case_id, safe="")


# --------------------------------------------------------------------------- one case


async def case_page(request: Request) -> Response:
    """GET /faelle/{Kunden-Nr}: facts, current step and reason, history (audited)."""
    ctx = context(request)
    session = current(request)
    case_id = request.path_params["case_id"]
    today = ctx.today()
    if not await ctx.run(may_see, ctx.store, ctx.team, session.user, case_id, today):
        await ctx.write(ctx.store.log, case_id, "Zugriff verweigert", "Fallseite",
                        user=session.user.name, at=ctx.now())  # fmt: skip
        raise HTTPException(403, "Dieser Fall gehört nicht zu Ihren Fällen.")
    found = await ctx.run(case_file, ctx.store, case_id, today)
    if found is None:
        raise HTTPException(404, f"Die Kunden-Nr {case_id} ist nicht in der Datenbank.")
    await ctx.write(ctx.store.log, case_id, "Fall angesehen", "Fallseite",
                    user=session.user.name, at=ctx.now())  # fmt: skip
    return render(
        request,
        "case.html.j2",
        {
            "title": f"Fall {case_id}",
            "case": _case_view(ctx, found),
            "history": [_attempt_view(ctx, a) for a in reversed(found.attempts)],
            "may_reopen": session.user.role is Role.LEAD and found.case.status is CaseStatus.CLOSED,
            "reopened": request.query_params.get("hinweis") == "geoeffnet",
        },
    )


def _case_view(ctx: AppContext, found: CaseFile) -> dict[str, Any]:
    case, state, client = found.case, found.state, found.case.client
    meeting = case.site.meeting_place if case.site and case.site.meeting_place else ""
    return {
        "id": case.id,
        "name": client.name,
        "closed": case.status is CaseStatus.CLOSED,
        "status": case.status.label,
        "closed_on": case.closed_on,
        "closed_by": case.closed_by.label if case.closed_by else "",
        "step": state.step.label,
        "step_code": state.step.value,
        "reason": state.reason,
        "due": state.due,
        "coach": ctx.coach_name(state.coach) if state.coach else "",
        "appointment": state.appointment,
        "appointment_coach": ctx.coach_name(state.appointment_coach)
        if state.appointment_coach
        else "",
        "address": client.address.one_line(),
        "place": _place(case),
        "region": case.site.region if case.site else "",
        "located": case.site is not None,
        "phone": client.phone,
        "tel": tel_href(client.phone),
        "priority": _PRIORITY.get(client.priority, str(client.priority)),
        "visit_place": client.visit_place.value,
        "meeting_place": meeting,
        "availability": [str(w) for w in client.availability],
        "duration": client.duration_min,
        "notes": client.notes,
        "first_seen": case.first_seen,
        "missing_since": case.missing_since,
        "attempts": state.attempts,
        "failed_calls": state.failed_calls,
        "failed_visits": state.failed_visits,
    }


def _attempt_view(ctx: AppContext, a: Attempt) -> dict[str, Any]:
    return {
        "at": a.at,
        "time_known": a.time_known,
        "kind": a.kind.label,
        "outcome": a.outcome.label,
        "contact": a.outcome.contact,
        "failed": a.outcome.failed,
        "coach": ctx.coach_name(a.coach) if a.coach else "",
        "appointment": a.appointment,
        "place": a.place.value if a.place else "",
        "follow_up": a.follow_up,
        "note": a.note,
        "recorded_by": a.recorded_by,
        "source": a.source,
    }


# --------------------------------------------------------------------------- reopen


@csrf_protected
async def reopen(request: Request) -> Response:
    """POST /faelle/wieder-oeffnen (lead only): open a closed case again (audited)."""
    ctx = context(request)
    session = require_role(request, Role.LEAD)
    form = await request.form()
    case_id = form.get("kunden_nr")
    if not isinstance(case_id, str) or not case_id:
        raise HTTPException(400, "Kunden-Nr fehlt.")
    try:
        await ctx.write(reopen_case, ctx.store, case_id, user=session.user.name,
                        today=ctx.today())  # fmt: skip
    except UnknownCase:
        raise HTTPException(404, f"Die Kunden-Nr {case_id} ist nicht in der Datenbank.") from None
    return RedirectResponse(f"{case_href(case_id)}?hinweis=geoeffnet", status_code=303)
