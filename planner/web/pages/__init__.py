"""Shared by every page: the templates, the navigation and the error pages.

A page module (``cases.py`` is the pattern) loads through :mod:`planner.workflow` in a
worker thread, checks access with :mod:`planner.web.access`, writes the audit line and
renders a template of ``resources/templates/web`` with :func:`render`. Templates are
autoescaped (client data are untrusted text) and hold every piece of HTML; CSS and
JavaScript live in ``resources/static`` (the Content-Security-Policy forbids inline).
"""

from __future__ import annotations

import http
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from planner import __version__
from planner.model import WEEKDAYS_DE
from planner.render._format import clock, date_de
from planner.store import Role, WebSession
from planner.web.context import context as app_context
from planner.web.security import CSRF_FIELD, security_headers


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    roles: frozenset[Role]


_BOTH = frozenset(Role)
_LEAD = frozenset({Role.LEAD})
#: The app's pages, in menu order; a coach does not see the lead's planning pages.
NAV: tuple[NavItem, ...] = (
    NavItem("Heute", "/heute", _BOTH),
    NavItem("Anrufliste", "/anrufe", _BOTH),
    NavItem("Woche", "/woche", _LEAD),
    NavItem("Fälle", "/faelle", _BOTH),
    NavItem("Import", "/import", _LEAD),
    NavItem("Stand", "/stand", _LEAD),
)

#: German text of the error pages, by status.
_ERRORS: dict[int, tuple[str, str]] = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht gelesen werden."),
    401: ("Bitte anmelden", "Diese Seite gibt es nur nach der Anmeldung."),
    403: ("Kein Zugriff", "Diese Seite ist für Ihr Konto nicht freigegeben."),
    404: ("Nicht gefunden", "Diese Seite oder diesen Fall gibt es nicht."),
    405: ("Nicht möglich", "Diese Aktion ist hier nicht vorgesehen."),
    413: ("Zu groß", "Die gesendeten Daten sind zu groß."),
    429: ("Zu viele Versuche", "Bitte später noch einmal versuchen."),
    500: (
        "Interner Fehler",
        "Etwas ist schiefgegangen. Bitte noch einmal versuchen; wenn es wieder passiert, "
        "der Leitung Bescheid geben (Uhrzeit notieren).",
    ),
}


def _datetime_de(moment: datetime | None, with_time: bool = True) -> str:
    """``Mo 30.11.2026 10:15`` (without the time when it is not known)."""
    if moment is None:
        return ""
    day = f"{WEEKDAYS_DE[moment.weekday()]} {date_de(moment.date())}"
    return f"{day} {clock(moment)}" if with_time else day


def _date_de(day: date | None) -> str:
    return "" if day is None else date_de(day)


ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("planner", "resources/templates/web"),
    autoescape=True,  # every client field is untrusted text
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters["date_de"] = _date_de
ENV.filters["datetime_de"] = _datetime_de


def render(
    request: Request, template: str, context: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    """A page in the app's layout (top bar and navigation when someone is logged in)."""
    login: WebSession | None = getattr(request.state, "login", None)
    nav = []
    if login is not None:
        nav = [
            {"label": item.label, "href": item.href, "active": _active(request, item.href)}
            for item in NAV
            if login.user.role in item.roles
        ]
    user = login.user if login is not None else None
    label = ""
    if user is not None:  # the coach's name from the team file, else the login name
        label = app_context(request).coach_name(user.coach) if user.coach else user.name
    html = ENV.get_template(template).render(
        user=user,
        user_label=label,
        csrf=login.csrf if login is not None else "",
        csrf_field=CSRF_FIELD,
        nav=nav,
        version=__version__,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _active(request: Request, href: str) -> bool:
    path = request.url.path
    return path == href or path.startswith(href + "/")


def error_page(
    request: Request, status: int, detail: str | None = None, *, tls: bool = False
) -> HTMLResponse:
    """The German error page for ``status``; ``detail`` replaces the standard text."""
    title, text = _ERRORS.get(status, (http.HTTPStatus(status).phrase, ""))
    if detail and detail != http.HTTPStatus(status).phrase:  # Starlette's English default
        text = detail
    response = render(request, "error.html.j2", {"title": title, "text": text}, status=status)
    # Also set here: a 500 page leaves through Starlette's outermost error middleware,
    # which the header middleware does not wrap.
    response.headers.update(security_headers(static=False, tls=tls))
    return response
