"""Login and logout.

A failed login says only "Benutzername oder Passwort ist falsch" (never which), costs the
same argon2 work for an unknown name, and counts against the name and the client
address (:class:`~planner.web.security.LoginLimiter`). A successful login gets a fresh
session token (no fixation), and the audit log notes it; failures are not stored
(people type their password into the name field).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from planner.store import User
from planner.web.context import AppContext, context
from planner.web.pages import render
from planner.web.passwords import hash_password, needs_rehash, verify_password
from planner.web.security import (
    IDLE_TIMEOUT,
    LOGIN_COOKIE,
    MAX_SESSION_AGE,
    clear_session_cookie,
    csrf_protected,
    current,
    login_form_token,
    login_form_valid,
    new_token,
    safe_next,
    set_session_cookie,
    token_key,
)

#: A login form is good for an hour (its cookie expires then).
LOGIN_FORM_MAX_AGE_S = 3600
WRONG = "Benutzername oder Passwort ist falsch."
STALE = "Das Anmeldeformular war abgelaufen. Bitte noch einmal anmelden."
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # what new_token() makes
_NOTICES = {
    "abgemeldet": "Sie sind abgemeldet.",
    "abgelaufen": "Ihre Sitzung ist abgelaufen. Bitte neu anmelden.",
}


async def login_form(request: Request) -> Response:
    """GET /login: the form (or on to the app when already logged in)."""
    if getattr(request.state, "login", None) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    notice = _NOTICES.get(request.query_params.get("hinweis", ""), "")
    return _form(request, next_path=request.query_params.get("next", ""), notice=notice)


async def login(request: Request) -> Response:
    """POST /login: check the form token, the rate limit, then the password."""
    ctx = context(request)
    form = await request.form()
    name = _text(form.get("name"))[:200]
    password = _text(form.get("passwort"))
    next_path = _text(form.get("next"))
    if not login_form_valid(ctx.secret, request.cookies.get(LOGIN_COOKIE), form.get("token")):
        return _form(request, next_path=next_path, error=STALE, status=403, name=name)

    address = request.client.host if request.client else "unbekannt"
    keys = ctx.limiter.keys(name, address)
    now = ctx.now()
    wait = ctx.limiter.retry_after(keys, now)
    if wait is not None:
        minutes = -(-wait // 60)
        error = (
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte in "
            f"{minutes} Minute{'' if minutes == 1 else 'n'} noch einmal versuchen."
        )
        response = _form(request, next_path=next_path, error=error, status=429, name=name)
        response.headers["Retry-After"] = str(wait)
        return response

    user = await ctx.run(ctx.store.user, name) if name else None
    ok = await ctx.run(verify_password, user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        ctx.limiter.failed(keys, now)
        return _form(request, next_path=next_path, error=WRONG, status=401, name=name)

    ctx.limiter.succeeded(keys[0])
    token, csrf = new_token(), new_token()
    await ctx.write(_start_session, ctx, user, password, token, csrf)
    response = RedirectResponse(safe_next(next_path), status_code=303)
    set_session_cookie(response, token, secure=ctx.secure_cookies)
    response.delete_cookie(LOGIN_COOKIE, path="/login", secure=ctx.secure_cookies, httponly=True,
                           samesite="strict")  # fmt: skip
    return response


def _start_session(ctx: AppContext, user: User, password: str, token: str, csrf: str) -> None:
    now = ctx.now()
    ctx.store.prune_web_sessions(
        created_before=now - MAX_SESSION_AGE, seen_before=now - IDLE_TIMEOUT
    )
    if needs_rehash(user.password_hash):  # parameters raised since: upgrade the hash now
        ctx.store.set_password(user.name, hash_password(password), user=user.name)
    ctx.store.start_web_session(token_key(token), user.name, csrf, at=now)


@csrf_protected
async def logout(request: Request) -> Response:
    """POST /logout (CSRF-checked by the route): the session row goes, so the cookie is
    worthless even where a copy of it survives."""
    ctx = context(request)
    session = current(request)
    await ctx.write(ctx.store.end_web_session, session.key, at=ctx.now())
    response = RedirectResponse("/login?hinweis=abgemeldet", status_code=303)
    clear_session_cookie(response, secure=ctx.secure_cookies)
    return response


def _form(
    request: Request,
    *,
    next_path: str,
    notice: str = "",
    error: str = "",
    status: int = 200,
    name: str = "",
) -> Response:
    ctx = context(request)
    # Keep the nonce a browser already has: a second tab (or the favicon a browser asks
    # for before logging in) must not invalidate the form shown in the first.
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not _NONCE.fullmatch(nonce):
        nonce = new_token()
    response = render(
        request,
        "login.html.j2",
        {
            "token": login_form_token(ctx.secret, nonce),
            "next_path": safe_next(next_path) if next_path else "",
            "title": "Anmelden",
            "notice": notice,
            "error": error,
            "name": name,
        },
        status=status,
    )
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=LOGIN_FORM_MAX_AGE_S, path="/login",
                        secure=ctx.secure_cookies, httponly=True, samesite="strict")  # fmt: skip
    return response


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
