"""Interrupted runs and the output folder: previous plan or new plan, never a mix."""

from __future__ import annotations

import fcntl
import hashlib
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from planner import settings
from planner.cli import main

DEMO_CLIENTS = settings.DEMO_DIR / "kunden.csv"
DEMO_TEAM = settings.DEMO_DIR / "team.toml"
#: A search that would run for minutes: only the signal can end it in time.
ENDLESS = ["--loesungen", "1000000", "--zeitlimit", "900"]


def _plan_args(out: Path, *extra: str) -> list[str]:
    return [
        "plan", "--clients", str(DEMO_CLIENTS), "--team", str(DEMO_TEAM),
        "--from", "30.11.2026", "--out", str(out), *extra,
    ]  # fmt: skip


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete plan from an earlier run (a quick one)."""
    out = tmp_path_factory.mktemp("vorher") / "plan"
    assert main(_plan_args(out, "--loesungen", "5")) == 0
    return out


def _copy_of(previous: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "plan"
    shutil.copytree(previous, target)
    return target


@pytest.mark.parametrize(
    ("signum", "code", "name"),
    [(signal.SIGINT, 130, "Strg+C"), (signal.SIGTERM, 143, "SIGTERM")],
)
def test_signal_during_the_search_aborts_and_keeps_the_previous_plan(
    previous: Path, tmp_path: Path, signum: int, code: int, name: str
) -> None:
    out = _copy_of(previous, tmp_path)
    before = _digest(out)
    run = subprocess.Popen(
        [sys.executable, "-m", "planner", *_plan_args(out, *ENDLESS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(6)  # reading and geocoding take about 2 s: the search is running by now
    assert run.poll() is None, run.communicate()
    run.send_signal(signum)
    sent = time.monotonic()
    stdout, stderr = run.communicate(timeout=60)
    assert time.monotonic() - sent < 30  # the search stopped, it did not run to its limit
    assert run.returncode == code, stderr
    assert f"Abgebrochen ({name})" in stderr
    assert "Traceback" not in stderr + stdout
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".plan.lock", "plan"]


def test_crash_while_writing_leaves_the_previous_plan(
    previous: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import planner.render

    out = _copy_of(previous, tmp_path)
    before = _digest(out)

    def dies_half_way(*args: object, **kwargs: object) -> Path:
        raise KeyboardInterrupt  # as if Ctrl+C came while the CSV was being written

    monkeypatch.setattr(planner.render, "write_plan_csv", dies_half_way)
    assert main(_plan_args(out, "--loesungen", "5")) == 130
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".plan.lock", "plan"]


def test_stale_route_sheets_do_not_survive_a_new_run(previous: Path, tmp_path: Path) -> None:
    out = _copy_of(previous, tmp_path)
    stale = out / "laufzettel" / "2026-11-23_ehemalige-coach.html"
    stale.write_text("<p>alt</p>", encoding="utf-8")
    assert main(_plan_args(out, "--loesungen", "5")) == 0
    assert not stale.exists()
    assert (out / "plan.csv").exists() and (out / "karte.html").exists()


def test_second_run_into_a_folder_in_use_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan"
    with open(tmp_path / ".plan.lock", "w") as lock:  # another run holds the folder
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(_plan_args(out, "--loesungen", "5")) == 7
    assert "schreibt gerade ein anderer Planungslauf" in capsys.readouterr().err
    assert not out.exists()


def test_out_is_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.csv"
    target.write_text("meine Datei", encoding="utf-8")
    began = time.process_time()
    assert main(_plan_args(target)) == 7
    assert time.process_time() - began < 5  # refused before planning
    assert "ist eine Datei, kein Ordner" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "meine Datei"


def test_out_with_foreign_files_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "steuererklaerung.pdf").write_bytes(b"%PDF")
    assert main(_plan_args(tmp_path)) == 7
    assert "enthält andere Dateien (steuererklaerung.pdf)" in capsys.readouterr().err
    assert (tmp_path / "steuererklaerung.pdf").exists()


def test_out_in_a_read_only_place(capsys: pytest.CaptureFixture[str]) -> None:
    # /sys refuses new entries even for root: a read-only folder that works in CI.
    assert main(_plan_args(Path("/sys/beratung-mobil-test/plan"))) == 7
    assert "kann nicht geschrieben werden" in capsys.readouterr().err


def test_report_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--clients", str(DEMO_CLIENTS), "--report", str(tmp_path)]) == 7
    assert "ist ein Ordner" in capsys.readouterr().err


def test_report_in_a_read_only_place(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--clients", str(DEMO_CLIENTS), "--report", "/sys/bericht.csv"])
    assert code == 7
    assert "kann nicht geschrieben werden" in capsys.readouterr().err


def test_library_write_outputs_returns_the_final_paths(tmp_path: Path) -> None:
    from planner.intake import load_team
    from planner.pipeline import write_outputs
    from tests import render_fixtures

    target = tmp_path / "ausgabe"
    written = write_outputs(render_fixtures.make_plan(), target, load_team(DEMO_TEAM))
    assert written.csv == target.absolute() / "plan.csv" and written.csv.exists()
    assert all(p.exists() and p.parent.parent == target.absolute() for p in written.sheets)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ausgabe.lock", "ausgabe"]
