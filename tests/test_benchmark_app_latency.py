"""Smoke test of the app-latency benchmark (benchmarks/app_latency.py) on a tiny store.

No timing is asserted: only that every page answers for its account, every figure is
produced and the report and CSV are written.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks import app_latency
from benchmarks._report import write_section

ARGV = ["--cases", "60", "--attempts", "400", "--solutions", "5", "--repeat", "3", "--no-write"]


@pytest.fixture(scope="module")
def measured(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[app_latency.Prepared, list[app_latency.Timing]]:
    store = tmp_path_factory.mktemp("app-latency")
    return app_latency.run(app_latency.parse_args([*ARGV, "--store", str(store)]))


def test_every_page_is_measured(
    measured: tuple[app_latency.Prepared, list[app_latency.Timing]],
) -> None:
    prepared, timings = measured
    assert prepared.cases == 60 and 0 < prepared.attempts <= 400
    assert prepared.coach and prepared.published > 0
    labels = [(t.page.label, t.page.account) for t in timings]
    expected = [(p.label, p.account) for p in app_latency.pages(prepared)]
    after = [
        (app_latency.AFTER_CALL, prepared.coach),
        (app_latency.AFTER_DECLINE, prepared.coach),
        (app_latency.AFTER_CHANGE, app_latency.LEAD),
    ]
    assert labels == [*expected, *after]
    for t in timings:
        assert t.status == 200
        # Fewer plan changes when the tiny week has fewer visits left to take out.
        assert len(t.cpu_ms) == len(t.wall_ms) == 3 or t.page.label == app_latency.AFTER_CHANGE
        assert t.wall_ms and all(w > 0 for w in t.wall_ms) and t.p50_wall <= t.p95_wall


def test_the_store_is_reused(
    measured: tuple[app_latency.Prepared, list[app_latency.Timing]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    prepared, _ = measured
    args = app_latency.parse_args([*ARGV, "--store", str(prepared.db.parent)])
    again = app_latency.prepare(prepared.db.parent, args)
    assert "store: reused" in capsys.readouterr().out
    assert again.coach == prepared.coach and again.published == prepared.published


def test_report_and_csv(
    measured: tuple[app_latency.Prepared, list[app_latency.Timing]], tmp_path: Path
) -> None:
    prepared, timings = measured
    args = app_latency.parse_args(ARGV)
    text = app_latency.markdown(timings, prepared, args)
    assert "| " + " | ".join(app_latency.TABLE_HEADER) + " |" in text
    assert "Anrufliste nach einem Anruf" in text and f"coach `{prepared.coach}`" in text
    report = write_section(app_latency.SECTION, text, tmp_path / "b.md")
    assert "<!-- app_latency:start -->" in report.read_text(encoding="utf-8")
    table = app_latency.write_csv(timings, tmp_path / "a.csv")
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(timings)
    assert all(float(r["p95_wall_ms"]) > 0 for r in rows)


def test_percentile() -> None:
    values = [float(v) for v in range(1, 101)]
    assert app_latency.percentile(values, 50) == pytest.approx(50.5)
    assert app_latency.percentile(values, 95) == pytest.approx(95.05)
    assert app_latency.percentile([7.0], 95) == 7.0 and app_latency.percentile([], 95) == 0.0
