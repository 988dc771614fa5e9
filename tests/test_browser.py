"""The map really runs in a browser with the network switched off.

Headless Chromium loads the rendered fixture map from a file URL while every host
name resolves to nothing and all traffic goes to a dead proxy, so any CDN request
would fail. The dumped DOM must then show what only a running Leaflet produces:
the map container, the numbered SVG markers and the route paths.

Skipped when no Chromium is installed, except under CI (``CI`` set), where a missing
browser is a failure. Regenerate the documentation screenshot with::

    .venv/bin/python -m tests.test_browser --screenshot docs/map-screenshot.png
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from planner.model import Plan
from planner.render import render_map, render_sheet

try:
    from tests import render_fixtures as rf
except ImportError:  # tests/ is not a package: pytest puts it on sys.path itself
    import render_fixtures as rf  # type: ignore[no-redef]

pytestmark = pytest.mark.browser

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags that keep Chromium from talking to anything: no DNS, a proxy nobody listens on.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--virtual-time-budget=5000",
    "--enable-logging=stderr",
    "--v=0",
)


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary (``CHROMIUM`` overrides the search)."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return shutil.which(explicit)  # a wrong setting counts as "not installed"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(
    binary: str, page: Path, extra: Sequence[str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium offline on ``page`` with a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="bm-chromium-") as profile:
        args = [binary, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def console_problems(stderr: str) -> list[str]:
    """Browser console lines about blocked loads or script errors."""
    lines = [line for line in stderr.splitlines() if ":CONSOLE" in line]
    bad = ("violates", "Uncaught", "Failed to load", "ERR_", "Refused")
    return [line for line in lines if any(word in line for word in bad)]


def render_demo_map(plan: Plan, path: Path) -> Path:
    """The fixture plan on the real district outline when the shared data are present."""
    real = rf.real_geodata()
    boundary, regions = real if real else (rf.make_boundary(), rf.make_region_outlines())
    labels = rf.real_place_labels() or {"Wetzlar": (50.5535, 8.5045), "Herborn": (50.682, 8.305)}
    return render_map(plan, path, boundary=boundary, region_outlines=regions, place_labels=labels)


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        message = "kein Chromium gefunden (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} – in CI darf dieser Test nicht übersprungen werden")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def map_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("browser")
    return render_map(
        rf.make_plan(),
        directory / "karte.html",
        boundary=rf.make_boundary(),
        region_outlines=rf.make_region_outlines(),
    )


def test_leaflet_runs_offline(chromium: str, map_page: Path) -> None:
    plan = rf.make_plan()
    proc = run_chromium(chromium, map_page, ["--dump-dom"])
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'class="folium-map leaflet-container' in dom
    markers = re.findall(r'<div class="leaflet-marker-icon bm-stop[^"]*"[^>]*>(.*?)</div>', dom)
    assert len(markers) == plan.planned_count
    numbers = sorted(int(re.search(r">(\d+)</text>", m).group(1)) for m in markers)  # type: ignore[union-attr]
    assert numbers == sorted(n for t in plan.tours for n in range(1, len(t.stops) + 1))
    assert len(re.findall(r'class="leaflet-marker-icon bm-office', dom)) == 2
    assert len(re.findall(r'class="leaflet-marker-icon bm-unplanned', dom)) == 1
    # Leaflet draws the straight route lines as SVG paths in the overlay pane.
    routes = re.findall(r'<path class="bm-route leaflet-interactive"[^>]*stroke-dasharray', dom)
    assert len(routes) == len(plan.tours)
    assert re.search(r'<path [^>]*stroke="#3C3C3C"[^>]*d="M', dom)  # district boundary
    assert "leaflet-control-layers" in dom and "leaflet-control-attribution" in dom
    assert "Jobcenter Wetzlar" in dom  # permanent office label = tooltip opened by Leaflet
    assert console_problems(proc.stderr) == []


def test_popup_opens_and_escapes(chromium: str, map_page: Path, tmp_path: Path) -> None:
    # Click the marker of the client with markup in the street, after trapping alert().
    probe = (
        "<script>window.alert = function (m) { document.body.setAttribute('data-alert', m); };"
        "document.querySelector('[title=\"Nr. 2 – K-1002\"]').click();</script></html>"
    )
    page = tmp_path / "popup.html"
    page.write_text(map_page.read_text(encoding="utf-8").replace("</html>", probe), "utf-8")
    proc = run_chromium(chromium, page, ["--dump-dom"])
    dom = proc.stdout
    content = re.search(r'<div class="leaflet-popup-content"[^>]*>(.*?)</div></div>', dom, re.S)
    assert content is not None, "Popup öffnete sich nicht"
    popup = content.group(1)
    assert "K-1002" in popup and "Ankunft" in popup and "Genauigkeit" in popup
    assert "&lt;img src=x" in popup and "<img" not in popup
    assert re.search(r"<body[^>]*data-alert", dom) is None  # no alert() ran
    assert console_problems(proc.stderr) == []


def test_day_filter_shows_one_day(chromium: str, map_page: Path, tmp_path: Path) -> None:
    probe = (
        "<script>Array.from(document.querySelectorAll('.bm-day'))"
        ".filter(function (b) { return b.textContent === 'Mo 30.11.'; })[0].click();"
        "</script></html>"
    )
    page = tmp_path / "day.html"
    page.write_text(map_page.read_text(encoding="utf-8").replace("</html>", probe), "utf-8")
    dom = run_chromium(chromium, page, ["--dump-dom"]).stdout
    monday = sum(len(t.stops) for t in rf.make_plan().tours if t.day == rf.MONDAY)
    assert len(re.findall(r'class="leaflet-marker-icon bm-stop', dom)) == monday
    assert re.search(r'<button[^>]*aria-pressed="true"[^>]*>Mo 30.11.</button>', dom)


def test_screenshots(chromium: str, tmp_path: Path) -> None:
    page = render_demo_map(rf.make_plan(), tmp_path / "karte.html")
    shot = tmp_path / "karte.png"
    proc = run_chromium(chromium, page, [f"--screenshot={shot}", "--window-size=1280,900"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    sheet = render_sheet(rf.make_plan().tours[1], tmp_path / "route.html")
    pdf = tmp_path / "route.pdf"
    proc = run_chromium(chromium, sheet, [f"--print-to-pdf={pdf}", "--no-pdf-header-footer"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-"


def _main() -> None:
    parser = argparse.ArgumentParser(description="Screenshot der Beispielkarte erzeugen")
    parser.add_argument("--screenshot", type=Path, default=Path("docs/map-screenshot.png"))
    parser.add_argument("--size", default="1280,900")
    options = parser.parse_args()
    binary = find_chromium()
    if binary is None:
        raise SystemExit("kein Chromium gefunden (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        page = render_demo_map(rf.make_plan(), Path(tmp) / "karte.html")
        target = options.screenshot.resolve()
        proc = run_chromium(
            binary, page, [f"--screenshot={target}", f"--window-size={options.size}"]
        )
    if proc.returncode != 0 or not target.exists():
        raise SystemExit(proc.stderr[-2000:])
    print(target)


if __name__ == "__main__":
    _main()
