"""Heute: the coach's tour of today, outcomes at the door, fill-ins, changes since print.

Also the workflow functions behind it (:func:`coach_day`, :func:`day_off_reason`,
:func:`attempts_on`, :func:`fill_in_cases`).
"""

# The fixtures come from tests.webapp by import; their parameters "redefine" them.
# ruff: noqa: F811

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome
from planner.campaign.model import Attempt
from planner.model import Coach
from planner.render._format import km_de, minutes_de
from planner.roads.context import road_context
from planner.solve import SolutionLimit
from planner.web import create_app, passwords
from planner.workflow import (
    attempts_on,
    coach_day,
    day_off_reason,
    fill_in_cases,
    fill_ins_after_miss,
    move_visit,
    plan_from_store,
    record_attempts,
)
from tests.webapp import (  # noqa: F401 (client, clock, seeded_template: fixtures)
    CHEAP,
    DAY,
    TEAM_FILE,
    Clock,
    client,
    clock,
    csrf,
    log_in,
    seeded_template,
    store_of,
    team,
)

#: Appointments agreed on the phone last week; the published plan of Monday pins them.
APPOINTMENTS = (
    ("BM-1005", "anna", 10, 0),  # Café: meets at the Stadtbibliothek, Wetzlar
    ("BM-1006", "anna", 11, 30),
    ("BM-1007", "anna", 14, 0),
    ("BM-1008", "jonas", 10, 0),
)
PRINTED = datetime(2026, 11, 29, 16, 0)  # the plan was published (and printed) on Sunday


def publish_monday(path: Path) -> None:
    """Monday's plan published from the seeded store: Anna 3 visits, Jonas 1."""
    with store_of(path) as store:
        at = datetime(2026, 11, 27, 11, 0)
        agreed = [
            Attempt(case, at, coach, AttemptKind.CALL, Outcome.APPOINTMENT,
                    appointment=datetime(2026, 11, 30, hour, minute))
            for case, coach, hour, minute in APPOINTMENTS
        ]  # fmt: skip
        record_attempts(store, agreed, user="import", now=at)
        plan_from_store(store, team(), DAY, 1, SolutionLimit(20), today=DAY, publish=True,
                        user="lea", now=PRINTED)  # fmt: skip


@pytest.fixture(scope="session")
def published_template(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("heute") / "vorlage.db"
    shutil.copyfile(seeded_template, path)
    publish_monday(path)
    return path


@pytest.fixture
def db(published_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seeded store with Monday's published plan (replaces tests.webapp's ``db``)."""
    monkeypatch.setattr(passwords, "_HASHER", CHEAP)
    path = tmp_path / "kampagne.db"
    shutil.copyfile(published_template, path)
    return path


def app_on(db: Path, day: date, clock: Clock) -> Iterator[TestClient]:
    app = create_app(str(db), TEAM_FILE, secret=b"t" * 32, today=lambda: day, now=clock.now)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def stop_ids(html: str) -> list[str]:
    """Kunden-Nr of the tour's stops, in stop order."""
    return re.findall(r'<p class="person"><a href="/faelle/[^"]+" class="id">([^<]+)</a>', html)


def map_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="karte-daten">(.*?)</script>', html)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def attempts(db: Path, case_id: str) -> list[Attempt]:
    with store_of(db) as store:
        return list(store.attempts(case_id))


def audit(db: Path, case_id: str | None = None) -> list[tuple[str, str, str]]:
    with store_of(db) as store:
        return [(e.user, e.action, e.detail) for e in store.audit(case_id)]


def door(client: TestClient, case_id: str, outcome: str, **fields: str) -> Any:
    data = {"csrf": csrf(client, "/heute"), "kunden_nr": case_id, "ergebnis": outcome, **fields}
    return client.post("/heute/ergebnis", data=data)


# --------------------------------------------------------------------------- who sees what


def test_coach_sees_own_tour_with_call_navigation_and_map(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    page = client.get("/heute")
    assert page.status_code == 200
    assert stop_ids(page.text) == ["BM-1005", "BM-1006", "BM-1007"]
    assert "BM-1008" not in page.text  # Jonas' visit
    assert "Tour von Anna Becker" in page.text and "Montag, 30.11.2026" in page.text
    assert "Treffpunkt" in page.text and "Stadtbibliothek, Wetzlar" in page.text
    assert re.search(r'href="tel:\d+"', page.text)  # tap to call
    assert re.search(r'href="geo:50\.\d{6},8\.\d{6}\?q=50\.\d{6},8\.\d{6}"', page.text)
    assert "Start: Jobcenter Wetzlar" in page.text and "Anfahrt" in page.text
    assert "Änderungen seit dem Ausdruck" not in page.text  # nothing changed yet
    data = map_data(page.text)
    assert [s["nr"] for s in data["stops"]] == [1, 2, 3]  # type: ignore[index]
    assert data["outline"]["type"] == "FeatureCollection"  # type: ignore[index]
    assert '<script src="/static/vendor/leaflet/leaflet.js"' in page.text
    assert "https://" not in page.text  # nothing from outside (no tiles, no CDN)
    (read,) = [e for e in audit(db) if e[1] == "Tagestour angesehen"]
    assert read == ("anna", "Tagestour angesehen", "anna, 30.11.2026: 3 Besuche")


def test_coach_gets_403_for_another_coachs_tour(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    assert client.get("/heute?coach=anna").status_code == 200  # her own: fine
    other = client.get("/heute?coach=jonas")
    assert other.status_code == 403 and "BM-1008" not in other.text
    assert ("anna", "Zugriff verweigert", "Heute von jonas") in audit(db)


def test_lead_picks_a_coach(client: TestClient) -> None:
    log_in(client, "lea")
    first = client.get("/heute")
    assert first.status_code == 200 and 'name="coach"' in first.text  # the selector
    assert stop_ids(first.text) == ["BM-1005", "BM-1006", "BM-1007"]  # first coach: Anna
    jonas = client.get("/heute?coach=jonas")
    assert stop_ids(jonas.text) == ["BM-1008"] and "Tour von Jonas Hofmann" in jonas.text
    assert client.get("/heute?coach=niemand").status_code == 404


def test_account_without_coach_key_has_no_tour(client: TestClient) -> None:
    log_in(client, "ohne")
    page = client.get("/heute")
    assert page.status_code == 200 and "keine Coach-Kennung" in page.text


# --------------------------------------------------------------------------- outcomes


def test_outcome_at_the_door_is_recorded_and_audited(
    client: TestClient, db: Path, clock: Clock
) -> None:
    log_in(client, "anna")
    clock.advance(hours=1, minutes=5)  # 10:05 at BM-1005's door
    done = door(client, "BM-1005", "angetroffen", wiedervorlage="2026-12-14", notiz="Gut.")
    assert done.status_code == 303
    target = done.headers["location"]
    assert target == "/heute?erfasst=BM-1005&ergebnis=angetroffen#hinweis"
    last = attempts(db, "BM-1005")[-1]
    assert (last.kind, last.outcome, last.coach) == (AttemptKind.VISIT, Outcome.MET, "anna")
    assert last.at == datetime(2026, 11, 30, 10, 5) and last.follow_up == date(2026, 12, 14)
    assert (last.recorded_by, last.note, last.source) == ("anna", "Gut.", "App, Heute")
    assert ("anna", "Ergebnis erfasst", "Besuch: angetroffen") in audit(db, "BM-1005")
    page = client.get(target)
    assert "Gespeichert: <strong>BM-1005 – angetroffen</strong>" in page.text
    assert "Wiedervorlage am 14.12.2026" in page.text
    assert "Erfasst 10:05: <strong>angetroffen</strong>" in page.text
    assert stop_ids(page.text) == ["BM-1005", "BM-1006", "BM-1007"]  # the stop stays
    assert "1 erfasst" in page.text


def test_not_met_shows_the_fill_ins(client: TestClient, db: Path, clock: Clock) -> None:
    log_in(client, "anna")
    clock.advance(hours=1)  # 10:00 at the door of BM-1005, next visit 11:30
    done = door(client, "BM-1005", "nicht_angetroffen")
    target = done.headers["location"]
    assert "verpasst=BM-1005" in target
    page = client.get(target)
    assert "Nicht angetroffen (BM-1005) – diese offenen Fälle passen noch in den Tag" in page.text
    with store_of(db) as store:
        expected = fill_ins_after_miss(store, team(), "BM-1005", clock.now())
    assert expected  # the demo district has open cases near Wetzlar
    for fill in expected:
        assert fill.case_id in page.text and fill.explanation in page.text
        assert f"{fill.extra_driving_min:+d} min Fahrt" in page.text
    fills = page.text[page.text.index('class="fill-list"') : page.text.index("</ol>")]
    assert fills.count('href="geo:') == len(expected)  # a navigation link each
    assert ("anna", "Ersatzbesuche angesehen", f"{len(expected)} Vorschläge") in audit(
        db, "BM-1005"
    )
    # Without a recorded miss the query alone shows nothing.
    assert "diese offenen Fälle" not in client.get("/heute?verpasst=BM-1006").text
    assert 'href="/heute?verpasst=BM-1005#ersatz"' in client.get("/heute").text  # again later
    clock.advance(minutes=30)  # later nothing fits before 11:30 any more
    assert "Kein offener Fall passt noch in den Rest des Tages" in client.get(target).text


def test_follow_up_appointment_at_the_door(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    before = len(attempts(db, "BM-1006"))
    missing = door(client, "BM-1006", "termin_vereinbart", termin_datum="2026-12-07")
    assert missing.status_code == 400
    assert "Für den Folgetermin bitte Datum und Uhrzeit angeben." in missing.text
    past = door(client, "BM-1006", "termin_vereinbart", termin_datum="2026-11-30",
                termin_zeit="08:00")  # fmt: skip
    assert past.status_code == 400 and "in der Vergangenheit" in past.text
    assert len(attempts(db, "BM-1006")) == before  # nothing stored
    done = door(client, "BM-1006", "termin_vereinbart", termin_datum="2026-12-07",
                termin_zeit="10:30")  # fmt: skip
    assert done.status_code == 303
    last = attempts(db, "BM-1006")[-1]
    assert (last.kind, last.outcome) == (AttemptKind.VISIT, Outcome.APPOINTMENT)
    assert last.appointment == datetime(2026, 12, 7, 10, 30) and last.coach == "anna"
    page = client.get(done.headers["location"])
    assert "Folgetermin 07.12.2026 10:30 ist eingetragen." in page.text


def test_declined_closes_the_case_and_the_stop_leaves_the_tour(
    client: TestClient, db: Path
) -> None:
    log_in(client, "anna")
    door(client, "BM-1007", "abgelehnt")
    with store_of(db) as store:
        case = store.case("BM-1007")
    assert case is not None and case.status is CaseStatus.CLOSED
    page = client.get("/heute?erfasst=BM-1007&ergebnis=abgelehnt")
    assert "Der Fall ist damit abgeschlossen." in page.text
    assert stop_ids(page.text) == ["BM-1005", "BM-1006"]
    assert "Heute erfasst, nicht mehr in der Tour" in page.text


def test_lead_records_for_the_selected_coach(client: TestClient, db: Path) -> None:
    log_in(client, "lea")
    done = door(client, "BM-1008", "angetroffen", coach="jonas")
    assert done.headers["location"].startswith("/heute?coach=jonas&")
    last = attempts(db, "BM-1008")[-1]
    assert (last.coach, last.recorded_by, last.outcome) == ("jonas", "lea", Outcome.MET)


def test_coach_cannot_record_at_another_coachs_stop(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    before = len(attempts(db, "BM-1008"))
    refused = door(client, "BM-1008", "angetroffen")
    assert refused.status_code == 403
    other = door(client, "BM-1005", "angetroffen", coach="jonas")  # as another coach
    assert other.status_code == 403
    bad = door(client, "BM-1005", "erreicht")  # a phone outcome, not one at the door
    assert bad.status_code == 400
    assert len(attempts(db, "BM-1008")) == before
    assert ("anna", "Zugriff verweigert", "Heute (Ergebnis)") in audit(db, "BM-1008")


def test_csrf_required(client: TestClient, db: Path) -> None:
    log_in(client, "anna")
    before = len(attempts(db, "BM-1005"))
    data = {"kunden_nr": "BM-1005", "ergebnis": "angetroffen"}
    assert client.post("/heute/ergebnis", data=data).status_code == 403
    wrong = client.post("/heute/ergebnis", data={**data, "csrf": "falsch"})
    assert wrong.status_code == 403 and "Formular ist abgelaufen" in wrong.text
    assert len(attempts(db, "BM-1005")) == before


# --------------------------------------------------------------------------- changes, days off


def test_changes_since_print_after_a_move(client: TestClient, db: Path, clock: Clock) -> None:
    with store_of(db) as store:
        move_visit(store, team(), "BM-1007", "jonas", datetime(2026, 11, 30, 13, 0), user="lea",
                   now=clock.now())  # fmt: skip
    log_in(client, "anna")
    anna = client.get("/heute").text
    assert "Änderungen seit dem Ausdruck" in anna
    assert "entfällt" in anna and "BM-1007" in anna
    assert stop_ids(anna) == ["BM-1005", "BM-1006"]
    client.post("/logout", data={"csrf": csrf(client, "/heute")})
    log_in(client, "jonas")
    jonas = client.get("/heute").text
    assert "Änderungen seit dem Ausdruck" in jonas and "neu: 30.11. 13:00 bei jonas" in jonas
    assert stop_ids(jonas) == ["BM-1008", "BM-1007"]


def test_day_without_a_tour_says_why(db: Path, clock: Clock) -> None:
    for day, user, reason in (
        (date(2026, 12, 25), "anna", "Feiertag (Erster Weihnachtstag)"),
        (date(2026, 12, 1), "anna", "Für heute ist noch kein Plan veröffentlicht."),
        (DAY, "ohne", "keine Coach-Kennung"),
    ):
        for test_client in app_on(db, day, clock):
            log_in(test_client, user)
            page = test_client.get("/heute")
            assert page.status_code == 200 and reason in page.text, (day, reason)
    for test_client in app_on(db, DAY, clock):
        log_in(test_client, "lea")
        mira = test_client.get("/heute?coach=mira").text  # works Mondays, no visits
        assert "Im veröffentlichten Plan hat Mira Schulz heute keine Besuche." in mira
    for test_client in app_on(db, date(2026, 12, 5), clock):  # a Saturday
        log_in(test_client, "anna")
        assert "Samstag ist laut Teamdatei kein Arbeitstag" in test_client.get("/heute").text


# --------------------------------------------------------------------------- workflow


def test_coach_day_and_attempts_on(db: Path) -> None:
    with store_of(db) as store:
        day = coach_day(store, team(), DAY, "anna")
        assert day.published and day.day_off == "" and day.changes == ()
        assert [s.visit.client.id for t in day.tours for s in t.stops] == [
            "BM-1005", "BM-1006", "BM-1007",
        ]  # fmt: skip
        assert day.visits == ()
        at = datetime(2026, 11, 30, 10, 5)
        record_attempts(store, (Attempt("BM-1005", at, "anna", AttemptKind.VISIT,
                                        Outcome.NOT_MET),), user="anna", now=at)  # fmt: skip
        assert [a.case_id for a in coach_day(store, team(), DAY, "anna").visits] == ["BM-1005"]
        assert [a.case_id for a in attempts_on(store, DAY, coach="anna")] == ["BM-1005"]
        assert attempts_on(store, DAY, coach="anna", kind=AttemptKind.CALL) == ()
        assert len(attempts_on(store, date(2026, 11, 27))) == 7  # the seed's calls
        fills = fill_in_cases(store, team(), "BM-1005", at)
        assert [f.case_id for f, _ in fills] == [c.id for _, c in fills]
        assert [f.case_id for f, _ in fills] == [
            f.case_id for f in fill_ins_after_miss(store, team(), "BM-1005", at)
        ]
        with pytest.raises(ValueError):
            coach_day(store, team(), DAY, "niemand")


def test_day_off_reason() -> None:
    coach = Coach("x", "X", "wetzlar", "wetzlar", ((0, 480, 960), (1, 480, 960)),
                  absent=((date(2026, 12, 1), date(2026, 12, 4)),))  # fmt: skip
    assert day_off_reason(coach, DAY) == ""
    assert day_off_reason(coach, date(2026, 12, 1)) == "abwesend (laut Teamdatei)"
    assert day_off_reason(coach, date(2026, 12, 2)) == "Mittwoch ist laut Teamdatei kein Arbeitstag"
    assert day_off_reason(coach, date(2026, 12, 28)) == ""
    assert day_off_reason(coach, date(2027, 1, 1)) == "Feiertag (Neujahr)"


# --------------------------------------------------------------------------- road options


def test_the_app_shows_the_driving_times_it_was_started_with(
    db: Path, clock: Clock, tmp_path: Path
) -> None:
    """``planner web --kalibrierung`` (like ``--strassen`` or the team's OSRM server): the
    coach's day shows the driving times of that provider, as ``planner plan`` with the
    same option would, and says where they come from."""
    slow = tmp_path / "kalibrierung.json"
    slow.write_text(json.dumps({"detour_factor": 1.6, "speed_short_kmh": 18,
                                "speed_long_kmh": 25}), encoding="utf-8")  # fmt: skip
    roads = road_context(calibration=slow)
    assert roads.travel is not None
    pages = {}
    for label, given in (("default", None), ("calibrated", roads)):
        app = create_app(str(db), TEAM_FILE, secret=b"t" * 32, today=lambda: DAY,
                         now=clock.now, roads=given)  # fmt: skip
        with TestClient(app, follow_redirects=False) as web:
            log_in(web, "anna")
            pages[label] = web.get("/heute").text
    drives = {k: re.findall(r'<p class="drive small muted">Anfahrt ([^<]+)</p>', v)
              for k, v in pages.items()}  # fmt: skip
    minutes = {k: [int(d.split(" min")[0]) for d in v] for k, v in drives.items()}
    assert len(minutes["default"]) == len(minutes["calibrated"]) == 3
    # Slower and longer where the coach drives (the first stop is next to the office).
    assert all(s >= d for s, d in zip(minutes["calibrated"], minutes["default"], strict=True))
    assert sum(minutes["calibrated"]) > sum(minutes["default"]) + 20
    with store_of(db) as store:
        (tour,) = coach_day(store, team(), DAY, "anna", travel=roads.travel).tours
    assert drives["calibrated"] == [
        f"{minutes_de(s.travel_min)} · {km_de(s.distance_m)}" for s in tour.stops
    ]
    assert "Fahrzeiten geschätzt (Luftlinie × Umwegfaktor)." in pages["default"]
    assert f"{roads.travel.description}" in pages["calibrated"]


def test_the_app_geocodes_with_the_resolver_it_was_started_with(db: Path) -> None:
    """Imported lists are geocoded with the road data's address index (``--strassen``)
    before the gazetteer: every blocking call of the app runs with that resolver."""
    import asyncio

    from planner.geocode import configured_resolver
    from planner.geocode.gazetteer import default_gazetteer
    from planner.geocode.meeting import MemoResolver
    from planner.roads.context import RoadContext

    resolver = MemoResolver(default_gazetteer())
    app = create_app(str(db), TEAM_FILE, secret=b"t" * 32, today=lambda: DAY,
                     roads=RoadContext(resolver=resolver))  # fmt: skip
    ctx = app.state.ctx
    assert asyncio.run(ctx.run(configured_resolver)) is resolver
    assert asyncio.run(ctx.write(configured_resolver)) is resolver
    assert configured_resolver() is default_gazetteer()  # outside the app's calls: unchanged
    plain = create_app(str(db), TEAM_FILE, secret=b"t" * 32, today=lambda: DAY).state.ctx
    assert asyncio.run(plain.run(configured_resolver)) is default_gazetteer()
