"""The browser app's security: login, rate limit, sessions, CSRF, headers, passwords."""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from planner.campaign.codes import CaseStatus
from planner.web import create_app
from planner.web.app import post
from planner.web.security import CONTENT_SECURITY_POLICY, LoginLimiter, safe_next
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    DAY,
    PASSWORD,
    TEAM_FILE,
    Clock,
    client,
    clock,
    csrf,
    db,
    log_in,
    login_token,
    seeded_template,
    store_of,
)

PAGE_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def _headers_ok(response: object, *, static: bool = False) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in PAGE_HEADERS.items():
        expected = "no-cache" if static and name == "cache-control" else value
        assert headers.get(name) == expected, (response, name, headers.get(name))


# --------------------------------------------------------------------------- login


def test_login_sets_a_strict_http_only_session_cookie(client: TestClient) -> None:
    response = log_in(client, "Anna")  # a phone capitalises the first letter
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "bm_sitzung=" in c)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie and "Max-Age" not in cookie  # gone when the browser closes
    page = client.get("/faelle")
    assert page.status_code == 200 and "Anna Becker" in page.text and "Coach" in page.text


def test_behind_tls_the_cookie_is_secure_and_host_bound(db: Path, clock: Clock) -> None:
    app = create_app(str(db), TEAM_FILE, secure_cookies=True, today=lambda: DAY, now=clock.now)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = log_in(client, "lea")
        assert response.status_code == 303
        cookie = next(c for c in response.headers.get_list("set-cookie") if "sitzung=" in c)
        assert cookie.startswith("__Host-bm_sitzung=") and "Secure" in cookie
        page = client.get("/faelle")
        assert page.status_code == 200
        assert page.headers["strict-transport-security"] == "max-age=31536000"


def test_failed_login_does_not_say_whether_the_name_exists(client: TestClient) -> None:
    wrong = log_in(client, "anna", "falsches-passwort")
    unknown = log_in(client, "niemand", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Benutzername oder Passwort ist falsch." in response.text
        assert "bm_sitzung" not in response.headers.get("set-cookie", "")
    assert client.get("/faelle").status_code == 303


def test_login_goes_back_to_a_local_page_only(client: TestClient) -> None:
    assert client.get("/faelle/BM-1001").headers["location"] == "/login?next=%2Ffaelle%2FBM-1001"
    response = log_in(client, "lea", next="/faelle/BM-1001")
    assert response.headers["location"] == "/faelle/BM-1001"
    assert client.get("/login").headers["location"] == "/"  # logged in already
    for target in ("//boese.example/x", "https://boese.example", "/\\boese", "", None):
        assert safe_next(target) == "/"


def test_login_form_without_its_token_is_refused(client: TestClient) -> None:
    response = client.post("/login", data={"name": "lea", "passwort": PASSWORD})
    assert response.status_code == 403
    forged = client.post("/login", data={"name": "lea", "passwort": PASSWORD, "token": "x" * 64})
    assert forged.status_code == 403
    assert client.get("/faelle").status_code == 303


def test_a_second_login_page_keeps_the_first_form_valid(client: TestClient) -> None:
    # Seen in a real browser: its favicon request (no session: redirected to /login)
    # must not invalidate the form on screen; nor must a second tab.
    first = login_token(client)
    assert client.get("/favicon.ico").headers["location"].startswith("/login")
    assert login_token(client) == first
    response = client.post("/login", data={"name": "lea", "passwort": PASSWORD, "token": first})
    assert response.status_code == 303
    assert client.cookies.get("bm_anmeldung") is None  # used up: the next login gets a new one


# --------------------------------------------------------------------------- rate limit


def test_five_failures_per_name_then_429_until_the_window_passes(db: Path, clock: Clock) -> None:
    app = create_app(str(db), TEAM_FILE, today=lambda: DAY, now=clock.now)

    def from_address(i: int) -> TestClient:  # one attacker, many addresses
        return TestClient(app, client=(f"192.0.2.{i}", 50000), follow_redirects=False)

    for i in range(5):
        assert log_in(from_address(i), "anna", "falsch-falsch-falsch").status_code == 401
        clock.advance(minutes=1)
    blocked = log_in(from_address(9), "anna")  # even the right password waits now
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.text
    assert "in 11 Minuten" in blocked.text
    assert int(blocked.headers["retry-after"]) == 10 * 60 + 1
    assert "bm_sitzung" not in blocked.headers.get("set-cookie", "")
    assert log_in(from_address(9), "lea").status_code == 303  # another name, other count
    clock.advance(minutes=10)  # the first failure leaves the 15-minute window
    assert log_in(from_address(9), "anna").status_code == 303


def test_five_failures_per_address_then_429_for_every_name(client: TestClient) -> None:
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert log_in(client, name, "falsch-falsch-falsch").status_code == 401
    assert log_in(client, "jonas").status_code == 429
    assert client.get("/faelle").status_code == 303


def test_limiter_counts_in_a_sliding_window() -> None:
    limiter = LoginLimiter(max_failures=2, window=timedelta(minutes=10))
    t0 = datetime(2026, 11, 30, 8, 0)
    keys = limiter.keys("Anna", "10.0.0.1")
    assert keys == ("name:anna", "addr:10.0.0.1")
    limiter.failed(keys, t0)
    assert limiter.retry_after(keys, t0) is None
    limiter.failed(keys, t0 + timedelta(minutes=4))
    assert limiter.retry_after(keys, t0 + timedelta(minutes=5)) == 301
    assert limiter.retry_after(keys, t0 + timedelta(minutes=10)) is None
    limiter.succeeded(keys[0])  # a success clears the name, not the address
    limiter.failed(keys, t0 + timedelta(minutes=11))
    assert limiter.retry_after(("name:anna",), t0 + timedelta(minutes=11)) is None
    assert limiter.retry_after(("addr:10.0.0.1",), t0 + timedelta(minutes=11)) is not None


def test_limiter_memory_is_bounded() -> None:
    limiter = LoginLimiter(max_keys=10)
    now = datetime(2026, 11, 30, 8, 0)
    for i in range(50):
        limiter.failed((f"name:x{i}",), now)
    assert len(limiter._failures) <= 10


# --------------------------------------------------------------------------- sessions


def test_nothing_is_served_without_a_session(client: TestClient) -> None:
    for path in ("/", "/faelle", "/faelle/BM-1001", "/heute", "/gibt-es-nicht"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    assert client.get("/api/faelle").status_code == 401
    assert client.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-1003"}).status_code == 401
    assert client.post("/logout").status_code == 401
    client.cookies.set("bm_sitzung", "ausgedacht")
    assert client.get("/faelle").status_code == 303
    client.cookies.clear()
    assert client.get("/login").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


def test_logout_ends_the_session_on_the_server(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    token = client.cookies.get("bm_sitzung")
    assert token
    response = client.post("/logout", data={"csrf": csrf(client)})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?hinweis=abgemeldet"
    assert "Sie sind abgemeldet." in client.get("/login?hinweis=abgemeldet").text
    client.cookies.set("bm_sitzung", token)  # a copy of the cookie is worthless now
    assert client.get("/faelle").status_code == 303
    with store_of(db) as store:
        logins = [e.action for e in store.audit() if e.user == "anna" and "gemeldet" in e.action]
        assert logins == ["angemeldet", "abgemeldet"]


def test_session_token_is_stored_only_as_its_hash(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    token = client.cookies.get("bm_sitzung")
    assert token
    with store_of(db) as store:
        assert store.web_session(token) is None
        stored = store.web_session(hashlib.sha256(token.encode()).hexdigest())
        assert stored is not None and stored.user.name == "anna"
    assert token.encode() not in db.read_bytes()


def test_idle_session_expires(client: TestClient, clock: Clock, db: Path) -> None:
    log_in(client, "anna")
    clock.advance(hours=1, minutes=59)
    assert client.get("/faelle").status_code == 200  # and the session was touched
    clock.advance(hours=1, minutes=59)
    assert client.get("/faelle").status_code == 200
    clock.advance(hours=2, minutes=1)
    expired = client.get("/faelle")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login?hinweis=abgelaufen&next=%2Ffaelle"
    assert "Ihre Sitzung ist abgelaufen" in client.get(expired.headers["location"]).text
    with store_of(db) as store:
        assert store.audit()[-1].action == "Sitzung abgelaufen"


def test_session_ends_after_a_working_day_even_when_used(client: TestClient, clock: Clock) -> None:
    log_in(client, "anna")
    for _ in range(12):
        clock.advance(hours=1)
        assert client.get("/faelle").status_code == 200
    clock.advance(minutes=1)
    assert client.get("/faelle").status_code == 303


def test_new_password_ends_running_sessions(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    assert client.get("/faelle").status_code == 200
    with store_of(db) as store:
        user = store.user("anna")
        assert user is not None
        store.set_password("anna", user.password_hash, user="admin")
    assert client.get("/faelle").status_code == 303


# --------------------------------------------------------------------------- CSRF


def test_post_without_the_csrf_token_is_refused(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    for data in ({}, {"csrf": "falsch"}, {"csrf": ""}):
        refused = client.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-1003", **data})
        assert refused.status_code == 403
        assert "Formular ist abgelaufen" in refused.text
        _headers_ok(refused)
    assert client.post("/logout").status_code == 403
    assert client.get("/faelle").status_code == 200  # still logged in
    with store_of(db) as store:
        case = store.case("BM-1003")
        assert case is not None and case.status is CaseStatus.CLOSED


def test_the_token_of_another_session_does_not_work(db: Path, clock: Clock) -> None:
    app = create_app(str(db), TEAM_FILE, today=lambda: DAY, now=clock.now)
    with (
        TestClient(app, follow_redirects=False) as lea,
        TestClient(app, follow_redirects=False) as other,
    ):
        log_in(lea, "lea")
        log_in(other, "lea")
        stolen = csrf(other)
        assert stolen != csrf(lea)
        refused = lea.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-1003", "csrf": stolen})
        assert refused.status_code == 403


def test_every_post_route_checks_the_csrf_token(client: TestClient) -> None:
    app = client.app
    posts = [
        r
        for r in app.routes  # type: ignore[attr-defined]
        if isinstance(r, Route) and r.methods and "POST" in r.methods
    ]
    assert {r.path for r in posts} >= {"/login", "/logout", "/faelle/wieder-oeffnen"}
    for route in posts:
        if route.path != "/login":  # checks its own signed token (no session yet)
            assert getattr(route.endpoint, "csrf_protected", False), route.path

    async def unprotected(request: object) -> object:
        return None

    with pytest.raises(TypeError, match="csrf_protected"):
        post("/x", unprotected)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- headers


def test_security_headers_on_every_response(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _headers_ok(client.get("/login"))
    _headers_ok(client.get("/faelle"))  # redirect
    _headers_ok(client.get("/api/x"))  # 401
    _headers_ok(client.post("/login", data={"name": "x"}))  # 403
    _headers_ok(client.get("/static/app.css"), static=True)
    _headers_ok(client.get("/static/vendor/leaflet/leaflet.css"), static=True)
    _headers_ok(client.get("/static/gibt-es-nicht.css"), static=True)  # 404
    for _ in range(5):
        log_in(client, "x", "falsch-falsch-falsch")
    _headers_ok(log_in(client, "x"))  # 429
    client.app.state.ctx.limiter = LoginLimiter()  # type: ignore[attr-defined]

    log_in(client, "anna")
    _headers_ok(client.get("/faelle"))
    _headers_ok(client.get("/faelle/BM-1001"))
    _headers_ok(client.get("/faelle/BM-1002"))  # 403
    _headers_ok(client.get("/gibt-es-nicht"))  # 404
    _headers_ok(client.put("/faelle"))  # 405


def test_security_headers_on_a_server_error(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr("planner.web.pages.cases.case_file", broken)
    app = create_app(str(db), TEAM_FILE, today=lambda: DAY)
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        log_in(client, "lea")
        response = client.get("/faelle/BM-1001")
    assert response.status_code == 500
    assert "Interner Fehler" in response.text and "kaputt" not in response.text
    _headers_ok(response)


def test_too_large_request_is_refused_with_the_headers(
    db: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("planner.web.app.MAX_BODY_BYTES", 1000)
    app = create_app(str(db), TEAM_FILE, today=lambda: DAY, now=clock.now)
    with TestClient(app, follow_redirects=False) as client:
        response = client.post("/login", data={"name": "x" * 2000, "token": login_token(client)})
    assert response.status_code == 413
    _headers_ok(response)


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    log_in(client, "lea")
    for path in ("/faelle", "/faelle/BM-1001", "/faelle/BM-1003", "/gibt-es-nicht"):
        html = client.get(path).text
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert scripts and all('src="/static/' in attrs and not body for attrs, body in scripts)
        assert "<style" not in html and " style=" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path  # no event-handler attributes
        assert "http://" not in html and "https://" not in html, path  # nothing from outside


# --------------------------------------------------------------------------- passwords


def test_passwords_are_stored_as_argon2_hashes_only(db: Path) -> None:
    with store_of(db) as store:
        users = store.users()
    assert {u.name for u in users} == {"lea", "anna", "jonas", "ohne"}
    assert all(u.password_hash.startswith("$argon2id$") for u in users)
    assert PASSWORD.encode() not in db.read_bytes()
