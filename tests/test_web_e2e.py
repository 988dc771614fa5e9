"""End to end: the real app served by uvicorn, driven in headless Chromium (Playwright).

The store is the demo list of ``tests.webapp`` with appointments for Monday 30.11.2026 and
the week planned and published on Sunday; the app's clock stands on that Monday. The
browser has no network: every host name resolves to nothing, a dead proxy takes anything
else, and a route handler aborts every request that is not for the app on 127.0.0.1
(each one is also recorded, and the tests assert there was none).

Skipped when Playwright or Chromium is missing, except under CI (``CI`` set), where that is
a failure.
"""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from starlette.testclient import TestClient

from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt
from planner.solve import SolutionLimit, StoppingCriterion
from planner.web import create_app, passwords
from planner.web.pages import week
from planner.workflow import plan_from_store, record_attempts
from tests.test_browser import find_chromium
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    CHEAP,
    DAY,
    PASSWORD,
    TEAM_FILE,
    Clock,
    client,
    clock,
    db,
    log_in,
    seed,
    seeded_template,
    store_of,
    team,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request

#: Agreed on the phone last week: Anna's three visits and one of Jonas on Monday.
APPOINTMENTS = (
    ("BM-1005", "anna", 10, 0),
    ("BM-1006", "anna", 11, 30),
    ("BM-1007", "anna", 14, 0),
    ("BM-1008", "jonas", 10, 0),
)
PUBLISHED = datetime(2026, 11, 29, 16, 0)  # Sunday
OFFLINE_ARGS = (
    "--no-sandbox",  # CI containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",  # nobody listens there; loopback bypasses proxies
)


def _small_budget() -> StoppingCriterion:
    return SolutionLimit(20)


def seed_week(path: Path) -> None:
    """``tests.webapp``'s store, the appointments, the week planned and published."""
    seed(path)
    with store_of(path) as store:
        at = datetime(2026, 11, 27, 11, 0)
        agreed = [
            Attempt(case, at, coach, AttemptKind.CALL, Outcome.APPOINTMENT,
                    appointment=datetime(2026, 11, 30, hour, minute))
            for case, coach, hour, minute in APPOINTMENTS
        ]  # fmt: skip
        record_attempts(store, agreed, user="import", now=at)
        plan_from_store(store, team(), DAY, 5, _small_budget(), today=DAY, publish=True,
                        user="lea", now=PUBLISHED)  # fmt: skip


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        binary, missing = None, "Playwright ist nicht installiert"
    else:
        missing = "kein Chromium gefunden (apt-get install chromium)"
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} – in CI darf dieser Test nicht übersprungen werden")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=list(OFFLINE_ARGS))
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def week_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e2e") / "vorlage.db"
    seed_week(path)
    return path


@dataclass
class Served:
    """The app running on 127.0.0.1, its store file and clock, and what the browser did."""

    base: str
    db: Path
    clock: Clock
    outside: list[str] = field(default_factory=list)  # requests that tried to leave
    problems: list[str] = field(default_factory=list)  # script errors, CSP violations

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def served(
    week_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    import uvicorn

    monkeypatch.setattr(passwords, "_HASHER", CHEAP)
    monkeypatch.setattr(week, "budget", _small_budget)
    path = tmp_path / "kampagne.db"
    shutil.copyfile(week_template, path)
    clock = Clock(datetime(2026, 11, 30, 9, 30))
    app = create_app(str(path), TEAM_FILE, secret=b"e" * 32, today=lambda: DAY, now=clock.now)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on: no race with others
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn startete nicht"
        time.sleep(0.02)
    try:
        yield Served(f"http://127.0.0.1:{port}", path, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    """A fresh browser profile (no cookies) whose requests may only reach the app."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="de-DE")
    context.set_default_timeout(20_000)

    def guard(route: Any, request: Request) -> None:
        if request.url.startswith(served.base + "/") or request.url.startswith("data:"):
            route.continue_()
        else:
            served.outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    opened.on("pageerror", lambda error: served.problems.append(f"Skriptfehler: {error}"))
    opened.on("console", lambda msg: _console(served, msg.type, msg.text))
    opened.on("dialog", lambda dialog: dialog.accept())
    yield opened
    context.close()
    assert served.outside == [], "Anfragen außerhalb von 127.0.0.1"
    assert served.problems == []


def _console(served: Served, kind: str, text: str) -> None:
    # A 403/409 answer also lands in the console ("Failed to load resource"): expected.
    if kind == "error" and ("Content Security Policy" in text or "Refused" in text):
        served.problems.append(text)


# --------------------------------------------------------------------------- helpers


def log_in_as(page: Page, served: Served, name: str) -> None:
    page.goto(served.url("/"))
    assert "/login" in page.url
    page.get_by_label("Benutzername").fill(name)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r"/login\?hinweis=abgemeldet$"))


def stop_ids(page: Page) -> list[str]:
    return page.locator("li.stop p.person a.id").all_inner_texts()


def status_note(page: Page) -> str:
    return page.locator("p.note[role=status]").inner_text()


def newest_visits(served: Served, day: datetime) -> dict[str, tuple[str, datetime]]:
    """Kunden-Nr -> (coach, start) of ``day``'s visits in the newest publication covering it."""
    with store_of(served.db) as store:
        publication = store.publication(day.date(), 1)
    assert publication is not None
    return {
        p.case_id: (p.coach, p.start) for p in publication.visits if p.start.date() == day.date()
    }


def publication_count(served: Served) -> int:
    with store_of(served.db) as store:
        return len(store.publications(DAY, 5))


# --------------------------------------------------------------------------- the coach


@pytest.mark.browser
def test_coach_day_tour_door_calls_booking(page: Page, served: Served) -> None:
    log_in_as(page, served, "anna")
    page.wait_for_url(re.compile(r"/heute$"))  # a coach starts on Heute
    assert page.locator("h1").inner_text() == "Heute Montag, 30.11.2026"
    assert stop_ids(page) == ["BM-1005", "BM-1006", "BM-1007"]
    assert "BM-1008" not in page.content()  # Jonas' visit
    page.locator("#tour-karte .leaflet-marker-icon").first.wait_for()  # the map runs offline

    # At the first door, 10:05.
    served.clock.advance(minutes=35)
    page.locator("#stopp-1").get_by_role("button", name="angetroffen", exact=True).click()
    page.wait_for_url(re.compile(r"/heute\?erfasst=BM-1005&"))
    assert "Gespeichert: BM-1005 – angetroffen" in status_note(page)
    assert "Erfasst 10:05: angetroffen" in page.locator("#stopp-1").inner_text()
    with store_of(served.db) as store:
        last = store.attempts("BM-1005")[-1]
    assert (last.kind, last.outcome, last.coach) == (AttemptKind.VISIT, Outcome.MET, "anna")

    # The call list: one outcome, then "Termin vereinbart" and a suggested slot booked.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Anrufliste").click()  # fmt: skip
    page.wait_for_url(re.compile(r"/anrufe$"))
    calls = page.locator("ol.call-list > li")
    first, second = (calls.nth(i).locator("a.id").inner_text() for i in (0, 1))
    calls.nth(1).get_by_role("button", name="Mailbox").click()
    page.wait_for_url(re.compile(rf"/anrufe\?erfasst={second}&"))
    assert f"Gespeichert: {second}" in status_note(page)
    page.locator("ol.call-list > li").first.get_by_role("link", name="Termin vereinbart").click()
    slots = page.locator("#termin ol.slot-list > li")
    slots.first.wait_for()
    assert page.locator("#slots-title").inner_text().startswith(f"Termin vereinbaren: {first}")
    assert slots.count() >= 2  # ranked, best first
    chosen = slots.first.locator("form")
    coach = chosen.locator("input[name=slot_coach]").get_attribute("value")
    start = datetime.fromisoformat(chosen.locator("input[name=start]").get_attribute("value") or "")
    chosen.get_by_role("button", name="Buchen").click()
    page.wait_for_url(re.compile(rf"/anrufe\?erfasst={first}&"))
    assert "im veröffentlichten Plan eingetragen" in status_note(page)
    assert newest_visits(served, start)[first] == (coach, start)  # pinned in the newest plan
    assert first not in page.locator("ol.call-list").inner_text()

    # Someone else's case and the lead's page: refused.
    denied = page.goto(served.url("/faelle/BM-1002"))  # Jonas' person
    assert denied is not None and denied.status == 403
    assert "BM-1002" not in page.locator("main").inner_text()
    assert page.goto(served.url("/woche")).status == 403  # type: ignore[union-attr]

    log_out(page)
    page.goto(served.url("/heute"))
    assert page.url.endswith("/login?next=%2Fheute")


@pytest.mark.browser
def test_nothing_without_a_session(page: Page, served: Served) -> None:
    for path in ("/", "/heute", "/anrufe", "/woche", "/faelle", "/faelle/BM-1001", "/stand",
                 "/import", "/woche/laufzettel/anna/2026-11-30"):  # fmt: skip
        page.goto(served.url(path))
        assert "/login" in page.url, path
        assert page.locator("h1").inner_text() == "Anmelden"
        assert "BM-1" not in page.locator("main").inner_text(), path
    for path in ("/heute/ergebnis", "/anrufe/buchen", "/woche/verschieben",
                 "/woche/veroeffentlichen", "/faelle/wieder-oeffnen", "/logout"):  # fmt: skip
        answer = page.request.post(served.url(path), form={"kunden_nr": "BM-1005"})
        assert answer.status == 401, path
    assert page.request.get(served.url("/static/app.css")).status == 200  # public
    with store_of(served.db) as store:
        assert len(store.attempts("BM-1005")) == 1  # the agreed appointment only
    # The guard itself: anything elsewhere is not reached, and it is recorded.
    from playwright.sync_api import Error as PlaywrightError

    with pytest.raises(PlaywrightError):
        page.goto("http://cdn.example.org/leaflet.js")
    assert served.outside == ["http://cdn.example.org/leaflet.js"]
    served.outside.clear()


# --------------------------------------------------------------------------- the lead


@pytest.mark.browser
def test_lead_moves_unpins_replans_and_publishes(page: Page, served: Served) -> None:
    log_in_as(page, served, "lea")
    page.wait_for_url(re.compile(r"/woche$"))  # the lead starts on Woche
    assert "Veröffentlicht So 29.11.2026 16:00 von lea" in page.locator("main").inner_text()
    page.locator("#karte .leaflet-interactive").first.wait_for()  # the week map runs offline
    monday = page.locator("#tag-2026-11-30")
    assert monday.locator("#besuch-BM-1007").is_visible()

    # A move that does not fit: the German reason, and nothing changes.
    before = newest_visits(served, datetime(2026, 11, 30))
    row = monday.locator("#besuch-BM-1007")
    row.get_by_role("link", name="Ändern").click()
    form = page.locator("form.move-form")
    form.get_by_label("Coach").select_option("anna")
    form.get_by_label("Tag").select_option("2026-11-30")
    form.get_by_label("Beginn").fill("11:30")  # Anna is at BM-1006 then
    form.get_by_role("button", name="Verschieben").click()
    refused = page.locator("p.alert.refused")
    refused.wait_for()
    assert refused.inner_text().startswith("Passt nicht: Kein freier Termin am Mo 30.11.2026.")
    assert newest_visits(served, datetime(2026, 11, 30)) == before

    # The same visit to Jonas on Thursday morning: checked, moved and pinned.
    form = page.locator("form.move-form")
    form.get_by_label("Coach").select_option("jonas")
    form.get_by_label("Tag").select_option("2026-12-03")
    form.get_by_label("Beginn").fill("11:00")
    form.get_by_role("button", name="Verschieben").click()
    page.wait_for_url(re.compile(r"/woche\?.*hinweis=verschoben"))
    assert "BM-1007 ist verschoben und fest eingeplant." in status_note(page)
    thursday = datetime(2026, 12, 3)
    assert newest_visits(served, thursday)["BM-1007"] == ("jonas", datetime(2026, 12, 3, 11, 0))
    assert "BM-1007" not in newest_visits(served, datetime(2026, 11, 30))
    moved = page.locator("#tag-2026-12-03 #besuch-BM-1007")
    tour = page.locator("#tag-2026-12-03 div.tour").filter(has=page.locator("#besuch-BM-1007"))
    assert "Jonas Hofmann" in tour.locator("h3").inner_text()
    assert "11:00" in moved.inner_text() and moved.locator(".badge.pinned").is_visible()

    # Unpin it again: out of the published plan until the next re-plan.
    moved.get_by_role("link", name="Ändern").click()
    page.get_by_role("button", name="Aus dem Plan nehmen").click()
    page.wait_for_url(re.compile(r"/woche\?.*hinweis=geloest"))
    assert "BM-1007 ist aus dem veröffentlichten Plan genommen" in status_note(page)
    assert "BM-1007" not in newest_visits(served, thursday)

    # Re-plan around the pins (a draft), then publish it.
    published = publication_count(served)
    page.get_by_role("button", name="Neu planen").click()
    page.wait_for_url(re.compile(r"/woche\?.*entwurf=1"))
    assert page.locator("h1").inner_text().startswith("Entwurf")
    assert publication_count(served) == published  # a draft is not published
    page.get_by_role("button", name="Veröffentlichen").click()
    page.wait_for_url(re.compile(r"/woche\?.*hinweis=veroeffentlicht"))
    assert "Der Plan ist veröffentlicht." in status_note(page)
    assert publication_count(served) == published + 1
    with store_of(served.db) as store:
        newest = store.publication(DAY, 5)
    assert newest is not None and newest.published_by == "lea"
    assert newest.published_at == served.clock.now()

    log_out(page)
    page.goto(served.url("/woche"))
    assert "/login" in page.url


# --------------------------------------------------------------------------- without browser


@pytest.mark.parametrize(("name", "start"), [("anna", "/heute"), ("lea", "/woche")])
def test_home_sends_each_role_to_its_page(client: TestClient, name: str, start: str) -> None:
    assert log_in(client, name).headers["location"] == "/"
    assert client.get("/").headers["location"] == start
