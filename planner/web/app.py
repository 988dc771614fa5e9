"""The browser app: routes, middleware, error pages, and :func:`serve` for ``planner web``.

Middleware, outermost first: :class:`~planner.web.security.SecurityHeaders` (every
response), a request-body limit, :class:`~planner.web.security.SessionGate` (nothing
without a login but ``/login`` and ``/static``), then Starlette's router. Pages are
server-rendered; the app calls :mod:`planner.workflow` like the command line does.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from planner.model import Team
from planner.store import Role, Store
from planner.web import auth
from planner.web.context import AppContext
from planner.web.pages import calls, cases, error_page, imports, stand, today, week
from planner.web.security import Endpoint, SecurityHeaders, SessionGate, current

if TYPE_CHECKING:
    from planner.roads.context import RoadContext

#: Largest request body (the client-list upload of the import page will be the biggest).
MAX_BODY_BYTES = 20 * 1024 * 1024
_TZ = ZoneInfo("Europe/Berlin")
log = logging.getLogger("planner.web")


def create_app(
    store_url: str,
    team_path: Path,
    *,
    secret: bytes | None = None,
    secure_cookies: bool = False,
    today: Callable[[], date] | None = None,
    now: Callable[[], datetime] | None = None,
    roads: RoadContext | None = None,
) -> Starlette:
    """The app on the store at ``store_url`` (opened and migrated now) for ``team_path``.

    ``secret`` signs the login form's token (random per process when None: a restart
    only invalidates login forms left open, not sessions). ``secure_cookies`` when the
    app is reached over TLS. ``today``/``now`` replace the clock (tests, the demo week).
    ``roads`` (:func:`planner.roads.context.road_context`): travel times and geocoding
    as ``planner plan`` has them with the same options; None: the offline estimate and
    the village gazetteer.
    """
    team = _team(team_path)
    store = Store.open(store_url)
    clock = now or _now_berlin
    ctx = AppContext(
        store=store,
        team=team,
        today=today or (lambda: clock().date()),
        now=clock,
        secret=secret or secrets.token_bytes(32),
        secure_cookies=secure_cookies,
        travel=None if roads is None else roads.travel,
        resolver=None if roads is None else roads.resolver,
        leg_path=None if roads is None or roads.overlay is None else roads.overlay.path,
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = error_page(request, exc.status_code, exc.detail, tls=secure_cookies)
        response.headers.update(exc.headers or {})
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("Fehler bei %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500, tls=secure_cookies)

    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(SecurityHeaders, tls=secure_cookies),
            # Inside the headers (Starlette's own max_body_size would sit outside them).
            Middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES),
            Middleware(SessionGate, ctx=ctx),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    return app


def _routes() -> list[BaseRoute]:
    return [
        Route("/", _home, methods=["GET"]),
        Route("/login", auth.login_form, methods=["GET"]),
        # The one POST without a session: it checks its own signed form token.
        Route("/login", auth.login, methods=["POST"]),
        post("/logout", auth.logout),
        Route("/heute", today.today_page, methods=["GET"]),
        post("/heute/ergebnis", today.record_visit),
        Route("/anrufe", calls.calls_page, methods=["GET"]),
        post("/anrufe/ergebnis", calls.record_call),
        post("/anrufe/buchen", calls.book),
        Route("/faelle", cases.cases_page, methods=["GET"]),
        post("/faelle/wieder-oeffnen", cases.reopen),
        Route("/faelle/{case_id:path}", cases.case_page, methods=["GET"]),
        Route("/import", imports.import_page, methods=["GET"]),
        post("/import", imports.upload),
        post("/import/bestaetigen", imports.confirm),
        post("/import/verwerfen", imports.discard),
        Route("/stand", stand.stand_page, methods=["GET"]),
        Route("/woche", week.week_page, methods=["GET"]),
        post("/woche/verschieben", week.move),
        post("/woche/loesen", week.unpin),
        post("/woche/neu-planen", week.replan),
        post("/woche/veroeffentlichen", week.publish),
        post("/woche/verwerfen", week.discard),
        Route("/woche/laufzettel/{coach}/{day}", week.sheet_page, methods=["GET"]),
        Route("/woche/laufzettel/{coach}/{day}/druck.css", week.sheet_stylesheet, methods=["GET"]),
        # Leaflet straight from the installed django-js-lib-leaflet package (never copied).
        Mount(
            "/static/vendor/leaflet",
            StaticFiles(packages=[("js_lib_leaflet", "static/js_lib_leaflet")]),
        ),
        Mount("/static", StaticFiles(packages=[("planner", "resources/static")])),
    ]


def post(path: str, endpoint: Endpoint) -> Route:
    """A POST route; refuses an endpoint that is not wrapped in ``csrf_protected``."""
    if not getattr(endpoint, "csrf_protected", False):
        raise TypeError(f"POST {path}: endpoint must be wrapped in csrf_protected")
    return Route(path, endpoint, methods=["POST"])


async def _home(request: Request) -> Response:
    """``/``: where each role starts the day – a coach on Heute, the lead on Woche."""
    lead = current(request).user.role is Role.LEAD
    return RedirectResponse("/woche" if lead else "/heute", status_code=303)


def _team(path: Path) -> Team:
    from planner.geocode import resolve_office_address
    from planner.intake import load_team

    return load_team(path, resolve_address=resolve_office_address)


def _now_berlin() -> datetime:
    return datetime.now(_TZ).replace(tzinfo=None, microsecond=0)


# --------------------------------------------------------------------------- serving

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class _NoQueryInAccessLog(logging.Filter):
    """The access log keeps method, path and status, never the query: a search in the
    case list would put a person's name into the log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def serve(
    store_url: str,
    team_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    roads: RoadContext | None = None,
) -> None:
    """Run the app with uvicorn until Ctrl+C (one process: the login limit is in memory)."""
    import uvicorn

    from planner.workflow import case_states, freeze_snapshots

    tls = tls_cert is not None and tls_key is not None
    app = create_app(store_url, team_path, secure_cookies=tls, roads=roads)
    freeze_snapshots()  # hours in one process: keep the case snapshot out of the GC's work
    # Load the cases now, not on the first page of the morning (seconds with 5,000 cases).
    ctx: AppContext = app.state.ctx
    threading.Thread(target=case_states, args=(ctx.store, ctx.today()), daemon=True).start()
    logging.getLogger("uvicorn.access").addFilter(_NoQueryInAccessLog())
    options: dict[str, Any] = {}
    if tls:
        options = {"ssl_certfile": str(tls_cert), "ssl_keyfile": str(tls_key)}
    uvicorn.run(app, host=host, port=port, server_header=False, workers=None, **options)
