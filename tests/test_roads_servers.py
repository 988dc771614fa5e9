"""Own servers (opt-in): a real ``osrm-routed`` on the Monaco data, a local Nominatim
stand-in, the ``[server]`` section, cache and rate limit; and offline by default."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.geocode.osm_addresses import AddressHit
from planner.geocode.remote import RemoteStreets
from planner.intake.team import load_team
from planner.model import Precision
from planner.roads import osrm_adapter
from planner.roads.context import road_context
from planner.roads.dataset import RoadData
from planner.roads.errors import ServerConfigError
from planner.roads.importer import osrm_base
from planner.roads.provider import RoadTravelTimes
from planner.roads.servers import HttpOsrm, RateLimiter, ServerCache, read_servers
from tests.roads_data import MONACO_PBF, MONACO_STOPS, monaco_plan, prepare_monaco

ROOT = Path(__file__).resolve().parents[1]
POINTS = [(lat, lon) for _, lat, lon, _ in MONACO_STOPS]
pytestmark = pytest.mark.skipif(not MONACO_PBF.is_file(), reason="../shared fehlt")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def monaco(tmp_path_factory: pytest.TempPathFactory) -> RoadData:
    return RoadData.open(prepare_monaco(tmp_path_factory))


@pytest.fixture(scope="module")
def routed(monaco: RoadData) -> Iterator[str]:
    """The real osrm-routed shipped in the bindings, on the prepared Monaco data."""
    port = _free_port()
    process = subprocess.Popen(
        [str(osrm_adapter.tool("osrm-routed")), "--ip", "127.0.0.1", "--port", str(port),
         "--algorithm", "CH", str(osrm_base(monaco.folder))],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail("osrm-routed startete nicht")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_http_osrm_matches_in_process_osrm(routed: str, monaco: RoadData, tmp_path: Path) -> None:
    cache = ServerCache(tmp_path / "cache.sqlite")
    backend = HttpOsrm(routed, cache, RateLimiter(0.0), timeout_s=10)
    http = RoadTravelTimes(backend, "eigener OSRM-Server")
    over_http = http.matrix(POINTS)
    local = monaco.travel.matrix(POINTS)
    assert not over_http.is_estimate
    assert np.abs(over_http.seconds - local.seconds).max() <= 1
    assert np.abs(over_http.metres - local.metres).max() <= 1
    asked = backend.requests
    assert np.array_equal(http.matrix(POINTS).seconds, over_http.seconds)
    assert backend.requests == asked  # the second matrix came from the cache
    assert len(http.path(POINTS[0], POINTS[3])) > 5


def test_http_tables_are_split_and_rate_limited(routed: str, tmp_path: Path) -> None:
    limiter = RateLimiter(0.15)
    backend = HttpOsrm(routed, ServerCache(tmp_path / "c.sqlite"), limiter, timeout_s=10)
    many = [(43.728 + 0.0004 * i, 7.415 + 0.0005 * (i % 7)) for i in range(120)]
    table = backend.table(many, many[:3])
    assert table.seconds.shape == (120, 3) and not np.isnan(table.seconds).all()
    assert backend.requests == 3 and len(limiter.granted) == 3  # 3 blocks of at most 100 points
    starts = list(limiter.granted)
    assert all(b - a >= 0.15 - 1e-6 for a, b in zip(starts, starts[1:], strict=False))


class _FakeClock:
    """A clock that only moves when the limiter sleeps or the test advances it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@given(gaps=st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=30))
def test_rate_limiter_spaces_requests_whatever_the_caller_does(gaps: list[float]) -> None:
    clock = _FakeClock()
    limiter = RateLimiter(0.25, clock=clock, sleep=clock.sleep)
    for gap in gaps:
        limiter.wait()
        clock.now += gap  # the request itself and whatever the caller does in between
    limiter.wait()
    starts = list(limiter.granted)
    assert all(b - a >= 0.25 - 1e-9 for a, b in zip(starts, starts[1:], strict=False))
    # It sleeps only as long as needed: a request after a long pause goes at once.
    expected = sum(max(0.0, 0.25 - gap) for gap in gaps)
    assert abs(sum(clock.slept) - expected) < 1e-9 and abs(limiter.waited_s - expected) < 1e-9


def test_team_file_server_section_plans_over_http(routed: str, tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text(
        (ROOT / "planner" / "resources" / "demo" / "team.toml").read_text(encoding="utf-8")
        + f'\n[server]\nosrm = "{routed}"\nanfragen_pro_sekunde = 50\ncache = "zwischen.sqlite"\n',
        encoding="utf-8",
    )
    assert load_team(team).coaches  # the team loader accepts [server]
    context = road_context(None, team)
    assert context.travel is not None and not context.travel.is_estimate
    assert context.overlay is not None and context.overlay.path is not None
    plan = monaco_plan(context.travel)
    assert "eigener OSRM-Server" in plan.travel_model and plan.planned_count == len(POINTS)
    assert (tmp_path / "zwischen.sqlite").is_file()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('osrm = "https://router.project-osrm.org"', "öffentlichen Server"),
        ('nominatim = "https://nominatim.openstreetmap.org/"', "öffentlichen Server"),
        ('osrm = "ftp://osrm.intern"', "keine http"),
        ("osrm_url = 'http://x'", "unbekannter Schlüssel"),
        ("anfragen_pro_sekunde = 0", "zwischen 0 und 100"),
    ],
)
def test_server_section_errors(tmp_path: Path, section: str, message: str) -> None:
    team = tmp_path / "team.toml"
    team.write_text(f"[server]\n{section}\n", encoding="utf-8")
    with pytest.raises(ServerConfigError, match=message):
        read_servers(team)


def test_nothing_configured_means_offline(tmp_path: Path) -> None:
    team = tmp_path / "team.toml"
    team.write_text("standard_besuchsdauer_min = 60\n", encoding="utf-8")
    assert not read_servers(team).any
    context = road_context(None, team)
    assert context.travel is None and context.resolver is None and context.overlay is None


class _Nominatim(BaseHTTPRequestHandler):
    calls: list[str] = []  # noqa: RUF012 - shared by the test server's handlers

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).calls.append(self.path)
        body = [
            {"lat": "50.70125", "lon": "8.34120", "addresstype": "building",
             "class": "building", "type": "house", "display_name": "Hauptstraße 10"}
        ]  # fmt: skip
        data = json.dumps(body).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def test_own_nominatim_is_asked_once_per_address(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nominatim)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        cache = ServerCache(tmp_path / "cache.sqlite")
        remote = RemoteStreets("nominatim", url, cache, RateLimiter(0.0), timeout_s=5)
        near = (50.7016, 8.3428)
        first = remote.lookup("Hauptstraße", "10", postcode="35745", city="Herborn", near=near)
        again = remote.lookup("Hauptstraße", "10", postcode="35745", city="Herborn", near=near)
        assert isinstance(first, AddressHit) and first.precision is Precision.HOUSE_NUMBER
        assert again == first and len(_Nominatim.calls) == 1 and remote.requests == 1
        assert (
            "street=Hauptstra" in _Nominatim.calls[0] and "postalcode=35745" in _Nominatim.calls[0]
        )
        far = remote.lookup("Hauptstraße", "10", postcode="35745", near=(50.55, 8.50))
        assert far is None  # the answer lies 20 km from the village: not this street
        raw = (tmp_path / "cache.sqlite").read_bytes()
        assert b"Hauptstra" not in raw and b"35745" not in raw  # only hashes are stored
    finally:
        server.shutdown()


def test_road_commands_open_no_network(monaco: RoadData, tmp_path: Path) -> None:
    points = tmp_path / "p.csv"
    points.write_text(
        "\n".join(f"{i};{a};{b}" for i, a, b, _ in MONACO_STOPS) + "\n", encoding="utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "tests.netguard", "roads", "matrix", str(points),
         "--strassen", str(monaco.folder), "--out", str(tmp_path / "m.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "NETWORK ATTEMPTS" not in proc.stderr
