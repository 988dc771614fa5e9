"""The app's use cases: book a suggested slot, move and unpin visits, the lead's figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from planner.campaign.codes import Outcome, Step
from planner.store import Store
from planner.traveltime import GreatCircleEstimate
from planner.workflow import (
    PlanChangeRefused,
    book_slot,
    case_states,
    move_visit,
    plan_from_store,
    published_tours,
    stats_for,
    suggest_for,
    tours_of_day,
    unpin_visit,
)
from tests.checks import plan_violations
from tests.test_campaign_loop import BUDGET, _outcomes, _team, _write_list

MONDAY = date(2026, 11, 30)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    from planner.workflow import import_list, record_outcomes

    with Store.open(str(tmp_path / "k.db")) as opened:
        team = _team()
        import_list(opened, _write_list(tmp_path / "l.csv"), team, today=date(2026, 11, 27),
                    user="lead")  # fmt: skip
        record_outcomes(
            opened,
            _outcomes(
                tmp_path / "e.csv",
                "K-001;27.11.2026;09:10;anna;Anruf;Termin vereinbart;01.12.2026 10:00;Wohnung;;",
                "K-004;27.11.2026;09:40;jonas;Anruf;Termin vereinbart;01.12.2026 11:00;;;",
                "K-005;27.11.2026;09:50;jonas;Anruf;erreicht;;;;",
            ),
            team, user="anna", today=date(2026, 11, 27), now=datetime(2026, 11, 27, 12),
        )  # fmt: skip
        plan_from_store(opened, team, MONDAY, 5, BUDGET, today=date(2026, 11, 27), publish=True,
                        user="lead", now=datetime(2026, 11, 27, 16))  # fmt: skip
        yield opened


def _checked_tours(store: Store, day: date) -> None:
    team = _team()
    tours = tours_of_day(store, team, day)
    assert plan_violations(tours, team, GreatCircleEstimate()) == []


def test_book_a_suggested_slot_into_the_published_plan(store: Store) -> None:
    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    _, slots = suggest_for(store, team, "K-005", MONDAY, 5, today=MONDAY, now=now)
    assert slots
    published = book_slot(store, team, "K-005", slots[0], user="jonas", now=now)
    pin = next(p for p in published.visits if p.case_id == "K-005")
    assert (pin.coach, pin.start) == (slots[0].coach, slots[0].start)
    assert {"K-001", "K-004"} <= {p.case_id for p in published.visits}  # others kept
    state = case_states(store, MONDAY)[2]["K-005"]
    assert state.step is Step.APPOINTMENT and state.appointment == slots[0].start
    assert store.attempts("K-005")[-1].outcome is Outcome.APPOINTMENT
    _checked_tours(store, slots[0].day)
    # The same time with the same coach for someone else clashes: refused, nothing stored.
    before = len(store.attempts("K-006"))
    with pytest.raises(PlanChangeRefused):
        book_slot(store, team, "K-006", slots[0], user="jonas", now=now)
    assert len(store.attempts("K-006")) == before


def test_move_and_unpin_with_reasons(store: Store) -> None:
    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    tue = date(2026, 12, 1)
    # K-001 from Anna 10:00 to Jonas 14:00 on Tuesday.
    moved = move_visit(store, team, "K-001", "jonas", datetime(2026, 12, 1, 14, 0), user="lead",
                       now=now)  # fmt: skip
    pin = next(p for p in moved.visits if p.case_id == "K-001")
    assert (pin.coach, pin.start) == ("jonas", datetime(2026, 12, 1, 14, 0))
    _checked_tours(store, tue)
    # Onto Jonas' own 11:00 visit: refused with a German reason.
    with pytest.raises(PlanChangeRefused) as refused:
        move_visit(store, team, "K-001", "jonas", datetime(2026, 12, 1, 11, 0), user="lead",
                   now=now)  # fmt: skip
    assert "Kein freier Termin" in str(refused.value) or "passt nicht" in str(refused.value)
    # On Christmas Day nobody works.
    with pytest.raises(PlanChangeRefused) as holiday:
        move_visit(store, team, "K-001", "anna", datetime(2026, 12, 25, 10, 0), user="lead",
                   now=now)  # fmt: skip
    assert "Feiertag" in str(holiday.value)
    unpinned = unpin_visit(store, "K-001", tue, user="lead", now=now)
    assert "K-001" not in {p.case_id for p in unpinned.visits}
    tours = published_tours(team, unpinned, store.cases(), GreatCircleEstimate())
    assert "K-001" not in {s.visit.client.id for t in tours for s in t.stops}


def test_stand_counts_reached_people(store: Store) -> None:
    stats = stats_for(store, _team(), MONDAY + timedelta(days=1))
    assert (stats.cases, stats.reached, stats.attempts) == (24, 3, 3)
    assert stats.attempts_per_reached == 1.0
    assert {s.label: (s.cases, s.reached) for s in stats.by_coach} == {
        "anna": (1, 1), "jonas": (2, 2),
    }  # fmt: skip
    assert sum(s.cases for s in stats.by_region) == 24
    assert stats.longest_waiting and all(w.case_id not in {"K-001", "K-004", "K-005"}
                                         for w in stats.longest_waiting)  # fmt: skip


def test_changes_since_the_sheets_were_printed(store: Store) -> None:
    from planner.workflow import changes_since_print

    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    tue = date(2026, 12, 1)
    assert changes_since_print(store, tue) == ()
    move_visit(store, team, "K-001", "jonas", datetime(2026, 12, 1, 14, 0), user="lead",
               now=now)  # fmt: skip
    texts = {c.case_id: c.text for c in changes_since_print(store, tue)}
    assert texts == {"K-001": "anderer Coach: anna → jonas (01.12. 14:00)"}
    assert changes_since_print(store, tue, coach="anna")[0].kind.value == "entfaellt"
    assert changes_since_print(store, tue, coach="jonas")[0].kind.value == "neu"


def test_cached_states_equal_a_fresh_assessment_after_every_kind_of_change(
    store: Store, tmp_path: Path
) -> None:
    from planner.campaign.rules import assess_all
    from planner.workflow import import_list, record_outcomes

    def fresh(day: date) -> dict[str, object]:
        return assess_all(store.cases(), store.attempts(), day)

    day = MONDAY
    assert case_states(store, day)[2] == fresh(day)
    record_outcomes(  # attempts only: the snapshot is extended, not reloaded
        store,
        _outcomes(tmp_path / "n.csv", "K-006;30.11.2026;09:00;anna;Anruf;nicht erreicht;;;;",
                  "K-002;30.11.2026;09:10;anna;Anruf;abgelehnt;;;;"),  # fmt: skip
        _team(), user="anna", today=day, now=datetime(2026, 11, 30, 9, 30),
    )  # fmt: skip
    cases, attempts, states = case_states(store, day)
    assert states == fresh(day) and attempts == store.attempts() and cases == store.cases()
    assert states["K-002"].step is Step.CLOSED
    import_list(store, _write_list(tmp_path / "l2.csv", skip=("K-010",)), _team(), today=day,
                user="lead")  # fmt: skip
    assert case_states(store, day)[2] == fresh(day)
    assert case_states(store, day)[2]["K-010"].step is Step.MISSING


def test_closing_a_case_refreshes_the_snapshot_instead_of_reloading_it(
    store: Store, tmp_path: Path
) -> None:
    from planner.campaign.codes import CaseStatus
    from planner.campaign.rules import assess_all
    from planner.workflow import _SNAPSHOTS, record_outcomes, stats_for

    team, day, later = _team(), MONDAY, MONDAY + timedelta(days=400)

    def same_as_a_fresh_load() -> None:
        for on in (day, later):
            cases, attempts, states = case_states(store, on)
            assert cases == store.cases() and attempts == store.attempts()
            assert states == assess_all(store.cases(), store.attempts(), on)
            assert list(states) == [case.id for case in cases]  # in the order of a load

    case_states(store, later)  # two days cached
    same_as_a_fresh_load()
    snapshot = _SNAPSHOTS[store]
    before = stats_for(store, team, day)
    store.set_status("K-002", CaseStatus.CLOSED, on=day, by_outcome=Outcome.DECLINED, user="lead")
    same_as_a_fresh_load()
    assert case_states(store, day)[2]["K-002"].step is Step.CLOSED
    assert stats_for(store, team, day) != before  # figures of the old revision were dropped
    store.set_status("K-002", CaseStatus.OPEN, on=day, by_outcome=None, user="lead")
    record_outcomes(  # an attempt and a case change between two reads
        store,
        _outcomes(tmp_path / "n.csv", "K-006;30.11.2026;09:00;anna;Anruf;nicht erreicht;;;;Hund"),
        team, user="anna", today=day, now=datetime(2026, 11, 30, 9, 30),
    )  # fmt: skip
    store.set_status("K-006", CaseStatus.CLOSED, on=day, by_outcome=None, user="lead")
    same_as_a_fresh_load()
    assert "Hund" in [a.note for a in case_states(store, day)[1] if a.case_id == "K-006"]
    # A purge blanks the notes of the case's attempts: the snapshot shows them blank too.
    assert store.purge_closed(today=later, after_days=30, user="lead") == 1
    same_as_a_fresh_load()
    assert all(a.note == "" for a in case_states(store, day)[1] if a.case_id == "K-006")
    assert _SNAPSHOTS[store] is snapshot  # refreshed every time, never reloaded


def test_tours_of_week_are_the_tours_of_each_day(store: Store) -> None:
    from collections.abc import Sequence

    from planner.model import Tour
    from planner.workflow import tours_of_week

    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    # A second, later publication for Thursday and Friday only binds those two days.
    thu = MONDAY + timedelta(days=3)
    move_visit(store, team, "K-004", "jonas", datetime(2026, 12, 2, 11, 0), user="lead", now=now)
    later = store.publish(thu, 2, (), user="lead", at=now)
    assert later.covers(thu) and not later.covers(MONDAY)

    def key(tours: Sequence[Tour]) -> list[tuple[object, ...]]:
        return [(t.day, t.coach.key, [(s.visit.client.id, s.start) for s in t.stops])
                for t in tours]  # fmt: skip

    week = tours_of_week(store, team, MONDAY, 5)
    days = [t for i in range(5) for t in tours_of_day(store, team, MONDAY + timedelta(days=i))]
    assert key(week) == key(days) and week
    assert {s.visit.client.id for t in week for s in t.stops} >= {"K-001", "K-004"}
    assert tours_of_week(store, team, MONDAY + timedelta(days=14), 5) == ()


def test_a_draft_is_published_as_shown_unless_something_changed(store: Store) -> None:
    from planner.campaign.week import pins_of
    from planner.workflow import draft_plan, publish_draft

    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    draft = draft_plan(store, team, MONDAY, 5, BUDGET, today=MONDAY)
    before = store.publication(MONDAY, 5)
    assert draft.result.published is None and store.publication(MONDAY, 5) == before
    published = publish_draft(store, draft, user="lead", today=MONDAY, now=now)
    assert published.visits == pins_of(draft.result.plan) and published.published_by == "lead"
    assert store.publication(MONDAY, 5) == published
    # Stale: the day has turned, or the store changed since the draft was worked out.
    with pytest.raises(PlanChangeRefused, match="bitte neu planen"):
        publish_draft(store, draft, user="lead", today=MONDAY + timedelta(days=1), now=now)
    with pytest.raises(PlanChangeRefused, match="bitte neu planen"):
        publish_draft(store, draft, user="lead", today=MONDAY, now=now)  # its own publication
    fresh = draft_plan(store, team, MONDAY, 5, BUDGET, today=MONDAY)
    unpin_visit(store, "K-001", date(2026, 12, 1), user="lead", now=now)
    with pytest.raises(PlanChangeRefused):
        publish_draft(store, fresh, user="lead", today=MONDAY, now=now)
    still = store.publication(MONDAY, 5)
    assert still is not None and "K-001" not in {p.case_id for p in still.visits}


def test_a_plan_change_keeps_the_cases_and_new_attempts_extend_the_figures(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the browser app relies on for speed: a booking or move (a new publication)
    keeps the loaded cases; a recorded call extends the reachability model instead of
    counting everything again; a coach's cases and the figures follow every change."""
    import gc

    from planner import workflow
    from planner.campaign.reachability import Channel, estimate
    from planner.workflow import coach_case_ids, reachability, record_outcomes

    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    monkeypatch.setattr(workflow, "_FREEZE_SNAPSHOTS", True)  # as `planner web` runs
    monkeypatch.setattr(workflow, "_SNAPSHOTS", type(workflow._SNAPSHOTS)())  # load afresh
    try:
        cases = case_states(store, MONDAY)[0]
        assert gc.get_freeze_count() > 0  # the snapshot is out of the collector's work
        model = reachability(store, Channel.PHONE)
        assert "K-001" in coach_case_ids(store, team, "anna", MONDAY)
        move_visit(store, team, "K-001", "jonas", datetime(2026, 12, 1, 14, 0), user="lead",
                   now=now)  # fmt: skip
        assert case_states(store, MONDAY)[0] is cases  # not reloaded
        assert "K-001" in coach_case_ids(store, team, "jonas", MONDAY)  # the new version
        record_outcomes(
            store,
            _outcomes(tmp_path / "n.csv", "K-006;30.11.2026;09:00;anna;Anruf;erreicht;;;;"),
            team, user="anna", today=MONDAY, now=now,
        )  # fmt: skip
        extended = reachability(store, Channel.PHONE)
        assert extended is not model and case_states(store, MONDAY)[0] is cases
        fresh = estimate(store.attempts(), Channel.PHONE)
        assert extended.cells("K-006") == fresh.cells("K-006") != model.cells("K-006")
        assert stats_for(store, team, MONDAY) == stats_for(store, team, MONDAY)
        assert stats_for(store, team, MONDAY).attempts == len(store.attempts())
    finally:
        gc.unfreeze()


def test_recording_the_same_attempts_twice_adds_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planner import workflow
    from planner.campaign.codes import AttemptKind
    from planner.campaign.model import Attempt
    from planner.workflow import record_attempts

    at = datetime(2026, 11, 30, 9, 0)
    one = Attempt("K-006", at, "anna", AttemptKind.CALL, Outcome.MAILBOX)
    assert record_attempts(store, [one], user="anna", now=at) == (1, ())
    assert record_attempts(store, [one], user="anna", now=at) == (0, ())  # case by case
    many = [Attempt(f"K-{i:03d}", at, "anna", AttemptKind.CALL, Outcome.MAILBOX)
            for i in range(1, 13)]  # fmt: skip
    monkeypatch.setattr(workflow, "_FEW_CASES", 3)  # like a file: all attempts at once
    assert record_attempts(store, many, user="anna", now=at)[0] == 11  # K-006 known
    assert record_attempts(store, many, user="anna", now=at)[0] == 0


def test_a_move_into_another_week_leaves_no_second_binding_visit(store: Store) -> None:
    team, now = _team(), datetime(2026, 11, 30, 9, 0)
    next_tuesday = datetime(2026, 12, 8, 10, 0)
    moved = move_visit(store, team, "K-001", "anna", next_tuesday, user="lead", now=now)
    assert moved.start == date(2026, 12, 7) and [p.case_id for p in moved.visits] == ["K-001"]
    this_week = store.publication(date(2026, 12, 1), 1)
    assert this_week is not None
    assert "K-001" not in {p.case_id for p in this_week.visits}
    assert "K-004" in {p.case_id for p in this_week.visits}  # the others stay bound
