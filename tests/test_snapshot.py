"""The app's cached snapshot of cases, attempts and states equals a fresh load after any
sequence of changes (``planner.workflow.case_states``)."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from planner.campaign.codes import CaseStatus, Outcome
from planner.campaign.rules import assess_all
from planner.store import Store
from planner.workflow import _SNAPSHOTS, case_states
from tests.test_store import full_attempt, make_case

IDS = ("B", "C", "E", "F", "H", "K")
NEW = ("A", "D", "G")  # cases a later list brings, sorting between the first ones
DAY = date(2026, 11, 30)

#: One change to the store: what a coach, the lead or the purge job does.
CHANGE = st.one_of(
    st.tuples(st.just("close"), st.sampled_from(IDS)),
    st.tuples(st.just("reopen"), st.sampled_from(IDS)),
    st.tuples(st.just("attempt"), st.sampled_from(IDS), st.integers(0, 30)),
    st.tuples(st.just("purge"), st.integers(0, 400)),
    st.tuples(st.just("import"), st.sets(st.sampled_from((*IDS, *NEW)), min_size=1)),
    st.tuples(st.just("read")),  # a page in between: the snapshot catches up here
)


def _apply(store: Store, change: tuple[object, ...], step: int) -> None:
    kind = change[0]
    if kind == "close":
        store.set_status(str(change[1]), CaseStatus.CLOSED, on=DAY - timedelta(days=step),
                         by_outcome=Outcome.DECLINED, user="lead")  # fmt: skip
    elif kind == "reopen":
        store.set_status(str(change[1]), CaseStatus.OPEN, on=DAY, by_outcome=None, user="lead")
    elif kind == "attempt":
        at = datetime(2026, 11, 1, 9) + timedelta(days=int(str(change[2])), minutes=step)
        store.add_attempts([full_attempt(str(change[1]), at=at, note=f"Notiz {step}")],
                           user="anna")  # fmt: skip
    elif kind == "purge":
        store.purge_closed(today=DAY + timedelta(days=int(str(change[1]))), after_days=30,
                           user="lead")  # fmt: skip
    elif kind == "import":
        listed = sorted(change[1])  # type: ignore[call-overload]
        cases = [make_case(i, row=2 + n, phone=f"0644 {step}") for n, i in enumerate(listed)]
        store.import_cases(cases, today=DAY, user="lead", source=f"liste-{step}.csv")


@settings(max_examples=40, deadline=None)
@given(changes=st.lists(CHANGE, max_size=12))
# Found by this test: a call entered after a later one, and a case change before the next
# read (the refreshed attempts were paired with the snapshot's out of order).
@example(changes=[("close", "B"), ("attempt", "B", 1), ("attempt", "B", 0)])
def test_the_cached_snapshot_equals_a_fresh_load_after_any_changes(
    changes: list[tuple[object, ...]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, Store.open(str(Path(folder) / "k.db")) as store:
        store.import_cases([make_case(i, row=2 + n) for n, i in enumerate(IDS)], today=DAY,
                           user="lead", source="liste.csv")  # fmt: skip
        case_states(store, DAY)
        first = _SNAPSHOTS[store]
        for step, change in enumerate(changes):
            _apply(store, change, step)
            if change[0] != "read":
                continue
            for day in (DAY, DAY + timedelta(days=60)):
                cases, attempts, states = case_states(store, day)
                assert cases == store.cases() and attempts == store.attempts()
                assert states == assess_all(store.cases(), store.attempts(), day)
                assert list(states) == [case.id for case in cases]
        cases, attempts, states = case_states(store, DAY)
        assert cases == store.cases() and attempts == store.attempts()
        assert states == assess_all(store.cases(), store.attempts(), DAY)
        # Small changes refresh the snapshot in place: it is loaded once per store.
        assert _SNAPSHOTS[store] is first
