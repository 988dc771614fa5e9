"""The campaign store on SQLite and on PostgreSQL: what a user relies on.

Every test that takes ``store`` or ``db_url`` runs on both backends. PostgreSQL comes
from ``tests/pg.py`` (``PLANNER_TEST_PG_URL`` or a throw-away cluster); without one the
PostgreSQL cases are skipped, except under CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import stat
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome
from planner.campaign.model import Attempt, Case, PinnedVisit
from planner.model import Address, Client, Precision, Site, VisitPlace, WeeklyWindow
from planner.store import AuditEntry, ImportSummary, Role, Store, StoreError, UnknownCase
from planner.store.repository import MIGRATIONS_DIR, create_engine_for, migrate
from planner.store.schema import metadata

DAY1, DAY2, DAY3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)
NAME, PHONE, STREET = "Jürgen Müller-Weiß", "06441 123456", "Bahnhofstraße 5"
WETZLAR = (50.552535, 8.507441)  # the municipality's point in the embedded geodata
#: An argon2 hash (of "korrekt-pferd-batterie"); the store refuses anything else.
HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$QMOdwQUMF226Sbiw//N5yg$"
    "mDG0fFDXqOhqwVVVwLmVh0Nk5enhuUco0MOk2vBcmIY"
)


# --------------------------------------------------------------------------- fixtures


def make_case(case_id: str, *, row: int = 2, phone: str = "", street: str = "") -> Case:
    client = Client(case_id, row, Address(street, "35578", "Wetzlar"), phone=phone)
    site = Site(50.55, 8.50, "Wetzlar", "06532023", "", Precision.MUNICIPALITY, "Wetzlar")
    return Case(client, site)


def full_case() -> Case:
    """Every field set, umlauts included."""
    client = Client(
        id="K-1001",
        row=7,
        address=Address(STREET, "35578", "Wetzlar", "Nauborn"),
        name=NAME,
        phone=PHONE,
        priority=1,
        last_contact=date(2026, 10, 1),
        visit_place=VisitPlace.CAFE,
        availability=(WeeklyWindow(1, 540, 720), WeeklyWindow(3, 840, 1020)),
        appointment=datetime(2026, 12, 8, 10, 30),
        duration_min=45,
        notes="Klingel defekt; lieber nachmittags",
        manual_position=(50.5401234567, 8.4987654321),
        meeting_place="Café Größenwahn, Marktplatz",
    )
    site = Site(
        50.5401234567, 8.4987654321, "Wetzlar", "06532023", "Nauborn", Precision.MANUAL,
        "Wetzlar", "Café Größenwahn, Marktplatz",
    )  # fmt: skip
    return Case(client, site, first_seen=date(2026, 10, 20))


def full_attempt(case_id: str = "K-1001", **changes: object) -> Attempt:
    attempt = Attempt(
        case_id=case_id,
        at=datetime(2026, 11, 3, 10, 15, 30, 123456),
        coach="jörg",
        kind=AttemptKind.CALL,
        outcome=Outcome.APPOINTMENT,
        appointment=datetime(2026, 11, 10, 14, 0),
        place=VisitPlace.CAFE,
        follow_up=date(2026, 11, 20),
        note="möchte über Weiterbildung sprechen",
        time_known=True,
        recorded_by="ergebnisse.csv",
        recorded_at=datetime(2026, 11, 3, 18, 0),
        source="ergebnisse.csv, Zeile 4",
    )
    return replace(attempt, **changes)  # type: ignore[arg-type]


def imported(store: Store, *cases: Case, today: date = DAY1, user: str = "anna") -> ImportSummary:
    return store.import_cases(cases, today=today, user=user, source="kunden.csv")


# --------------------------------------------------------------------------- import


def test_import_counts_new_updated_unchanged_missing(store: Store) -> None:
    assert imported(store, make_case("A"), make_case("B"), make_case("C")) == ImportSummary(
        new=3, updated=0, unchanged=0, missing=()
    )
    # A moved down the list (row only), B has a new phone, C is gone, D is new.
    second = imported(
        store, make_case("A", row=9), make_case("B", phone="0170 1"), make_case("D"), today=DAY2
    )
    assert second == ImportSummary(new=1, updated=1, unchanged=1, missing=("C",))
    a_case = store.case("A")
    assert a_case is not None and a_case.client.row == 9  # the row is kept up to date
    assert [c.id for c in store.cases()] == ["A", "B", "C", "D"]


def test_missing_case_is_kept_marked_and_cleared_when_it_reappears(store: Store) -> None:
    imported(store, make_case("A"), make_case("C"))
    imported(store, make_case("A"), today=DAY2)
    imported(store, make_case("A"), today=DAY3)  # still missing: the first day stays
    missing = store.case("C")
    assert missing is not None and missing.missing_since == DAY2
    assert missing.first_seen == DAY1 and missing.status is CaseStatus.OPEN

    summary = imported(store, make_case("A"), make_case("C"), today=DAY3)
    assert summary.missing == () and summary.unchanged == 2
    back = store.case("C")
    assert back is not None and back.missing_since is None
    assert [e.action for e in store.audit("C")] == ["neu", "fehlt in Liste", "wieder in Liste"]


def test_closed_case_stays_closed_on_reimport(store: Store) -> None:
    imported(store, make_case("A"), make_case("B"))
    store.set_status("A", CaseStatus.CLOSED, on=DAY2, by_outcome=Outcome.DECLINED, user="ben")
    summary = imported(store, make_case("A", phone="0170 2"), today=DAY3)
    assert summary == ImportSummary(new=0, updated=1, unchanged=0, missing=("B",))
    case = store.case("A")
    assert case is not None and case.client.phone == "0170 2"
    assert (case.status, case.closed_on, case.closed_by) == (
        CaseStatus.CLOSED, DAY2, Outcome.DECLINED,
    )  # fmt: skip
    imported(store, make_case("B"), today=DAY3)  # a closed case missing from the list …
    closed = store.case("A")
    assert closed is not None and closed.missing_since is None  # … is not planned anyway


def test_case_round_trip_keeps_every_field(store: Store) -> None:
    bare = Case(Client("Ä-2", 3, Address(place="Aßlar")), None)  # defaults, no position
    imported(store, full_case(), bare)
    assert store.case("K-1001") == full_case()
    assert store.case("Ä-2") == replace(bare, first_seen=DAY1)
    assert store.case("nobody") is None
    assert imported(store, full_case(), bare, today=DAY2).unchanged == 2


def test_cases_are_ordered_by_kunden_nr(store: Store) -> None:
    ids = ["b-2", "B-10", "a", "Ä-1", "10", "9"]
    imported(store, *(make_case(i) for i in ids))
    assert [c.id for c in store.cases()] == sorted(ids)


def test_duplicate_kunden_nr_in_one_list_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="mehrfach"):
        imported(store, make_case("A"), make_case("A"))
    assert store.cases() == ()


# --------------------------------------------------------------------------- attempts


def test_attempts_round_trip_exactly(store: Store) -> None:
    imported(store, full_case())
    bare = Attempt("K-1001", datetime(2026, 11, 2, 0, 0), "ben", AttemptKind.LETTER, Outcome.SENT,
                   time_known=False)  # fmt: skip
    assert store.add_attempts([full_attempt(), bare], user="anna") == 2
    stored = store.attempts("K-1001")
    assert stored[1] == full_attempt()
    assert stored[0] == replace(bare, recorded_by="anna", recorded_at=stored[0].recorded_at)
    assert stored[0].recorded_at is not None  # "now" when not given
    assert (stored[0].appointment, stored[0].place, stored[0].follow_up) == (None, None, None)


def test_attempts_are_appended_in_order_of_time_then_entry(store: Store) -> None:
    imported(store, make_case("A"), make_case("B"))
    noon = datetime(2026, 11, 3, 12, 0)
    first = full_attempt("A", at=noon, note="erster")
    second = full_attempt("A", at=noon, note="zweiter")  # same time: order of entry
    earlier = full_attempt("A", at=datetime(2026, 11, 2, 9, 0), note="früher")
    other = full_attempt("B", at=datetime(2026, 11, 1, 9, 0))
    store.add_attempts([first, second], user="anna")
    store.add_attempts([earlier, other], user="anna")
    assert [a.note for a in store.attempts("A")] == ["früher", "erster", "zweiter"]
    assert [a.case_id for a in store.attempts()] == ["B", "A", "A", "A"]


def test_attempt_for_unknown_case_is_refused(store: Store) -> None:
    imported(store, make_case("A"))
    with pytest.raises(UnknownCase) as raised:
        store.add_attempts([full_attempt("A"), full_attempt("X-9")], user="anna")
    assert raised.value.case_ids == ("X-9",)
    assert store.attempts() == ()  # all or nothing


def test_text_and_times_both_backends_cannot_keep_are_refused(store: Store) -> None:
    imported(store, make_case("A"))
    with pytest.raises(StoreError, match="Nullzeichen"):
        store.add_attempts([full_attempt("A", note="a\x00b")], user="anna")
    aware = datetime(2026, 11, 3, 10, 0).astimezone()
    with pytest.raises(StoreError, match="Zeitzone"):
        store.add_attempts([full_attempt("A", at=aware)], user="anna")
    assert store.attempts() == ()


# No surrogates (not encodable) and no NUL (refused, see the test above).
_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=20)
_MOMENT = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
_ATTEMPTS = st.builds(
    Attempt,
    case_id=st.just("P-1"),
    at=_MOMENT,
    coach=_TEXT,
    kind=st.sampled_from(AttemptKind),
    outcome=st.sampled_from(Outcome),
    appointment=st.none() | _MOMENT,
    place=st.none() | st.sampled_from(VisitPlace),
    follow_up=st.none() | st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    note=_TEXT,
    time_known=st.booleans(),
    recorded_by=_TEXT,
    recorded_at=st.none() | _MOMENT,
    source=_TEXT,
)


@settings(
    max_examples=30,
    deadline=None,
    # One store for all examples on purpose: each example compares only what it added.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(attempt=_ATTEMPTS)
def test_any_attempt_reads_back_equal(store: Store, attempt: Attempt) -> None:
    if store.case("P-1") is None:
        imported(store, make_case("P-1"))
    before = Counter(store.attempts("P-1"))
    store.add_attempts([attempt], user="prop")
    added = list((Counter(store.attempts("P-1")) - before).elements())
    assert len(added) == 1
    expected = replace(
        attempt,
        recorded_by=attempt.recorded_by or "prop",
        recorded_at=attempt.recorded_at or added[0].recorded_at,
    )
    assert added == [expected]


# --------------------------------------------------------------------------- publications


def test_publish_and_find_the_newest_overlapping_publication(store: Store) -> None:
    imported(store, make_case("A"), make_case("B"))
    monday = date(2026, 12, 7)
    visits = (
        PinnedVisit("B", "ben", datetime(2026, 12, 8, 14, 30), 45, with_van=True),
        PinnedVisit("A", "anna", datetime(2026, 12, 7, 9, 0), 60),
    )
    week = store.publish(monday, 5, visits, user="anna", at=datetime(2026, 12, 4, 15, 0))
    assert week.visits == visits and week.published_by == "anna"
    assert store.publication(monday, 5) == week
    assert store.publication(date(2026, 12, 11), 1) == week  # its last day
    assert store.publication(date(2026, 12, 1), 7) == week  # overlaps its first day
    assert store.publication(date(2026, 12, 1), 6) is None  # ends the day before
    assert store.publication(date(2026, 12, 12), 7) is None  # starts the day after

    later = store.publish(date(2026, 12, 9), 3, (), user="ben", at=datetime(2026, 12, 8, 8, 0))
    assert later.id != week.id
    assert store.publication(monday, 5) == later  # the newest wins where both overlap
    assert store.publication(monday, 2) == week
    assert store.audit()[-1].action == "Plan veröffentlicht"


def test_publish_for_unknown_case_is_refused(store: Store) -> None:
    visit = PinnedVisit("X-1", "anna", datetime(2026, 12, 8, 9, 0), 60)
    with pytest.raises(UnknownCase):
        store.publish(date(2026, 12, 7), 5, [visit], user="anna", at=datetime(2026, 12, 4))
    assert store.publication(date(2026, 12, 7), 5) is None


# --------------------------------------------------------------------------- status, audit


def test_close_and_reopen_are_audited(store: Store) -> None:
    imported(store, make_case("A"))
    store.set_status("A", CaseStatus.CLOSED, on=DAY2, by_outcome=Outcome.MOVED, user="ben")
    closed = store.case("A")
    assert closed is not None and (closed.status, closed.closed_by) == (
        CaseStatus.CLOSED, Outcome.MOVED,
    )  # fmt: skip
    store.set_status("A", CaseStatus.OPEN, on=DAY3, by_outcome=None, user="carla")
    reopened = store.case("A")
    assert reopened is not None and reopened.status is CaseStatus.OPEN
    assert reopened.closed_on is None and reopened.closed_by is None
    entries = store.audit("A")
    assert [(e.user, e.action) for e in entries] == [
        ("anna", "neu"), ("ben", "abgeschlossen"), ("carla", "wieder geöffnet"),
    ]  # fmt: skip
    assert entries[1].detail == "am 09.11.2026, Ergebnis verzogen"
    with pytest.raises(UnknownCase):
        store.set_status("X", CaseStatus.CLOSED, on=DAY3, by_outcome=None, user="ben")


def test_audit_names_user_and_fields_never_personal_values(store: Store) -> None:
    imported(store, full_case())
    moved = replace(
        full_case().client,
        phone="0170 5555555",
        address=Address("Lahnstraße 1", "35578", "Wetzlar"),
    )
    imported(store, replace(full_case(), client=moved), user="ben", today=DAY2)
    store.add_attempts([full_attempt()], user="carla")
    store.set_status("K-1001", CaseStatus.CLOSED, on=DAY2, by_outcome=Outcome.DECLINED, user="ben")
    store.purge_closed(today=date(2029, 1, 1), after_days=730, user="dora")

    changed = [e for e in store.audit("K-1001") if e.action == "geändert"]
    assert [(e.user, e.detail) for e in changed] == [("ben", "Adresse, Telefon (Liste kunden.csv)")]
    personal = (NAME, "Müller", PHONE, "0170 5555555", STREET, "Lahnstraße", "Klingel",
                "Größenwahn", "Weiterbildung")  # fmt: skip
    for entry in store.audit():
        for value in personal:
            assert value not in f"{entry.user} {entry.action} {entry.detail}"
    assert {e.user for e in store.audit()} == {"anna", "ben", "dora"}
    summary = [e for e in store.audit() if e.case_id is None]
    assert summary[0].detail == "kunden.csv: 1 neu, 0 geändert, 0 unverändert, 0 fehlen"


def test_purge_blanks_personal_fields_and_keeps_statistics(store: Store) -> None:
    imported(store, full_case(), make_case("B", phone=PHONE), make_case("C", phone=PHONE))
    store.add_attempts([full_attempt(), full_attempt("B")], user="anna")
    store.set_status("K-1001", CaseStatus.CLOSED, on=date(2024, 1, 5), by_outcome=Outcome.DECLINED,
                     user="anna")  # fmt: skip
    store.set_status("B", CaseStatus.CLOSED, on=date(2026, 1, 5), by_outcome=None, user="anna")

    assert store.purge_closed(today=date(2026, 2, 1), after_days=730, user="dora") == 1
    assert store.purge_closed(today=date(2026, 2, 1), after_days=730, user="dora") == 0

    purged = store.case("K-1001")
    assert purged is not None and purged.site is not None
    client = purged.client
    assert (client.name, client.phone, client.address.street, client.notes) == ("", "", "", "")
    assert client.meeting_place == purged.site.meeting_place == ""
    assert client.manual_position is None
    # The home position is gone; the municipality's point stands in for it.
    assert (purged.site.lat, purged.site.lon) == WETZLAR
    assert purged.site.precision is Precision.MUNICIPALITY
    # Statistics stay.
    assert (purged.id, purged.site.municipality, purged.site.ags) == (
        "K-1001", "Wetzlar", "06532023",
    )  # fmt: skip
    assert client.address.postcode == "35578" and client.last_contact == date(2026, 10, 1)
    assert (purged.status, purged.closed_on, purged.closed_by, purged.first_seen) == (
        CaseStatus.CLOSED, date(2024, 1, 5), Outcome.DECLINED, date(2026, 10, 20),
    )  # fmt: skip
    (attempt,) = store.attempts("K-1001")
    assert attempt == replace(full_attempt(), note="")  # only the note goes
    # Closed too recently, or open: untouched.
    for case_id in ("B", "C"):
        kept = store.case(case_id)
        assert kept is not None and kept.client.phone == PHONE
    assert store.attempts("B")[0].note == full_attempt().note
    assert store.audit("K-1001")[-1].action == "personenbezogene Daten gelöscht"


# --------------------------------------------------------------------------- accounts


def test_accounts_keep_role_coach_and_hash_and_are_audited(store: Store) -> None:
    created = store.add_user(" Anna ", Role.COACH, HASH, "anna", user="admin")
    assert store.user("ANNA") == created and created.name == "anna"
    assert "argon2" not in repr(created)  # the hash stays out of logs and tracebacks
    with pytest.raises(StoreError, match="gibt es schon"):
        store.add_user("anna", Role.LEAD, HASH, None, user="admin")
    with pytest.raises(StoreError, match="argon2"):
        store.add_user("ben", Role.LEAD, "geheim-geheim-123", None, user="admin")
    with pytest.raises(StoreError, match="Benutzernamen"):
        store.add_user("a b", Role.LEAD, HASH, None, user="admin")
    assert [u.name for u in store.users()] == ["anna"]
    assert store.user("nobody") is None and store.user("") is None
    assert [(e.user, e.action, e.detail) for e in store.audit()] == [
        ("admin", "Benutzer angelegt", "Benutzer anna, Rolle Coach"),
    ]  # fmt: skip


def test_new_password_ends_the_logins(store: Store) -> None:
    store.add_user("anna", Role.COACH, HASH, "anna", user="admin")
    at = datetime(2026, 11, 30, 8, 0)
    store.start_web_session("k1", "anna", "c1", at=at)
    session = store.web_session("k1")
    assert session is not None and session.user.name == "anna" and session.csrf == "c1"
    new_hash = HASH.replace("mDG0", "nDG0")
    store.set_password("anna", new_hash, user="anna")
    assert store.web_session("k1") is None
    user = store.user("anna")
    assert user is not None and user.password_hash == new_hash
    with pytest.raises(StoreError, match="gibt es nicht"):
        store.set_password("ben", HASH, user="anna")


def test_web_sessions_end_on_logout_and_when_old(store: Store) -> None:
    store.add_user("anna", Role.COACH, HASH, "anna", user="admin")
    t0 = datetime(2026, 11, 30, 8, 0)
    for key in ("a", "b", "c"):
        store.start_web_session(key, "anna", "x", at=t0)
    store.touch_web_session("b", at=datetime(2026, 11, 30, 12, 0))
    store.end_web_session("a", at=datetime(2026, 11, 30, 9, 0))
    assert store.web_session("a") is None
    removed = store.prune_web_sessions(
        created_before=datetime(2026, 11, 30, 0, 0), seen_before=datetime(2026, 11, 30, 11, 0)
    )
    assert removed == 1  # c was idle; b was seen at 12:00
    assert store.web_session("c") is None and store.web_session("b") is not None
    assert [e.action for e in store.audit()][-2:] == ["angemeldet", "abgemeldet"]


def test_log_adds_a_line_with_user_and_time(store: Store) -> None:
    imported(store, make_case("A"))
    at = datetime(2026, 11, 30, 9, 15)
    store.log("A", "Fall angesehen", "Fallseite", user="anna", at=at)
    assert store.audit("A")[-1] == AuditEntry(at, "anna", "A", "Fall angesehen", "Fallseite")


# --------------------------------------------------------------------------- migrations


def _revision(url: str) -> str | None:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_metadata(db_url: str) -> None:
    Store.open(db_url).close()
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None and _revision(db_url) == head
    engine = create_engine_for(db_url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    finally:
        engine.dispose()


def test_upgrade_from_0001_keeps_the_data(db_url: str) -> None:
    engine = create_engine_for(db_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as connection:  # plain SQL, as a store of revision 0001 wrote it
            connection.execute(
                text(
                    "INSERT INTO cases (id, list_row, name, street, postcode, place, district,"
                    " phone, priority, last_contact, visit_place, availability, appointment,"
                    " duration_min, notes, manual_lat, manual_lon, meeting_place, site_lat,"
                    " site_lon, site_municipality, site_ags, site_ortsteil, site_precision,"
                    " site_region, site_meeting_place, status, closed_on, closed_by,"
                    " missing_since, first_seen) VALUES ('K-7', 4, 'Jörg Ölmann', 'Hauptstr. 3',"
                    " '35630', 'Ehringshausen', '', '06443 1', 3, '2026-09-30', 'Wohnung',"
                    " '[[0, 540, 720]]', NULL, NULL, '', NULL, NULL, '', 50.6, 8.38,"
                    " 'Ehringshausen', '06532008', '', 'gemeinde', 'Mitte', '', 'abgeschlossen',"
                    " '2023-01-02', 'abgelehnt', NULL, '2022-12-01')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO attempts (case_id, at, coach, kind, outcome, appointment, place,"
                    " follow_up, note, time_known, recorded_by, recorded_at, source) VALUES"
                    " ('K-7', '2022-12-05 16:30:00', 'anna', 'besuch', 'abgelehnt', NULL, NULL,"
                    " NULL, 'kein Interesse', TRUE, 'anna', '2022-12-05 18:00:00', '')"
                )
            )
        assert _revision(db_url) == "0001"
    finally:
        engine.dispose()

    with Store.open(db_url) as store:
        case = store.case("K-7")
        assert case is not None and case.client.name == "Jörg Ölmann"
        assert case.client.availability == (WeeklyWindow(0, 540, 720),)
        assert case.closed_by is Outcome.DECLINED and case.site is not None
        (attempt,) = store.attempts("K-7")
        assert (attempt.at, attempt.kind, attempt.note) == (
            datetime(2022, 12, 5, 16, 30), AttemptKind.VISIT, "kein Interesse",
        )  # fmt: skip
        # The column of 0002 works on the old rows.
        assert store.purge_closed(today=date(2026, 1, 1), after_days=730, user="dora") == 1
        assert store.attempts("K-7")[0].note == ""
    assert _revision(db_url) == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_upgrade_from_0002_keeps_the_data_and_adds_accounts(db_url: str) -> None:
    with Store.open(db_url) as store:  # fill a store, then step the schema back to 0002
        imported(store, full_case())
        store.add_attempts([full_attempt()], user="anna")
    engine = create_engine_for(db_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        assert _revision(db_url) == "0002"
    finally:
        engine.dispose()

    with Store.open(db_url) as store:
        assert store.case("K-1001") == full_case()
        assert store.attempts("K-1001") == (full_attempt(),)
        assert [e.action for e in store.audit("K-1001")] == ["neu"]
        assert store.users() == ()
        store.add_user("Leitung.1", Role.LEAD, HASH, None, user="anna")
        (user,) = store.users()
        assert (user.name, user.role, user.coach) == ("leitung.1", Role.LEAD, None)
        assert store.revision() == (0, 1, 0)  # 0004 starts counting; one attempt stored
        # 0005: the rows from before count as changed at revision 0, new changes later.
        assert store.cases_changed_after(0) == ()
        store.set_status("K-1001", CaseStatus.CLOSED, on=DAY1, by_outcome=None, user="lea")
        assert [case.id for _, case in store.cases_changed_after(0)] == ["K-1001"]
    assert _revision(db_url) == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == "0005"


def test_revision_changes_with_every_write_a_reader_caches(store: Store) -> None:
    first = store.revision()
    imported(store, full_case())
    after_import = store.revision()
    assert after_import[0] > first[0]
    store.add_attempts([full_attempt()], user="anna")
    after_attempt = store.revision()
    assert after_attempt[0] == after_import[0] and after_attempt[1] > after_import[1]
    assert [a for _, a in store.attempts_after(after_import[1])] == [full_attempt()]
    assert store.attempts_after(after_attempt[1]) == ()
    store.publish(DAY1, 5, (), user="lea", at=datetime(2026, 11, 1, 9))
    after_publish = store.revision()
    assert after_publish[:2] == after_attempt[:2] and after_publish[2] > after_attempt[2]


def test_each_change_to_cases_marks_the_cases_it_changed(store: Store) -> None:
    def changed_since(revision: int) -> list[str]:
        return [case.id for _, case in store.cases_changed_after(revision)]

    imported(store, make_case("A"), make_case("B"), make_case("C"))
    start = store.revision()[0]
    assert changed_since(0) == ["A", "B", "C"] and changed_since(start) == []
    store.add_attempts([full_attempt("A"), full_attempt("B", note="ruft zurück")], user="anna")
    assert changed_since(start) == []  # attempts are counted by their ids
    store.set_status("B", CaseStatus.CLOSED, on=DAY1, by_outcome=Outcome.DECLINED, user="lea")
    closed = store.revision()[0]
    assert closed > start and changed_since(start) == ["B"]
    assert [(r, c.status) for r, c in store.cases_changed_after(start)] == [
        (closed, CaseStatus.CLOSED)
    ]
    # A purge changes the case and the notes of its attempts: both are re-read.
    assert store.purge_closed(today=DAY3, after_days=7, user="lea") == 1
    purged = store.revision()[0]
    assert changed_since(closed) == ["B"] and store.attempts_of(["B"])["B"][0].note == ""
    # A list import changes the cases it brings new or changed, and open ones it misses;
    # a case listed as before stays as it was.
    imported(store, make_case("A"), make_case("D"), today=DAY3)
    listed = store.revision()[0]
    assert changed_since(purged) == ["C", "D"]
    imported(store, make_case("A", phone="06441 1"), make_case("D", row=3), today=DAY3)
    assert changed_since(listed) == ["A", "D"]  # a new phone number, a new row in the list
    assert store.attempts_of(["A", "C", "D"]) == {"A": (full_attempt("A"),)}
    assert store.attempts_of([]) == {}


def test_database_of_a_newer_planner_is_refused(db_url: str) -> None:
    Store.open(db_url).close()
    engine = create_engine_for(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match="kann nicht aktualisiert werden"):
        Store.open(db_url)


# --------------------------------------------------------------------------- SQLite file


@pytest.mark.parametrize("as_url", [False, True], ids=["path", "url"])
def test_new_sqlite_file_is_private_and_its_folder_created(tmp_path: Path, as_url: bool) -> None:
    path = tmp_path / "neu" / "ordner" / "kampagne.db"
    with Store.open(f"sqlite:///{path}" if as_url else str(path)) as store:
        imported(store, make_case("A"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Store.open(str(path)) as reopened:  # the data are in that file
        assert [c.id for c in reopened.cases()] == ["A"]
