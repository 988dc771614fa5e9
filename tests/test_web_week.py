"""The Woche page (lead only): the published week, move, unpin, re-plan, publish, sheets."""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from planner.campaign.model import PinnedVisit, Publication
from planner.campaign.week import pins_of
from planner.solve import SolutionLimit, StoppingCriterion
from planner.web.pages import week
from tests.webapp import (  # noqa: F401 (client, clock, db, seeded_template: fixtures)
    DAY,
    Clock,
    client,
    clock,
    csrf,
    db,
    log_in,
    seeded_template,
    store_of,
)

MONDAY = DAY  # 30.11.2026; the app's clock stands at Monday 09:00
TUE, WED = date(2026, 12, 1), date(2026, 12, 2)
#: The published plan of the tests: two visits of Anna on Tuesday, one of Jonas on Wednesday.
PINS = (
    PinnedVisit("BM-1007", "anna", datetime(2026, 12, 1, 9, 0), 90),
    PinnedVisit("BM-1009", "anna", datetime(2026, 12, 1, 11, 0), 60),
    PinnedVisit("BM-1012", "jonas", datetime(2026, 12, 2, 10, 30), 60),
)


def publish(db: Path) -> Publication:
    with store_of(db) as store:
        return store.publish(MONDAY, 5, PINS, user="lea", at=datetime(2026, 11, 29, 12, 0))


def publication(db: Path) -> Publication | None:
    with store_of(db) as store:
        return store.publication(MONDAY, 5)


def day_section(html: str, day: date) -> str:
    """The HTML of one day's section of the week page."""
    start = html.index(f'id="tag-{day.isoformat()}"')
    end = html.find('<section class="day', start)
    return html[start : end if end > 0 else len(html)]


def audit_actions(db: Path, case_id: str | None = None) -> list[tuple[str, str]]:
    with store_of(db) as store:
        return [(e.user, e.action) for e in store.audit(case_id)]


@pytest.fixture(autouse=True)
def quick_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few solutions are enough for the tests' small weeks (seconds, not a minute)."""

    def small() -> StoppingCriterion:
        return SolutionLimit(20)

    monkeypatch.setattr(week, "budget", small)


# --------------------------------------------------------------------------- access


def test_coach_gets_403_everywhere(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "anna")
    token = csrf(client)
    page = client.get("/woche")
    assert page.status_code == 403 and "Leitung" in page.text
    assert "BM-1007" not in page.text
    assert client.get("/woche/laufzettel/anna/2026-12-01").status_code == 403
    assert client.get("/woche/laufzettel/anna/2026-12-01/druck.css").status_code == 403
    for path in ("/woche/verschieben", "/woche/loesen", "/woche/neu-planen",
                 "/woche/veroeffentlichen", "/woche/verwerfen"):  # fmt: skip
        data = {"csrf": token, "von": "30.11.2026", "kunden_nr": "BM-1009",
                "coach": "anna", "tag": "2026-12-01", "zeit": "14:00"}  # fmt: skip
        assert client.post(path, data=data).status_code == 403, path
    assert publication(db) is not None and publication(db).visits == PINS  # type: ignore[union-attr]


def test_without_login_nothing(client: TestClient) -> None:
    assert client.get("/woche").status_code == 303
    assert client.get("/woche/laufzettel/anna/2026-12-01").status_code == 303
    assert client.post("/woche/neu-planen", data={}).status_code == 401


# --------------------------------------------------------------------------- the week


def test_lead_sees_the_published_week(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    page = client.get("/woche")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Woche <span class=\"nowrap\">Mo 30.11. – Fr 04.12.2026</span>" in html
    assert "Veröffentlicht So 29.11.2026 12:00 von lea · 3 Besuche" in html
    tuesday = day_section(html, TUE)
    assert "Anna Becker" in tuesday and "2 Besuche" in tuesday
    assert "09:00–10:30" in tuesday and "BM-1007" in tuesday and "Mara Neumann" in tuesday
    assert "Wetzlar" in tuesday and "08:00-12:00" in tuesday  # place and her window that day
    assert tuesday.count(">fest</span>") == 2  # every published visit is pinned
    assert 'href="/woche/laufzettel/anna/2026-12-01"' in tuesday
    assert "Jonas Hofmann" in day_section(html, WED) and "Elena Schmitt" in html
    assert "Keine Tour." in day_section(html, date(2026, 12, 4))
    # The map's data: in a JSON block without any "<", readable as JSON.
    block = re.search(r'<script type="application/json" id="karte-daten">(.*?)</script>', html)
    assert block is not None and "<" not in block.group(1)
    data = json.loads(block.group(1))
    assert [len(t["stops"]) for t in data["tours"]] == [2, 1]
    assert data["tours"][0]["stops"][0]["id"] == "BM-1007" and data["outline"]["features"]
    assert ("lea", "Wochenplan angesehen") in audit_actions(db)


def test_a_holiday_says_why_the_day_has_no_tour(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    html = client.get("/woche?von=21.12.2026").text
    christmas = day_section(html, date(2026, 12, 25))
    assert "Keine Tour: Feiertag (Erster Weihnachtstag)." in christmas
    assert "Feiertag" not in day_section(html, date(2026, 12, 24))  # Christmas Eve is none


def test_week_by_date_and_an_empty_week(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    assert "BM-1007" in client.get("/woche?von=02.12.2026").text  # any day of the week
    later = client.get("/woche?von=07.12.2026")
    assert later.status_code == 200 and "noch kein Plan veröffentlicht" in later.text
    assert 'href="/woche?von=30.11.2026"' in later.text  # back to this week
    wrong = client.get("/woche?von=morgen")
    assert wrong.status_code == 400 and "TT.MM.JJJJ" in wrong.text


def test_page_has_no_inline_script_or_style(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    for path in ("/woche", "/woche?aendern=BM-1009"):
        html = client.get(path).text
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert 'src="/static/' in attrs and not body or 'type="application/json"' in attrs
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert "http://" not in html and "https://" not in html
    assert client.get("/static/week.js").status_code == 200
    assert client.get("/static/week-map.js").status_code == 200
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200


# --------------------------------------------------------------------------- move, unpin


def move(client: TestClient, case_id: str, coach: str, day: date, at: str) -> object:
    data = {"csrf": csrf(client), "von": "30.11.2026", "kunden_nr": case_id, "coach": coach,
            "tag": day.isoformat(), "zeit": at}  # fmt: skip
    return client.post("/woche/verschieben", data=data)


def test_change_form_opens_for_one_visit(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    html = client.get("/woche?aendern=BM-1009").text
    assert html.count('action="/woche/verschieben') == 1
    assert 'name="kunden_nr" value="BM-1009"' in html
    assert '<option value="anna" selected>' in html and 'value="11:00"' in html
    assert '<option value="2026-12-01" selected>Di 01.12.</option>' in html


def test_move_to_a_free_time_shows_in_the_table(client: TestClient, db: Path) -> None:
    before = publish(db)
    log_in(client, "lea")
    moved = move(client, "BM-1009", "jonas", WED, "13:00")
    assert moved.status_code == 303  # type: ignore[attr-defined]
    target = moved.headers["location"]  # type: ignore[attr-defined]
    assert target == "/woche?von=30.11.2026&hinweis=verschoben&fall=BM-1009"
    html = client.get(target).text
    assert "BM-1009 ist verschoben" in html
    wednesday = day_section(html, WED)
    assert "BM-1009" in wednesday and "13:00–14:00" in wednesday
    assert "BM-1009" not in day_section(html, TUE)
    after = publication(db)
    assert after is not None and after.id != before.id
    pin = next(p for p in after.visits if p.case_id == "BM-1009")
    assert (pin.coach, pin.start) == ("jonas", datetime(2026, 12, 2, 13, 0))
    assert ("lea", "Besuch verschoben") in audit_actions(db, "BM-1009")


def test_move_onto_an_occupied_time_is_refused(client: TestClient, db: Path) -> None:
    before = publish(db)
    log_in(client, "lea")
    refused = move(client, "BM-1009", "anna", TUE, "09:30")  # BM-1007 is 09:00–10:30
    assert refused.status_code == 409  # type: ignore[attr-defined]
    html = refused.text  # type: ignore[attr-defined]
    assert "Passt nicht:" in html and "Kein freier Termin" in html
    assert 'value="09:30"' in html  # the form keeps what was asked
    assert publication(db) == before  # nothing changed
    assert ("lea", "Verschieben abgelehnt") in audit_actions(db, "BM-1009")


@pytest.mark.parametrize(
    ("coach", "day", "at", "message"),
    [
        ("niemand", TUE, "14:00", "Bitte einen Coach aus der Liste wählen."),
        ("anna", date(2026, 12, 8), "14:00", "Bitte einen Tag dieser Woche wählen."),
        ("anna", MONDAY, "08:00", "Dieser Zeitpunkt ist schon vorbei."),
        ("anna", TUE, "25:00", "Die Uhrzeit bitte als HH:MM angeben"),
    ],
)
def test_move_form_is_checked(
    client: TestClient, db: Path, coach: str, day: date, at: str, message: str
) -> None:
    before = publish(db)
    log_in(client, "lea")
    refused = move(client, "BM-1009", coach, day, at)
    assert refused.status_code == 409 and message in refused.text  # type: ignore[attr-defined]
    assert publication(db) == before


def test_unpin_removes_the_pin(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    data = {"csrf": csrf(client), "von": "30.11.2026", "kunden_nr": "BM-1009", "tag": "2026-12-01"}
    done = client.post("/woche/loesen", data=data)
    assert done.status_code == 303
    html = client.get(done.headers["location"]).text
    assert "BM-1009 ist aus dem veröffentlichten Plan genommen" in html
    assert "BM-1009" not in day_section(html, TUE).split("</h2>", 1)[1].split("role=")[0]
    after = publication(db)
    assert after is not None and {p.case_id for p in after.visits} == {"BM-1007", "BM-1012"}
    assert ("lea", "Besuch aus dem Plan genommen") in audit_actions(db, "BM-1009")
    again = client.post("/woche/loesen", data={**data, "csrf": csrf(client)})
    assert again.status_code == 409 and "keinen veröffentlichten Besuch" in again.text


# --------------------------------------------------------------------------- re-plan, publish


def replan(client: TestClient) -> object:
    return client.post("/woche/neu-planen", data={"csrf": csrf(client), "von": "30.11.2026"})


def test_replan_shows_a_draft_with_every_case(client: TestClient, db: Path) -> None:
    before = publish(db)
    log_in(client, "lea")
    done = replan(client)
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert done.headers["location"] == "/woche?von=30.11.2026&entwurf=1"  # type: ignore[attr-defined]
    html = client.get("/woche?von=30.11.2026&entwurf=1").text
    assert "Noch nicht veröffentlicht" in html
    found = re.search(r"<strong>(\d+)</strong> Besuche? eingeplant,\s*<strong>(\d+)</strong>", html)
    assert found is not None
    planned, unplanned = int(found.group(1)), int(found.group(2))
    assert planned + unplanned == 86 and "zusammen alle 86 Fälle" in html
    # The three pins and the four fixed appointments of the client list (BM-1066 …
    # BM-1069); nobody else is due for a visit yet.
    assert planned == 7 and "Nicht eingeplant (79)" in html
    assert "Änderungen gegenüber dem veröffentlichten Plan (4)" in html
    assert html.count('<span class="badge change-neu">neu</span>') == 4
    assert "erst anrufen (Anrufliste)" in html  # the reasons, grouped
    assert "BM-1007" in day_section(html, TUE)
    assert publication(db) == before  # a draft publishes nothing
    assert ("lea", "Neuplanung berechnet") in audit_actions(db)
    # The published view says a draft is waiting.
    assert "Es gibt einen Entwurf" in client.get("/woche").text


def test_draft_lists_the_changes(client: TestClient, db: Path) -> None:
    declined = PinnedVisit("BM-1003", "anna", datetime(2026, 12, 1, 14, 0), 60)
    with store_of(db) as store:  # a pin of a declined (closed) case: the re-plan drops it
        store.publish(MONDAY, 5, (*PINS, declined), user="lea", at=datetime(2026, 11, 29, 12))
    log_in(client, "lea")
    replan(client)
    html = client.get("/woche?entwurf=1").text
    assert "Änderungen gegenüber dem veröffentlichten Plan (5)" in html  # 4 new, 1 dropped
    dropped = html[html.index('href="/faelle/BM-1003"') :].split("</tr>", 1)[0]
    assert "entfällt" in dropped and "Di 01.12. 14:00 · Anna Becker" in dropped
    assert "abgelehnt" in dropped  # why: the person declined


def test_publish_creates_a_new_publication(client: TestClient, db: Path) -> None:
    before = publish(db)
    log_in(client, "lea")
    replan(client)
    draft = client.app.state.week_drafts.get("lea", MONDAY)  # type: ignore[attr-defined]
    done = client.post("/woche/veroeffentlichen", data={"csrf": csrf(client), "von": "30.11.2026"})
    assert done.status_code == 303
    assert done.headers["location"] == "/woche?von=30.11.2026&hinweis=veroeffentlicht"
    after = publication(db)
    assert after is not None and after.id != before.id and after.published_by == "lea"
    # Exactly the draft that was shown: the pins where they were, the four appointments.
    assert after.visits == pins_of(draft.result.plan)
    assert set(PINS) <= set(after.visits)
    fixed = {f"BM-{n}" for n in range(1066, 1070)}
    assert {p.case_id for p in after.visits} == {p.case_id for p in PINS} | fixed
    html = client.get(done.headers["location"]).text
    assert "Der Plan ist veröffentlicht" in html and "Es gibt einen Entwurf" not in html
    # The draft is used up.
    again = client.post("/woche/veroeffentlichen", data={"csrf": csrf(client), "von": "30.11.2026"})
    assert again.headers["location"].endswith("hinweis=kein-entwurf")
    assert publication(db) == after


def test_a_stale_draft_is_not_published(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    replan(client)
    move(client, "BM-1009", "jonas", WED, "13:00")  # the plan changes after the draft
    moved = publication(db)
    done = client.post("/woche/veroeffentlichen", data={"csrf": csrf(client), "von": "30.11.2026"})
    assert done.headers["location"].endswith("hinweis=veraltet")
    assert "bitte neu planen" in client.get(done.headers["location"]).text.lower()
    assert publication(db) == moved


def test_discard_the_draft(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    replan(client)
    done = client.post("/woche/verwerfen", data={"csrf": csrf(client), "von": "30.11.2026"})
    assert done.headers["location"].endswith("hinweis=verworfen")
    assert "Noch nicht veröffentlicht" not in client.get("/woche?entwurf=1").text


def test_a_past_week_is_not_planned(client: TestClient, clock: Clock) -> None:
    log_in(client, "lea")
    page = client.get("/woche?von=23.11.2026").text
    assert "Diese Woche ist vorbei" in page and 'action="/woche/neu-planen"' not in page
    done = client.post("/woche/neu-planen", data={"csrf": csrf(client), "von": "23.11.2026"})
    assert done.headers["location"].endswith("hinweis=vergangen")


def test_planning_range() -> None:
    assert week.planning_range(MONDAY, date(2026, 11, 27)) == (MONDAY, 5)
    assert week.planning_range(MONDAY, MONDAY) == (MONDAY, 5)
    assert week.planning_range(MONDAY, date(2026, 12, 2)) == (date(2026, 12, 2), 3)
    assert week.planning_range(MONDAY, date(2026, 12, 5)) is None


# --------------------------------------------------------------------------- sheets


def test_route_sheet_renders_with_linked_css(client: TestClient, db: Path) -> None:
    publish(db)
    log_in(client, "lea")
    sheet = client.get("/woche/laufzettel/anna/2026-12-01")
    assert sheet.status_code == 200
    html = sheet.text
    assert "Tourenplan Dienstag, 01.12.2026" in html and "Anna Becker" in html
    assert "BM-1007" in html and "Mara Neumann" in html and "BM-1009" in html
    assert '<link rel="stylesheet" href="/woche/laufzettel/anna/2026-12-01/druck.css">' in html
    assert "<style" not in html and " style=" not in html  # the app's CSP forbids both
    assert 'href="/woche?von=30.11.2026"' in html
    css = client.get("/woche/laufzettel/anna/2026-12-01/druck.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@page" in css.text and "Anna Becker · 01.12.2026" in css.text
    assert ("lea", "Laufzettel geöffnet") in audit_actions(db, "BM-1007")
    assert client.get("/woche/laufzettel/mira/2026-12-01").status_code == 404  # no tour
    assert client.get("/woche/laufzettel/niemand/2026-12-01").status_code == 404
    assert client.get("/woche/laufzettel/anna/gestern").status_code == 404


# --------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize(
    "path",
    ["/woche/verschieben", "/woche/loesen", "/woche/neu-planen", "/woche/veroeffentlichen",
     "/woche/verwerfen"],  # fmt: skip
)
def test_every_post_needs_the_csrf_token(client: TestClient, db: Path, path: str) -> None:
    before = publish(db)
    log_in(client, "lea")
    data = {"von": "30.11.2026", "kunden_nr": "BM-1009", "coach": "jonas",
            "tag": "2026-12-02", "zeit": "13:00"}  # fmt: skip
    for token in (None, "falsch"):
        sent = data if token is None else {**data, "csrf": token}
        refused = client.post(path, data=sent)
        assert refused.status_code == 403 and "Formular ist abgelaufen" in refused.text
    assert publication(db) == before
