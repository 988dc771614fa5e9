"""Sessions, CSRF, the login rate limit, security headers and role checks.

Sessions are server-side rows (``web_sessions`` in the campaign store), not signed
cookies: the cookie carries only a random token, the store keeps its SHA-256. Logging
out, a new password or a deactivated account therefore end a login at once – a signed
cookie would stay valid until it expires, and a copy of it could not be revoked. A
stolen database holds no usable token either. Logins survive a restart of the app.

CSRF: every session has its own random token; every form carries it in the hidden field
``csrf`` and every POST route is wrapped in :func:`csrf_protected` (``app.py`` adds POST
routes only through it; a test checks that). The login form, which has no session yet,
uses a signed double-submit token instead (:func:`login_form_token`). ``SameSite=Strict``
cookies are a second line of defence.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, cast
from urllib.parse import urlencode

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner.store import Role, StoreError, WebSession, user_name

if TYPE_CHECKING:
    from planner.web.context import AppContext

Endpoint = Callable[[Request], Awaitable[Response]]

#: Cookie names; behind TLS the ``__Host-`` prefix makes the browser insist on Secure,
#: path ``/`` and no Domain, so no other host can plant or read it.
SESSION_COOKIE = "bm_sitzung"
SECURE_SESSION_COOKIE = "__Host-bm_sitzung"
LOGIN_COOKIE = "bm_anmeldung"
CSRF_FIELD = "csrf"

#: A login ends after this long without a request …
IDLE_TIMEOUT = timedelta(hours=2)
#: … and in any case after a working day.
MAX_SESSION_AGE = timedelta(hours=12)
#: ``seen_at`` is written at most this often (one write per request would be wasted).
TOUCH_EVERY = timedelta(minutes=1)

#: No inline script or style, no other origin: injected markup can neither run nor
#: call home. Leaflet comes from /static/vendor/leaflet (the installed package).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PUBLIC_PATHS = frozenset({"/login"})
STATIC_PREFIX = "/static/"


def security_headers(*, static: bool, tls: bool) -> dict[str, str]:
    """Headers of every response; pages (with personal data) are never cached."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",  # for browsers that ignore frame-ancestors
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-cache" if static else "no-store",
    }
    if tls:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


class SecurityHeaders:
    """ASGI middleware: :func:`security_headers` on every HTTP response (errors too)."""

    def __init__(self, app: ASGIApp, *, tls: bool) -> None:
        self.app = app
        self.tls = tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope["path"]).startswith(STATIC_PREFIX)

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(static=static, tls=self.tls).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_secured)


# --------------------------------------------------------------------------- sessions


def new_token() -> str:
    """32 random bytes, URL-safe (session tokens, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def token_key(token: str) -> str:
    """What the store keeps of a session token: its SHA-256 (the token has 256 bits of
    randomness, so a plain hash is enough; no salt, no stretching needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_cookie_name(secure: bool) -> str:
    return SECURE_SESSION_COOKIE if secure else SESSION_COOKIE


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    # No max_age: the browser forgets the cookie when it closes (shared office PCs);
    # the server ends the session after IDLE_TIMEOUT / MAX_SESSION_AGE anyway.
    response.set_cookie(
        session_cookie_name(secure), token, path="/", secure=secure, httponly=True,
        samesite="strict",
    )  # fmt: skip


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(
        session_cookie_name(secure), path="/", secure=secure, httponly=True, samesite="strict"
    )


def load_session(ctx: AppContext, token: str | None) -> WebSession | None:
    """The live session of ``token``; an expired one (or one of an account switched off)
    is deleted. Blocking: call it in a worker thread."""
    if not token or len(token) > 128:
        return None
    key = token_key(token)
    session = ctx.store.web_session(key)
    if session is None:
        return None
    now = ctx.now()
    expired = (
        not session.user.active
        or now - session.created_at > MAX_SESSION_AGE
        or now - session.seen_at > IDLE_TIMEOUT
    )
    if expired:
        with ctx.write_lock:
            ctx.store.end_web_session(key, at=now, action="Sitzung abgelaufen")
        return None
    if now - session.seen_at >= TOUCH_EVERY:
        with ctx.write_lock:
            ctx.store.touch_web_session(key, at=now)
    return session


class SessionGate:
    """ASGI middleware: nothing but ``/login`` and ``/static/…`` without a live session.

    Pages (GET/HEAD) redirect to the login, anything else gets 401. The session goes to
    ``request.state.login`` (None on public paths without one).
    """

    def __init__(self, app: ASGIApp, *, ctx: AppContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        if path.startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        cookie = session_cookie_name(self.ctx.secure_cookies)
        token = connection.cookies.get(cookie)
        session = await self.ctx.run(load_session, self.ctx, token) if token else None
        scope.setdefault("state", {})["login"] = session
        if session is None and path not in PUBLIC_PATHS:
            response = self._denied(scope, path, expired=bool(token))
            if token:  # a stale cookie: let the browser forget it
                clear_session_cookie(response, secure=self.ctx.secure_cookies)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _denied(scope: Scope, path: str, *, expired: bool) -> Response:
        if scope["method"] in ("GET", "HEAD") and not path.startswith("/api/"):
            # Only the path goes along: a query may hold a searched name.
            query = {"hinweis": "abgelaufen"} if expired else {}
            if path != "/":
                query["next"] = path
            target = f"/login?{urlencode(query)}" if query else "/login"
            return RedirectResponse(target, status_code=303)
        return PlainTextResponse("Bitte zuerst anmelden.", status_code=401)


def current(request: Request) -> WebSession:
    """The session of a request that passed :class:`SessionGate` on a private path."""
    session = cast(WebSession | None, getattr(request.state, "login", None))
    if session is None:  # a public route asked: a programming error, not a user's
        raise HTTPException(401, "Bitte zuerst anmelden.")
    return session


def require_role(request: Request, role: Role) -> WebSession:
    """The session, if its account has ``role``; otherwise 403."""
    session = current(request)
    if session.user.role is not role:
        raise HTTPException(403, f"Das ist der Rolle „{role.label}“ vorbehalten.")
    return session


def safe_next(target: str | None) -> str:
    """A local path to go to after the login; anything else (other hosts) becomes ``/``."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return "/"
    return target


# --------------------------------------------------------------------------- CSRF


def csrf_protected(endpoint: Endpoint) -> Endpoint:
    """Wrap a POST endpoint: the form's ``csrf`` field must equal the session's token
    (compared in constant time), else 403 before the endpoint runs."""

    @wraps(endpoint)
    async def checked(request: Request) -> Response:
        session = current(request)
        form = await request.form()  # cached on the request: the endpoint reads it again
        sent = form.get(CSRF_FIELD)
        if not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode("utf-8"), session.csrf.encode("utf-8")
        ):
            raise HTTPException(
                403,
                "Das Formular ist abgelaufen oder kam nicht von dieser Seite. "
                "Bitte die Seite neu laden und noch einmal versuchen.",
            )
        return await endpoint(request)

    checked.csrf_protected = True  # type: ignore[attr-defined]
    return checked


def login_form_token(secret: bytes, nonce: str) -> str:
    """The login form's hidden token: HMAC of the nonce in the login cookie.

    The login has no session yet, so the token is bound to a cookie (signed
    double-submit): a foreign page can neither read the cookie nor forge the token.
    """
    return hmac.new(secret, nonce.encode("utf-8"), hashlib.sha256).hexdigest()


def login_form_valid(secret: bytes, nonce: str | None, token: object) -> bool:
    if not nonce or not isinstance(token, str):
        return False
    return hmac.compare_digest(login_form_token(secret, nonce).encode(), token.encode())


# --------------------------------------------------------------------------- rate limit


class LoginLimiter:
    """At most ``max_failures`` failed logins per user name and per client address in a
    sliding ``window``; then 429 until the oldest failure leaves the window.

    In memory, per process: a restart forgets the counts (an attacker gains at most one
    window per restart), and the app runs as one process (``planner web``). A success
    clears the count of that name, not of the address.
    """

    def __init__(
        self,
        max_failures: int = 5,
        window: timedelta = timedelta(minutes=15),
        max_keys: int = 10_000,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_keys = max_keys
        self._failures: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def keys(name: str, address: str) -> tuple[str, str]:
        try:
            normal = user_name(name)
        except StoreError:
            normal = name.strip().lower()[:64]
        return f"name:{normal}", f"addr:{address}"

    def retry_after(self, keys: tuple[str, ...], now: datetime) -> int | None:
        """Seconds until a login may be tried again, or None when it may now."""
        waits: list[float] = []
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.max_failures:
                    free_at = failures[-self.max_failures] + self.window
                    waits.append((free_at - now).total_seconds())
        return max(1, int(max(waits)) + 1) if waits else None

    def failed(self, keys: tuple[str, ...], now: datetime) -> None:
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._prune(now)
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def _prune(self, now: datetime) -> None:
        for key in list(self._failures):
            if not self._recent(key, now):
                del self._failures[key]
        while len(self._failures) >= self.max_keys:  # still full: drop the oldest keys
            del self._failures[next(iter(self._failures))]
