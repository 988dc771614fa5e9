"""The campaign's rules: a case's history → its next step, as the team agreed them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome, Step
from planner.campaign.model import Attempt, CampaignRules, Case
from planner.campaign.rules import assess, bezugscoach, status_after, visit_due
from planner.model import Address, Client, Precision, Site, VisitPlace

TODAY = date(2026, 12, 7)
SITE = Site(50.56, 8.50, "Wetzlar", "06532023", "", Precision.MUNICIPALITY)


def case(phone: str = "06441 1234", **kw: object) -> Case:
    client = Client("K1", 2, Address(place="Wetzlar"), phone=phone)
    return Case(client, SITE, first_seen=date(2026, 11, 16), **kw)  # type: ignore[arg-type]


def att(
    day: str, outcome: Outcome, kind: AttemptKind = AttemptKind.CALL, coach: str = "anna", **kw
) -> Attempt:  # type: ignore[no-untyped-def]
    return Attempt("K1", datetime.strptime(day, "%d.%m. %H:%M").replace(year=2026), coach,
                   kind, outcome, **kw)  # fmt: skip


def test_new_case_is_called_first() -> None:
    state = assess(case(), [], TODAY)
    assert state.step is Step.CALL and state.reason == "neu in der Liste"


def test_new_case_without_phone_gets_a_letter() -> None:
    assert assess(case(phone=""), [], TODAY).step is Step.LETTER


def test_failed_calls_then_letter_then_announced_visit() -> None:
    history = [att("01.12. 09:00", Outcome.NOT_REACHED), att("02.12. 15:00", Outcome.MAILBOX)]
    state = assess(case(), history, TODAY)
    assert (state.step, state.failed_calls) == (Step.CALL, 2)
    assert "2 Anrufe ohne Erfolg" in state.reason
    history.append(att("03.12. 17:00", Outcome.NOT_REACHED))
    state = assess(case(), history, TODAY)
    assert state.step is Step.LETTER
    history.append(att("04.12. 10:00", Outcome.SENT, AttemptKind.LETTER))
    state = assess(case(), history, TODAY)
    assert state.step is Step.ANNOUNCED_VISIT
    assert state.due == date(2026, 12, 9)  # five days for the letter
    assert visit_due(state, TODAY, 5) and not visit_due(state, date(2026, 11, 30), 5)


def test_rules_are_configurable() -> None:
    history = [att("01.12. 09:00", Outcome.NOT_REACHED)]
    rules = CampaignRules(failed_calls_before_letter=1)
    assert assess(case(), history, TODAY, rules).step is Step.LETTER
    with pytest.raises(ValueError):
        CampaignRules(failed_calls_before_letter=0)


def test_wrong_number_goes_to_letter_at_once() -> None:
    state = assess(case(), [att("01.12. 09:00", Outcome.WRONG_NUMBER)], TODAY)
    assert state.step is Step.LETTER and "keine gültige Telefonnummer" in state.reason


def test_appointment_is_pinned_with_its_coach_and_cancellation_returns_to_calls() -> None:
    agreed = att(
        "01.12. 09:00", Outcome.APPOINTMENT, coach="jonas",
        appointment=datetime(2026, 12, 8, 10, 30), place=VisitPlace.CAFE,
    )  # fmt: skip
    state = assess(case(), [agreed], TODAY)
    assert state.step is Step.APPOINTMENT
    assert (state.appointment, state.appointment_coach) == (datetime(2026, 12, 8, 10, 30), "jonas")
    assert state.appointment_place is VisitPlace.CAFE and state.coach == "jonas"
    cancelled = att("03.12. 11:00", Outcome.CANCELLED, coach="anna")
    state = assess(case(), [agreed, cancelled], TODAY)
    assert state.step is Step.CALL and "abgesagt" in state.reason


def test_declined_closes_and_only_reopening_plans_again() -> None:
    declined = att("03.12. 11:00", Outcome.DECLINED)
    status, outcome, on = status_after(case(), [declined])
    assert (status, outcome, on) == (CaseStatus.CLOSED, Outcome.DECLINED, date(2026, 12, 3))
    closed = case(status=CaseStatus.CLOSED, closed_by=Outcome.DECLINED, closed_on=on)
    state = assess(closed, [declined], TODAY)
    assert state.step is Step.CLOSED and state.reason == "abgelehnt am 03.12.2026"
    assert assess(case(), [declined], TODAY).step is Step.CALL  # reopened by the lead


def test_met_without_follow_up_is_done_with_follow_up_waits() -> None:
    met = att("08.12. 10:00", Outcome.MET, AttemptKind.VISIT)
    state = assess(case(), [met], date(2026, 12, 9))
    assert state.step is Step.DONE
    assert state.reason == "Gespräch am 08.12. geführt, keine Wiedervorlage"
    met = att("08.12. 10:00", Outcome.MET, AttemptKind.VISIT, follow_up=date(2027, 1, 12))
    state = assess(case(), [met], date(2026, 12, 9))
    assert (state.step, state.due) == (Step.WAIT, date(2027, 1, 12))
    assert assess(case(), [met], date(2027, 1, 12)).step is Step.CALL


def test_callback_on_the_asked_day() -> None:
    back = att("02.12. 10:00", Outcome.CALLBACK, follow_up=date(2026, 12, 4))
    state = assess(case(), [back], TODAY)
    assert (state.step, state.due) == (Step.CALL, date(2026, 12, 4))


def test_missing_from_the_list_is_kept_but_not_planned() -> None:
    state = assess(case(missing_since=date(2026, 12, 1)), [], TODAY)
    assert state.step is Step.MISSING and "01.12.2026" in state.reason


def test_bezugscoach_is_who_last_reached_the_person() -> None:
    history = [
        att("01.12. 09:00", Outcome.REACHED, coach="anna"),
        att("02.12. 09:00", Outcome.NOT_REACHED, coach="jonas"),
    ]
    assert bezugscoach(history) == "anna"
    assert (
        bezugscoach([*history, att("03.12. 09:00", Outcome.MET, AttemptKind.VISIT, "mira")])
        == "mira"
    )


def test_list_appointment_counts_as_agreed() -> None:
    c = Case(
        Client("K1", 2, Address(place="Wetzlar"), phone="1", appointment=datetime(2026, 12, 8, 9)),
        SITE,
        first_seen=date(2026, 11, 16),
    )
    state = assess(c, [], TODAY)
    assert state.step is Step.APPOINTMENT and state.appointment == datetime(2026, 12, 8, 9)


_OUTCOMES = st.sampled_from(list(Outcome))
_KINDS = st.sampled_from(list(AttemptKind))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.integers(7 * 60, 19 * 60), _KINDS, _OUTCOMES),
        max_size=12,
        unique_by=lambda e: (e[0] % 14, e[1]),
    ),
    st.booleans(),
)
def test_every_history_gets_exactly_one_step_with_a_reason(
    events: list[tuple[int, int, AttemptKind, Outcome]], phone: bool
) -> None:
    history = [
        Attempt("K1", datetime(2026, 11, 16 + d % 14, m // 60, m % 60), "anna", k, o)
        for d, m, k, o in events
    ]
    state = assess(case(phone="1" if phone else ""), history, TODAY)
    assert state.step in set(Step) - {Step.CLOSED, Step.MISSING}
    assert state.reason  # a person can read why
    assert state.attempts == len(history)
    # The order of recording never matters, only when things happened.
    assert assess(case(phone="1" if phone else ""), list(reversed(history)), TODAY) == state


# --------------------------------------------------------------------------- what contacts led to


def test_handed_back_closes_like_a_refusal_and_counts_as_reached() -> None:
    back = att("03.12. 10:00", Outcome.HANDED_BACK, AttemptKind.VISIT, coach="jonas")
    status, outcome, on = status_after(case(), [back])
    assert (status, outcome, on) == (CaseStatus.CLOSED, Outcome.HANDED_BACK, date(2026, 12, 3))
    closed = case(status=CaseStatus.CLOSED, closed_by=Outcome.HANDED_BACK, closed_on=on)
    state = assess(closed, [back], TODAY)
    assert state.step is Step.CLOSED
    assert state.reason == "an Ansprechperson übergeben am 03.12.2026"
    assert Outcome.HANDED_BACK.contact and state.coach == "jonas"
    # Reopened by the lead: back on the call list, like a reopened refusal.
    assert assess(case(), [back], TODAY).reason == "von der Leitung wieder geöffnet"


def test_handing_back_cancels_an_agreed_appointment() -> None:
    from planner.campaign.rules import active_appointment
    from planner.campaign.week import is_cancellation

    agreed = att("01.12. 09:00", Outcome.APPOINTMENT, appointment=datetime(2026, 12, 10, 10, 0))
    back = att("02.12. 09:00", Outcome.HANDED_BACK)
    assert active_appointment([agreed]) is agreed
    assert active_appointment([agreed, back]) is None
    assert is_cancellation(back, datetime(2026, 12, 1, 12, 0))


@pytest.mark.parametrize(
    ("outcome", "what"),
    [(Outcome.COACHING, "Coaching begonnen"), (Outcome.REFERRED, "an Beratungsstelle vermittelt")],
)
def test_coaching_and_referral_keep_the_case_open_with_a_follow_up(
    outcome: Outcome, what: str
) -> None:
    assert not outcome.closes and outcome.contact
    done = assess(case(), [att("03.12. 10:00", outcome, AttemptKind.VISIT)], TODAY)
    assert done.step is Step.DONE and done.reason == f"{what} am 03.12., keine Wiedervorlage"
    later = att("03.12. 10:00", outcome, AttemptKind.VISIT, follow_up=date(2026, 12, 17))
    waiting = assess(case(), [later], TODAY)
    assert waiting.step is Step.WAIT and waiting.due == date(2026, 12, 17)
    assert waiting.reason == f"{what} am 03.12., Wiedervorlage am 17.12.2026"
    due = assess(case(), [later], date(2026, 12, 17))
    assert due.step is Step.CALL and due.reason == "Wiedervorlage 17.12.2026"
    assert status_after(case(), [later])[0] is CaseStatus.OPEN
