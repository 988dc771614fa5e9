"""The status report's figures against the hand-built caseload (tests/caseload.py),
and the small-number rule."""

from __future__ import annotations

from datetime import date

import pytest

from planner.campaign.codes import CaseStatus, Outcome, Step
from planner.campaign.coverage import (
    ALL_REGIONS,
    Interval,
    Period,
    as_of,
    bucket_ends,
    coverage,
    default_start,
    small,
    withheld,
)
from planner.reasons import Reason
from planner.report.status import HIDDEN, build_report
from tests.caseload import ATTEMPTS, CASES, PERIOD

END = PERIOD.end


@pytest.fixture(scope="module")
def cov():  # type: ignore[no-untyped-def]
    return coverage(CASES, ATTEMPTS, PERIOD)


def test_as_of_keeps_the_list_and_the_history_of_that_day() -> None:
    cases, attempts = as_of(CASES, ATTEMPTS, END)
    assert [c.id for c in cases if c.id == "F1"] == []  # on the list only from 01.12.
    assert len(cases) == 17
    l2 = next(c for c in cases if c.id == "L2")
    assert l2.status is CaseStatus.OPEN and l2.closed_by is None  # moved only on 05.12.
    assert all(a.at.date() <= END for a in attempts)
    assert len(attempts) == len(ATTEMPTS) - 2  # N6 on 09.12., L2 on 05.12.


def test_reached_overall_per_region_and_per_coach(cov) -> None:  # type: ignore[no-untyped-def]
    stats = cov.stats
    assert (stats.cases, stats.reached) == (17, 11)
    assert {s.label: (s.cases, s.reached) for s in stats.by_region} == {
        "Nord": (6, 3), "Süd": (10, 7), "ohne Ort": (1, 1),
    }  # fmt: skip
    assert {s.label: (s.cases, s.reached) for s in stats.by_coach} == {
        "anna": (7, 7), "jonas": (7, 4),
    }  # fmt: skip
    assert stats.attempts_per_reached == pytest.approx(16 / 11)
    assert (stats.open, stats.closed) == (15, 2)


def test_reached_per_municipality_with_the_key_for_the_map(cov) -> None:  # type: ignore[no-untyped-def]
    rows = [(m.label, m.ags, m.cases, m.reached) for m in cov.by_municipality]
    assert rows == [
        ("Haiger", "06532011", 6, 3),
        ("Solms", "06532021", 2, 1),
        ("Wetzlar", "06532023", 8, 6),
        ("ohne Ort", "", 1, 1),
    ]


def test_first_and_follow_up_contacts_per_month(cov) -> None:  # type: ignore[no-untyped-def]
    assert cov.first_reached == 10  # S5 was first reached in October
    (november,) = cov.months
    assert (november.month, november.first, november.follow_up, november.attempts) == (
        date(2026, 11, 1), 10, 4, 22,
    )  # fmt: skip


def test_days_from_list_entry_to_first_contact(cov) -> None:  # type: ignore[no-untyped-def]
    assert cov.days_to_first_contact == (1, 2, 2, 2, 3, 3, 3, 4, 7, 10)
    assert cov.median_days_to_first_contact == 3.0


def test_outcomes_grouped_by_code(cov) -> None:  # type: ignore[no-untyped-def]
    counts = {c.code: (c.people, c.attempts) for c in cov.outcomes}
    assert counts[Outcome.REACHED.value] == (8, 8)
    assert counts[Outcome.NOT_REACHED.value] == (4, 5)
    assert counts[Outcome.MAILBOX.value] == (1, 2)
    assert Outcome.MOVED.value not in counts  # after the period
    assert sum(a for _, a in counts.values()) == 22
    assert cov.outcomes[0].code == Outcome.REACHED.value  # most people first
    assert next(c.label for c in cov.outcomes if c.code == "uebergeben") == (
        "an Ansprechperson übergeben"
    )


def test_hand_backs_coaching_and_referrals(cov) -> None:  # type: ignore[no-untyped-def]
    r = cov.results
    assert (r.handed_back, r.coaching, r.referred, r.coaching_or_referral) == (1, 1, 1, 2)


def test_reasons_for_not_planning_grouped_by_code(cov) -> None:  # type: ignore[no-untyped-def]
    reasons = {c.code: c.people for c in cov.reasons}
    assert reasons == {
        Reason.CONTACT_DONE.value: 8,
        Reason.CALL_FIRST.value: 5,
        Reason.CLOSED.value: 2,
        Reason.ADDRESS.value: 1,
    }
    assert cov.visits_due == 1  # N3: announced by the letter of 13.11.
    assert sum(reasons.values()) + cov.visits_due == cov.stats.cases


def test_people_waiting_longest_with_their_last_outcome(cov) -> None:  # type: ignore[no-untyped-def]
    waiting = [(w.case_id, w.days, w.attempts, w.last_outcome) for w in cov.stats.longest_waiting]
    assert waiting == [
        ("N5", 698, 0, None),  # the Jobcenter's last contact was on 01.01.2025
        ("L2", 28, 1, Outcome.NOT_REACHED),
        ("N3", 28, 4, Outcome.SENT),
        ("N6", 28, 0, None),
        ("S6", 28, 2, Outcome.NOT_REACHED),
        ("S7", 28, 0, None),
    ]
    assert cov.stats.longest_waiting[2].step is Step.ANNOUNCED_VISIT


def test_reached_share_over_time(cov) -> None:  # type: ignore[no-untyped-def]
    assert cov.interval is Interval.DAY  # four weeks
    everyone = next(s for s in cov.timeline if s.label == ALL_REGIONS)
    first, last = everyone.points[0], everyone.points[-1]
    assert (first.day, first.cases, first.reached) == (PERIOD.start, 16, 1)  # S8 joins 16.11.
    assert (last.day, last.cases, last.reached) == (END, 17, 11)
    north = next(s for s in cov.timeline if s.label == "Nord")
    assert [(p.cases, p.reached) for p in north.points if p.day == date(2026, 11, 5)] == [(6, 2)]
    assert [s.label for s in cov.timeline] == [ALL_REGIONS, "Nord", "Süd"]  # no "ohne Ort"


def test_a_later_start_counts_only_what_happened_since() -> None:
    cov = coverage(CASES, ATTEMPTS, Period(date(2026, 11, 16), END))
    assert cov.stats.reached == 11  # the stand at the end does not depend on the start
    assert cov.first_reached == 1  # S8 on 18.11.
    assert cov.results.handed_back == 0
    # 16.11. S6, 17.11. S6, 18.11. S5 and S8, 20.11. N2, 24.11. S1
    assert sum(c.attempts or 0 for c in cov.outcomes) == 6
    (november,) = cov.months
    assert (november.first, november.follow_up, november.attempts) == (1, 3, 6)


def test_buckets_of_weeks_and_months() -> None:
    weeks = bucket_ends(Period(date(2026, 11, 4), date(2026, 11, 25)), Interval.WEEK)
    assert weeks == (date(2026, 11, 4), date(2026, 11, 8), date(2026, 11, 15),
                     date(2026, 11, 22), date(2026, 11, 25))  # fmt: skip
    months = bucket_ends(Period(date(2026, 10, 15), date(2027, 1, 10)), Interval.MONTH)
    assert months == (date(2026, 10, 15), date(2026, 10, 31), date(2026, 11, 30),
                      date(2026, 12, 31), date(2027, 1, 10))  # fmt: skip
    assert Interval.for_period(Period(date(2026, 1, 1), date(2026, 12, 31))) is Interval.MONTH


def test_the_campaign_starts_with_its_first_entry() -> None:
    assert default_start(CASES, ATTEMPTS, END) == date(2026, 10, 15)
    assert default_start((), (), END) == END


def test_a_store_without_attempts() -> None:
    cov = coverage(CASES, (), PERIOD)
    assert (cov.stats.reached, cov.first_reached, cov.median_days_to_first_contact) == (0, 0, None)
    assert cov.outcomes == () and cov.stats.attempts_per_reached is None


# --------------------------------------------------------------------------- small numbers


def test_counts_from_one_to_four_are_withheld() -> None:
    assert [small(n) for n in (0, 1, 4, 5, 120)] == [False, True, True, False, False]
    assert withheld([12, 3, 0, 7]) == (False, True, False, False)


def test_a_single_hidden_part_of_a_total_takes_a_second_one_with_it() -> None:
    assert withheld([12, 3, 0, 7], partition=True) == (False, True, False, True)
    assert withheld([12, 3, 2, 7], partition=True) == (False, True, True, False)
    assert withheld([12, 30], partition=True) == (False, False)


def test_the_report_hides_small_groups(cov) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    report = build_report(cov, created=datetime(2026, 12, 1, 9, 0))
    regions = {r.label: r for r in report.regions}
    assert not regions["Nord"].hidden and regions["Nord"].share_text == "50 %"
    assert regions["ohne Ort"].hidden and regions["ohne Ort"].cases_text == HIDDEN
    assert not regions["Süd"].hidden  # "ohne Ort" is in no village: no second group hidden
    places = {r.label: r for r in report.municipalities}
    assert places["Solms"].hidden and places["Solms"].reached_text == ""
    # Solms alone would follow from the total (17 − 6 − 8 − 1): Haiger goes too.
    assert places["Haiger"].hidden and not places["Wetzlar"].hidden
    assert places["Wetzlar"].share_text == "75 %"
    outcomes = {o.code: o for o in report.outcomes}
    assert outcomes["erreicht"].text(0) == "8"
    assert (outcomes["nicht_erreicht"].text(0), outcomes["nicht_erreicht"].text(1)) == (
        HIDDEN, HIDDEN,
    )  # fmt: skip
    figures = {f.label: f.value for f in report.figures}
    assert figures["Erreicht"] == "65 %"
    assert figures["An Ansprechperson übergeben"] == HIDDEN
    assert figures["Coaching oder Beratung"] == HIDDEN
    assert figures["Tage bis zum Erstkontakt"] == "3"
    assert figures["Erstmals erreicht"] == "10"


def test_a_tiny_store_shows_no_figures() -> None:
    from datetime import datetime

    cov = coverage(CASES[:3], ATTEMPTS, PERIOD)
    report = build_report(cov, created=datetime(2026, 12, 1, 9, 0))
    assert report.overall.hidden
    values = {f.label: f.value for f in report.figures}
    assert values["Erreicht"] == HIDDEN and values["Versuche je Erreichten"] == HIDDEN
