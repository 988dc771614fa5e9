"""Smoke test of the campaign-store benchmark (benchmarks/campaign_store.py) on a tiny store.

No timing is asserted: only that every figure is produced, every case is in the plan once
and the independent checker finds nothing.
"""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest

from benchmarks import campaign_store
from benchmarks._report import write_section
from benchmarks.generate import WEEK_START, generate_team
from planner.campaign.codes import AttemptKind, Outcome, Step
from planner.store import Store
from planner.workflow import case_states, import_list

CASES, ATTEMPTS = 60, 400
ARGV = ["--cases", str(CASES), "--attempts", str(ATTEMPTS), "--solutions", "5", "--no-write"]


@pytest.fixture(scope="module")
def result() -> campaign_store.Result:
    # In this process: five fresh interpreters would take most of the time budget.
    return campaign_store.run(campaign_store.parse_args(ARGV), isolate=campaign_store.here)


def test_history_is_reproducible_and_stays_in_the_past(tmp_path: Path) -> None:
    team = generate_team(CASES)
    clients = campaign_store.write_list(CASES, 1, tmp_path)
    with Store.open(str(tmp_path / "k.db")) as store:
        import_list(store, clients, team, today=campaign_store.HISTORY_START, user="t")
        cases = store.cases()
    assert all(c.client.appointment is None for c in cases)  # Termin emptied
    assert 0.8 * CASES <= sum(bool(c.client.phone) for c in cases) < CASES
    batches = campaign_store.simulate(cases, team, ATTEMPTS, seed=1)
    assert batches == campaign_store.simulate(cases, team, ATTEMPTS, seed=1)
    attempts = [a for _, batch in batches for a in batch]
    assert len(attempts) <= ATTEMPTS
    assert {a.kind for a in attempts} == set(AttemptKind)
    assert {a.coach for a in attempts} <= {c.key for c in team.coaches}
    for recorded_at, batch in batches:
        assert all(campaign_store.HISTORY_START <= a.at.date() <= recorded_at.date() for a in batch)
        assert recorded_at < campaign_store.PLAN_AT
    for a in attempts:
        if a.outcome is Outcome.APPOINTMENT:
            assert a.appointment is not None and a.appointment > a.at
            minute = a.appointment.hour * 60 + a.appointment.minute
            assert 9 * 60 <= minute <= 14 * 60 + 30 and minute % 30 == 0


def test_every_figure_is_produced(result: campaign_store.Result) -> None:
    store = result.store
    assert store.cases == CASES and 0 < store.attempts <= ATTEMPTS
    assert sum(store.steps.values()) == CASES and store.steps[Step.CALL] > 0
    assert result.imported.cases == CASES and result.imported.cost.peak_rss_mb > 0
    for plan in result.plans:
        assert plan.cases == CASES  # every case once (plan_from_store raises otherwise)
        assert plan.violations == 0
        assert plan.due == store.due_appointments + store.due_announced > 0
        assert 0 < plan.planned <= plan.due and plan.pins == plan.planned
        assert "reproduzierbar" in plan.stop
    assert result.identical
    sug = result.suggest
    assert sug.calls == len(store.suggest_ids) == campaign_store.SUGGEST_CASES
    assert set(sug.parts) == set(campaign_store.SUGGEST_PARTS) and sug.with_slots > 0
    for part in sug.parts.values():
        assert len(part) == sug.calls
        assert all(p <= c for p, c in zip(part, sug.cpu_s, strict=True))
    assert result.calls.entries > 0


def test_report_and_csv(result: campaign_store.Result, tmp_path: Path) -> None:
    args = campaign_store.parse_args(ARGV)
    text = campaign_store.markdown(result, args)
    assert "| " + " | ".join(campaign_store.TABLE_HEADER) + " |" in text
    assert f"{CASES} cases each once" in text and "0 violations" in text
    assert "published pins as run 1: **yes**" in text and "(cold, as `planner suggest`)" in text
    assert f"calls_for {WEEK_START:%d.%m.%Y}" in text
    report = write_section(campaign_store.SECTION, text, tmp_path / "b.md")
    assert "<!-- campaign_store:start -->" in report.read_text(encoding="utf-8")
    table = campaign_store.write_csv(result, args, tmp_path / "c.csv")
    with table.open(encoding="utf-8") as fh:
        (record,) = csv.DictReader(fh)
    assert record["cases"] == str(CASES) and record["identical"] == "True"
    assert record["plan1_violations"] == "0" and float(record["suggest_cold_cpu_s"]) > 0


def test_states_on_the_planning_day_match_the_store(tmp_path: Path) -> None:
    """The figures come from the store itself, read back as the planner reads it."""
    team = generate_team(CASES)
    db = tmp_path / "k.db"
    campaign_store.import_cases(db, campaign_store.write_list(CASES, 1, tmp_path), CASES)
    figures = campaign_store.record_history(db, team, ATTEMPTS, seed=1)
    with Store.open(str(db)) as store:
        _, attempts, states = case_states(store, campaign_store.PLAN_AT.date())
    assert len(attempts) == figures.attempts
    assert max(a.at for a in attempts) < campaign_store.PLAN_AT
    end = WEEK_START + timedelta(days=5)
    assert figures.due_appointments == sum(
        1
        for s in states.values()
        if s.step is Step.APPOINTMENT and s.appointment and s.appointment.date() < end
    )
