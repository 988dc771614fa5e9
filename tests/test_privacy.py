"""Privacy: the whole pipeline runs with the network blocked, and shows no names by default."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_guard_really_blocks() -> None:
    # The guard must catch an ordinary HTTP request, or the test below proves nothing.
    code = (
        "from tests import netguard; netguard.block()\n"
        "import urllib.request\n"
        "try:\n    urllib.request.urlopen('http://example.org', timeout=1)\n"
        "except Exception as e:\n    print(type(e).__name__, netguard.attempts)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.startswith("NetworkBlocked") and "example.org" in out.stdout


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out_dir = tmp_path_factory.mktemp("demo")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.netguard",
            "demo",
            "--out",
            str(out_dir),
            "--loesungen",
            "150",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc, out_dir


def test_demo_cli_runs_with_sockets_blocked(demo_run) -> None:
    proc, out_dir = demo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "NETWORK ATTEMPTS" not in proc.stderr
    assert (out_dir / "karte.html").is_file()
    assert (out_dir / "plan.csv").is_file()
    assert list((out_dir / "laufzettel").glob("*.html"))


def test_outputs_reference_nothing_online(demo_run) -> None:
    _, out_dir = demo_run
    for page in [out_dir / "karte.html", *(out_dir / "laufzettel").glob("*.html")]:
        html = page.read_text(encoding="utf-8")
        loads = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, flags=re.I)
        assert loads == [], f"{page.name} loads from the network: {loads[:3]}"
        assert "@import" not in html and "url(http" not in html


def test_names_hidden_unless_asked(demo_run) -> None:
    _, out_dir = demo_run
    # A fictional name from the demo list must not appear on map, sheets or plan.csv.
    for page in [
        out_dir / "karte.html",
        out_dir / "plan.csv",
        *(out_dir / "laufzettel").glob("*.html"),
    ]:
        text = page.read_text(encoding="utf-8-sig")
        assert "Selin Aksoy" not in text and "Mehmet Demir" not in text
    assert "BM-10" in (out_dir / "karte.html").read_text(encoding="utf-8")
