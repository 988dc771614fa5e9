"""Anrufliste: the coach's calls of today, one click per outcome, booking a suggested slot."""

# The fixtures come from tests.webapp and tests.test_web_today by import; their
# parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from planner.campaign.codes import AttemptKind, Outcome, Step
from planner.workflow import PlanChangeRefused, book_at, calls_for, case_states
from tests.test_web_today import (  # noqa: F401 (db, published_template: fixtures)
    app_on,
    attempts,
    audit,
    db,
    published_template,
)
from tests.webapp import (  # noqa: F401 (client, clock, seeded_template: fixtures)
    DAY,
    Clock,
    client,
    clock,
    csrf,
    log_in,
    seeded_template,
    store_of,
    team,
)


def listed(page: str) -> list[str]:
    """Kunden-Nr on the call list, in call order."""
    return re.findall(r'<p class="person"><a href="/faelle/[^"]+" class="id">([^<]+)</a>', page)


def own_calls(db: Path, coach: str) -> list[str]:
    with store_of(db) as store:
        return [e.case_id for e in calls_for(store, team(), DAY, coach=coach).entries]


def call(client: TestClient, case_id: str, outcome: str, **fields: str) -> Any:
    data = {"csrf": csrf(client, "/anrufe"), "kunden_nr": case_id, "ergebnis": outcome, **fields}
    return client.post("/anrufe/ergebnis", data=data)


def slot_forms(page: str) -> list[dict[str, str]]:
    """The hidden fields of each "Buchen" form, in rank order."""
    forms = re.findall(r'<form method="post" action="/anrufe/buchen".*?</form>', page, re.S)
    return [
        {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form)}
        for form in forms
    ]


# --------------------------------------------------------------------------- the list


def test_call_list_shows_the_coachs_entries(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    page = client.get("/anrufe")
    assert page.status_code == 200
    expected = own_calls(db, "anna")
    assert expected and listed(page.text) == expected
    assert not set(listed(page.text)) & set(own_calls(db, "jonas"))
    assert "Lukas Braun" in page.text  # BM-1004, names for the logged-in coach
    assert re.search(r'href="tel:\d+"', page.text)
    assert "Beste Zeit:" in page.text and "Chance:" in page.text and "neu in der Liste" in page.text
    assert "noch kein Versuch" in page.text
    assert ("anna", "Anrufliste angesehen", f"anna, 30.11.2026: {len(expected)} Einträge") in audit(
        db
    )


def test_coach_gets_403_for_another_coachs_list(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    page = client.get("/anrufe?coach=jonas")
    assert page.status_code == 403
    assert ("anna", "Zugriff verweigert", "Anrufliste von jonas") in audit(db)


def test_lead_sees_any_coachs_list(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    page = client.get("/anrufe?coach=jonas")
    assert page.status_code == 200 and listed(page.text) == own_calls(db, "jonas")
    assert 'id="coach-wahl"' in page.text


# --------------------------------------------------------------------------- outcomes


def test_recording_a_call_outcome(client: TestClient, db: Path, clock: Clock) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    done = call(client, first, "mailbox")
    assert done.status_code == 303
    target = done.headers["location"]
    assert target == f"/anrufe?erfasst={first}&ergebnis=mailbox#hinweis"
    last = attempts(db, first)[-1]
    assert (last.kind, last.outcome, last.coach) == (AttemptKind.CALL, Outcome.MAILBOX, "anna")
    assert (last.at, last.recorded_by, last.source) == (clock.now(), "anna", "App, Anrufliste")
    assert ("anna", "Ergebnis erfasst", "Anruf: Mailbox") in audit(db, first)
    page = client.get(target).text
    assert f"Gespeichert: <strong>{first} – Mailbox</strong>" in page
    assert "Heute erledigt" in page and f"<strong>{first}</strong> – " in page
    assert listed(page) == own_calls(db, "anna")  # the list recomputed


def test_reached_takes_the_person_off_the_list(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    call(client, first, "erreicht")
    page = client.get("/anrufe").text
    assert first not in listed(page) and "Heute erledigt" in page


def test_callback_needs_a_date(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    before = len(attempts(db, first))
    missing = call(client, first, "rueckruf", rueckruf="")
    assert missing.status_code == 400
    assert "Für den Rückruf bitte ein Datum ab heute angeben." in missing.text
    assert len(attempts(db, first)) == before
    assert call(client, first, "rueckruf", rueckruf="2026-12-02").status_code == 303
    last = attempts(db, first)[-1]
    assert (last.outcome, last.follow_up) == (Outcome.CALLBACK, date(2026, 12, 2))


def test_call_outcomes_check_access_and_input(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    jonas_case = own_calls(db, "jonas")[0]
    assert call(client, jonas_case, "erreicht").status_code == 403
    own = own_calls(db, "anna")[0]
    assert call(client, own, "angetroffen").status_code == 400
    assert call(client, own, "erreicht", coach="jonas").status_code == 403


def test_csrf_required(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    before = len(attempts(db, first))
    unsigned = {"kunden_nr": first, "ergebnis": "erreicht"}
    assert client.post("/anrufe/ergebnis", data=unsigned).status_code == 403
    booking = {"kunden_nr": first, "slot_coach": "anna", "start": "2026-12-02T09:00", "van": "0"}
    assert client.post("/anrufe/buchen", data=booking).status_code == 403
    assert client.post("/anrufe/buchen", data={**booking, "csrf": "x"}).status_code == 403
    assert len(attempts(db, first)) == before


# --------------------------------------------------------------------------- appointments


def test_suggestions_appear_and_booking_pins_the_slot(
    client: TestClient, db: Path, clock: Clock
) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    page = client.get(f"/anrufe?termin={first}")
    assert page.status_code == 200 and f"Termin vereinbaren: {first}" in page.text
    forms = slot_forms(page.text)
    assert len(forms) == 5
    assert "min Fahrt" in page.text and "bei Anna Becker" in page.text
    assert ("anna", "Terminvorschläge angesehen", "5 Vorschläge") in audit(db, first)
    chosen = forms[0]
    done = client.post("/anrufe/buchen", data=chosen)
    assert done.status_code == 303
    start = datetime.fromisoformat(chosen["start"])
    with store_of(db) as store:
        publication = store.publication(start.date(), 1)
        states = case_states(store, DAY)[2]
    assert publication is not None
    pin = next(p for p in publication.visits if p.case_id == first)
    assert (pin.coach, pin.start, pin.with_van) == (chosen["slot_coach"], start,
                                                    chosen["van"] == "1")  # fmt: skip
    assert states[first].step is Step.APPOINTMENT and states[first].appointment == start
    last = attempts(db, first)[-1]
    assert (last.kind, last.outcome, last.appointment) == (
        AttemptKind.CALL, Outcome.APPOINTMENT, start,
    )  # fmt: skip
    assert ("anna", "Termin gebucht") in [(u, a) for u, a, _ in audit(db, first)]
    after = client.get(done.headers["location"]).text
    assert "im veröffentlichten Plan eingetragen" in after
    assert first not in listed(after)


def test_a_refused_booking_shows_the_reason(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    first = own_calls(db, "anna")[0]
    before = len(attempts(db, first))
    # Anna's 10:00 visit (BM-1005) is already there on Monday.
    clash = {"csrf": csrf(client, "/anrufe"), "kunden_nr": first, "slot_coach": "anna",
             "start": "2026-11-30T10:00", "van": "0"}  # fmt: skip
    refused = client.post("/anrufe/buchen", data=clash)
    assert refused.status_code == 409
    assert "Der Termin konnte nicht gebucht werden:" in refused.text
    assert f"Termin vereinbaren: {first}" in refused.text  # the suggestions again
    assert len(attempts(db, first)) == before
    with store_of(db) as store:
        publication = store.publication(DAY, 1)
    assert publication is not None and first not in {p.case_id for p in publication.visits}
    past = {**clash, "start": "2026-11-30T08:00"}
    assert client.post("/anrufe/buchen", data=past).status_code == 409
    incomplete = {**clash, "slot_coach": "niemand"}
    assert client.post("/anrufe/buchen", data=incomplete).status_code == 400


def test_coach_gets_no_suggestions_for_a_foreign_case(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    assert client.get("/anrufe?termin=BM-1002").status_code == 403  # Jonas' person
    booking = {"csrf": csrf(client, "/anrufe"), "kunden_nr": "BM-1002", "slot_coach": "anna",
               "start": "2026-12-02T09:00", "van": "0"}  # fmt: skip
    assert client.post("/anrufe/buchen", data=booking).status_code == 403


def test_holiday_list_shows_why_nobody_is_called(db: Path, clock: Clock) -> None:
    for test_client in app_on(db, date(2026, 12, 25), clock):
        log_in(test_client, "anna")
        page = test_client.get("/anrufe").text
        assert listed(page) == [] and "Nicht auf der Liste" in page
        assert "Feiertag (Erster Weihnachtstag) – keine Anrufe" in page
    for test_client in app_on(db, DAY, clock):
        log_in(test_client, "ohne")
        assert "keine Coach-Kennung" in test_client.get("/anrufe").text


def test_book_at_refuses_the_past(db: Path) -> None:
    with store_of(db) as store, pytest.raises(PlanChangeRefused, match="Vergangenheit"):
        book_at(store, team(), "BM-1004", "anna", datetime(2026, 11, 30, 8, 0), with_van=False,
                user="anna", now=datetime(2026, 11, 30, 9, 0))  # fmt: skip
