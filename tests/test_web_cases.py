"""The Fälle pages: who sees which case, filters, the case page, reopen, the audit trail."""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step
from planner.campaign.model import Attempt, Case, CaseState, PinnedVisit
from planner.model import Address, Client
from planner.store import Role, Store
from planner.web import create_app, passwords
from planner.web.access import may_see, visible_case_ids
from planner.web.pages import cases as cases_page
from planner.web.pages.cases import Filters
from planner.workflow import case_states, coach_case_ids, record_attempts
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    CHEAP,
    DAY,
    PASSWORD,
    TEAM_FILE,
    Clock,
    client,
    clock,
    csrf,
    db,
    log_in,
    seeded_template,
    store_of,
    team,
)


def listed(html: str) -> list[str]:
    """Kunden-Nr in the case table, in order."""
    return re.findall(r'<td class="id"><a href="/faelle/[^"]+">([^<]+)</a>', html)


# --------------------------------------------------------------------------- who sees what


def test_lead_sees_every_case(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    page = client.get("/faelle")
    assert page.status_code == 200
    with store_of(db) as store:
        every = [c.id for c in store.cases()]
    assert listed(page.text) == every and len(every) == 86
    assert "86 Fälle" in page.text and "Hannes Werner" in page.text  # names when logged in
    for nav in ("Heute", "Anrufliste", "Woche", "Fälle", "Import", "Stand"):
        assert f">{nav}</a>" in page.text
    assert client.get("/faelle/BM-1002").status_code == 200


def test_coach_sees_only_own_cases(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    page = client.get("/faelle")
    with store_of(db) as store:
        own = coach_case_ids(store, team(), "anna", DAY)
        jonas = coach_case_ids(store, team(), "jonas", DAY)
    shown = listed(page.text)
    assert set(shown) == own and "Meine Fälle" in page.text
    assert {"BM-1001", "BM-1003"} <= own  # Bezugscoach (reached; declined at her call)
    assert "BM-1002" not in own and "BM-1002" in jonas  # Jonas reached BM-1002
    assert len(own) > 2  # and her part of today's call list
    for nav in ("Woche", "Import", "Stand"):  # the lead's pages are not in her menu
        assert f">{nav}</a>" not in page.text


def test_coach_opens_own_case_but_not_another_coachs(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    own = client.get("/faelle/BM-1001")
    assert own.status_code == 200 and "Hannes Werner" in own.text
    other = client.get("/faelle/BM-1002")
    assert other.status_code == 403
    assert "Dieser Fall gehört nicht zu Ihren Fällen." in other.text
    assert "Carla Keller" not in other.text  # nothing of the case leaks
    unknown = client.get("/faelle/BM-9999")
    assert unknown.status_code == 403  # a coach learns nothing about which numbers exist
    with store_of(db) as store:
        denied = store.audit("BM-1002")[-1]
    assert (denied.user, denied.action) == ("anna", "Zugriff verweigert")


def test_lead_opens_any_case_and_an_unknown_one_is_404(client: TestClient) -> None:
    log_in(client, "lea")
    assert client.get("/faelle/BM-1002").status_code == 200
    missing = client.get("/faelle/BM-9999")
    assert missing.status_code == 404 and "BM-9999 ist nicht in der Datenbank" in missing.text


def test_coach_account_without_coach_key_sees_no_case(client: TestClient) -> None:
    log_in(client, "ohne")
    page = client.get("/faelle")
    assert listed(page.text) == [] and "keine Fälle zugeordnet" in page.text
    assert client.get("/faelle/BM-1001").status_code == 403


def test_published_visit_and_agreed_appointment_make_a_case_own(db: Path) -> None:
    with store_of(db) as store:
        assert "BM-1010" not in coach_case_ids(store, team(), "mira", DAY)
        pin = PinnedVisit("BM-1010", "mira", datetime(2026, 12, 2, 10, 0), 60)
        store.publish(DAY, 5, (pin,), user="lea", at=datetime(2026, 11, 29, 12, 0))
        agreed = Attempt("BM-1011", datetime(2026, 11, 27, 11, 0), "mira", AttemptKind.CALL,
                         Outcome.APPOINTMENT, appointment=datetime(2026, 12, 3, 9, 0))  # fmt: skip
        record_attempts(store, (agreed,), user="mira", now=datetime(2026, 11, 27, 12, 0))
        own = coach_case_ids(store, team(), "mira", DAY)
        assert {"BM-1010", "BM-1011"} <= own
        # A visit published for another day binds only on its own day.
        later = coach_case_ids(store, team(), "mira", date(2026, 12, 30))
        assert "BM-1010" not in later
        assert coach_case_ids(store, team(), "", DAY) == frozenset()


def test_access_rule_in_one_place(db: Path) -> None:
    with store_of(db) as store:
        lead, anna = store.user("lea"), store.user("anna")
        assert lead is not None and anna is not None
        assert visible_case_ids(store, team(), lead, DAY) is None
        assert may_see(store, team(), lead, "BM-9999", DAY)  # then 404
        assert may_see(store, team(), anna, "BM-1001", DAY)
        assert not may_see(store, team(), anna, "BM-1002", DAY)


# --------------------------------------------------------------------------- audit


def test_reading_a_case_lands_in_the_audit_trail(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    assert client.get("/faelle/BM-1001").status_code == 200
    with store_of(db) as store:
        entry = store.audit("BM-1001")[-1]
        listing = [e for e in store.audit() if e.action == "Fallliste angesehen"]
    assert (entry.user, entry.action, entry.detail) == ("anna", "Fall angesehen", "Fallseite")
    assert entry.at == datetime(2026, 11, 30, 9, 0)  # the app's clock
    assert listing == []  # only the case page was opened
    client.get("/faelle?q=Werner")
    with store_of(db) as store:
        (listing_entry,) = [e for e in store.audit() if e.action == "Fallliste angesehen"]
    assert listing_entry.user == "anna" and "Werner" not in listing_entry.detail


# --------------------------------------------------------------------------- case page


def test_case_page_shows_step_reason_and_history(client: TestClient) -> None:
    log_in(client, "lea")
    page = client.get("/faelle/BM-1001").text
    assert "Nächster Schritt" in page and "kein weiterer Schritt" in page
    assert "Anruf: erreicht" in page and "Notiz A" in page and "Anna Becker" in page
    assert 'href="tel:06441999975"' in page  # tap to call
    assert "Fall wieder öffnen" not in page  # open case
    closed = client.get("/faelle/BM-1003").text
    assert "abgeschlossen" in closed and "abgelehnt am 27.11.2026" in closed


def test_only_the_lead_reopens_a_case(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    page = client.get("/faelle/BM-1003")
    assert page.status_code == 200 and "Fall wieder öffnen" not in page.text
    refused = client.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-1003",
                                                         "csrf": csrf(client)})  # fmt: skip
    assert refused.status_code == 403 and "Leitung" in refused.text
    client.post("/logout", data={"csrf": csrf(client)})

    log_in(client, "lea")
    assert "Fall wieder öffnen" in client.get("/faelle/BM-1003").text
    done = client.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-1003",
                                                      "csrf": csrf(client)})  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/faelle/BM-1003?hinweis=geoeffnet"
    assert "Der Fall ist wieder offen" in client.get(done.headers["location"]).text
    with store_of(db) as store:
        case = store.case("BM-1003")
        assert case is not None and case.status is CaseStatus.OPEN
        reopened = [e for e in store.audit("BM-1003") if e.action == "wieder geöffnet"]
    assert [e.user for e in reopened] == ["lea"]
    unknown = client.post("/faelle/wieder-oeffnen", data={"kunden_nr": "BM-9999",
                                                         "csrf": csrf(client)})  # fmt: skip
    assert unknown.status_code == 404


def test_client_text_is_escaped_and_odd_kunden_nr_work(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "_HASHER", CHEAP)
    db = tmp_path / "k.db"
    odd = Case(Client("A/7 ü", 2, Address("<b>Weg</b> 1", "35578", "Wetzlar"),
                      name='<script>alert("x")</script>'), None)  # fmt: skip
    with Store.open(str(db)) as store:
        store.import_cases((odd,), today=DAY, user="t", source="t.csv")
        store.add_user("lea", Role.LEAD, CHEAP.hash(PASSWORD), None, user="t")
    app = create_app(str(db), TEAM_FILE, today=lambda: DAY, now=clock.now)
    with TestClient(app, follow_redirects=False) as client:
        log_in(client, "lea")
        listing = client.get("/faelle").text
        assert 'href="/faelle/A%2F7%20%C3%BC"' in listing
        assert "<script>" not in listing and "&lt;script&gt;" in listing
        page = client.get("/faelle/A%2F7%20%C3%BC")
        assert page.status_code == 200
        assert "&lt;b&gt;Weg&lt;/b&gt;" in page.text and "Adresse nicht zugeordnet" in page.text


# --------------------------------------------------------------------------- filters


def test_filters_on_the_page(client: TestClient) -> None:
    log_in(client, "lea")
    assert listed(client.get("/faelle?q=hannes werner").text) == ["BM-1001"]
    assert listed(client.get("/faelle?q=06441 999975").text) == ["BM-1001"]
    assert listed(client.get("/faelle?status=abgeschlossen").text) == ["BM-1003"]
    assert listed(client.get("/faelle?coach=jonas").text) == ["BM-1002"]
    termin = listed(client.get("/faelle?schritt=termin").text)
    assert termin and "BM-1001" not in termin
    wetzlar = client.get("/faelle?gemeinde=Wetzlar&status=offen")
    assert "BM-1001" in listed(wetzlar.text) and "BM-1003" not in listed(wetzlar.text)
    assert "von 86 Fällen" in wetzlar.text
    # Unknown values are ignored, not an error.
    assert len(listed(client.get("/faelle?status=%3Cx%3E&seite=abc").text)) == 86
    assert "Kein Fall passt" in client.get("/faelle?q=niemand-heisst-so").text


def test_list_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cases_page, "PAGE_SIZE", 30)
    log_in(client, "lea")
    first = client.get("/faelle")
    assert len(listed(first.text)) == 30 and "Seite 1 von 3" in first.text
    assert 'href="?seite=2"' in first.text
    last = client.get("/faelle?seite=99")  # beyond the end: the last page
    assert len(listed(last.text)) == 26 and "Seite 3 von 3" in last.text


def test_filters_are_pure_and_validated() -> None:
    f = Filters.of(QueryParams("q=%20Werner%20&status=offen&schritt=nix&seite=-3&coach=anna"))
    assert (f.text, f.status, f.step, f.page, f.coach) == ("Werner", "offen", "", 1, "anna")
    assert f.query(page=2) == "q=Werner&status=offen&coach=anna&seite=2"
    person = Client("K-1", 2, Address("", "35578", "Wetzlar"), name="Jo Werner", phone="0170 123")
    case = Case(person, None)
    state = CaseState("K-1", Step.CALL, "", coach="anna")
    assert f.matches(case, state)
    assert Filters(text="70 123").matches(case, state)  # phone digits
    assert not Filters(text="12").matches(case, state)  # too few digits for a phone search
    assert Filters(municipality=cases_page.NONE).matches(case, state)
    assert not Filters(coach=cases_page.NONE).matches(case, state)
    assert not Filters(status="abgeschlossen").matches(case, state)


def test_states_on_the_page_come_from_the_workflow(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    with store_of(db) as store:
        _, _, states = case_states(store, DAY)
    page = client.get("/faelle?schritt=brief").text
    assert set(listed(page)) == {k for k, s in states.items() if s.step is Step.LETTER}
