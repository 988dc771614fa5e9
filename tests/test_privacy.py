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


def _demo_names(plan_csv: Path) -> list[str]:
    """The (fictional) names of everybody the demo plans: they are on every output."""
    import csv

    from planner import settings

    raw = (settings.DEMO_DIR / "kunden.csv").read_bytes()
    text = raw.decode("utf-8") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("cp1252")
    names = {
        r["Kunden-Nr"]: r["Name"].strip()
        for r in csv.DictReader(text.lstrip("\ufeff").splitlines(), delimiter=";")
    }
    with plan_csv.open(encoding="utf-8-sig") as f:
        planned = [r["kunden_nr"] for r in csv.DictReader(f, delimiter=";")
                   if r["status"] == "geplant"]  # fmt: skip
    return [names[i] for i in planned if names.get(i)]


def test_pdf_calendar_and_workbook_carry_no_names(demo_run) -> None:
    import openpyxl
    from pypdf import PdfReader

    _, out_dir = demo_run
    names = _demo_names(out_dir / "plan.csv")
    assert len(names) > 50
    pdfs = sorted((out_dir / "laufzettel").glob("*.pdf"))
    calendars = sorted((out_dir / "kalender").glob("*.ics"))
    assert len(pdfs) >= 15 and len(calendars) == 3  # a PDF per tour and per coach's week
    texts = {p.name: "\n".join(page.extract_text() or "" for page in PdfReader(p).pages)
             for p in pdfs}  # fmt: skip
    texts |= {p.name: p.read_text(encoding="utf-8").replace("\r\n ", "") for p in calendars}
    book = openpyxl.load_workbook(out_dir / "plan.xlsx")
    texts["plan.xlsx"] = " ".join(
        str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
        if c.value is not None
    )  # fmt: skip
    for source, text in texts.items():
        flat = " ".join(text.split())
        leaked = [n for n in names if n in flat]
        assert leaked == [], f"{source} shows names: {leaked[:3]}"
    assert all("BM-10" in texts[p.name] for p in pdfs)  # the Kunden-Nr is there instead


def test_pdfs_and_calendars_link_nothing_online(demo_run) -> None:
    from pypdf import PdfReader

    _, out_dir = demo_run
    for path in (out_dir / "laufzettel").glob("*.pdf"):
        for page in PdfReader(path).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                uri = str(action.get("/URI", "geo:"))
                assert uri.startswith(("geo:", "tel:")), (path.name, uri)
    for path in (out_dir / "kalender").glob("*.ics"):
        assert "http" not in path.read_text(encoding="utf-8").lower()


def test_letters_are_refused_without_names(tmp_path: Path) -> None:
    from planner import settings

    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.netguard", "plan", "--clients",
         str(settings.DEMO_DIR / "kunden.csv"), "--team", str(settings.DEMO_DIR / "team.toml"),
         "--from", "30.11.2026", "--out", str(out), "--briefe"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 1 and "--namen" in proc.stderr
    assert not out.exists()  # refused before planning: nothing written
