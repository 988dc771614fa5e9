"""The job centre's own servers (opt-in): ``[server]`` of the team file, cache, rate limit.

Off by default. Only a team file with a section like ::

    [server]
    osrm = "http://osrm.intern:5000"        # Fahrzeiten (eigener osrm-routed)
    nominatim = "https://geo.intern/nominatim"  # Adressen (eigener Nominatim)
    photon = "http://geo.intern:2322"       # oder Photon
    anfragen_pro_sekunde = 1
    cache = "server-cache.sqlite"

makes the planner send anything anywhere. Public servers are refused (their usage
policies forbid it and a request would hand a client's address to a third party).
Every answer is kept in a local SQLite cache under the SHA-256 of the request, so the
same plan asks each question once; the file holds positions and times, never address
text or street names.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from planner import settings
from planner.roads.errors import ServerConfigError, ServerUnavailable
from planner.roads.osrm_adapter import Table

__all__ = ["HttpOsrm", "RateLimiter", "ServerCache", "ServerConfig", "read_servers"]

LatLon = tuple[float, float]
_KEYS = ("osrm", "nominatim", "photon", "anfragen_pro_sekunde", "cache", "zeitlimit_s")


@dataclass(frozen=True)
class ServerConfig:
    """What ``[server]`` names; every URL may be empty (not configured)."""

    osrm: str = ""
    nominatim: str = ""
    photon: str = ""
    min_interval_s: float = settings.SERVER_MIN_INTERVAL_S
    cache: Path = Path(settings.SERVER_CACHE_FILE)
    timeout_s: float = settings.SERVER_TIMEOUT_S

    @property
    def any(self) -> bool:
        return bool(self.osrm or self.nominatim or self.photon)


def read_servers(team_file: Path) -> ServerConfig:
    """``[server]`` of a team file; an empty config when the section is absent."""
    try:
        data = tomllib.loads(team_file.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ServerConfig()  # the team loader reports unreadable files in German
    section = data.get("server")
    if section is None:
        return ServerConfig()
    where = f"{team_file.name}, [server]"
    if not isinstance(section, dict):
        raise ServerConfigError(f"{where}: muss ein Abschnitt [server] sein.")
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise ServerConfigError(
            f"{where}: unbekannter Schlüssel „{unknown[0]}“. Erlaubt sind: "
            + ", ".join(f"„{k}“" for k in _KEYS)
            + "."
        )
    urls = {key: _url(where, key, section.get(key, "")) for key in ("osrm", "nominatim", "photon")}
    rate = section.get("anfragen_pro_sekunde", 1 / settings.SERVER_MIN_INTERVAL_S)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 100:
        raise ServerConfigError(f"{where}: „anfragen_pro_sekunde“ muss zwischen 0 und 100 liegen.")
    timeout = section.get("zeitlimit_s", settings.SERVER_TIMEOUT_S)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ServerConfigError(f"{where}: „zeitlimit_s“ muss eine Zahl über 0 sein.")
    cache = section.get("cache", settings.SERVER_CACHE_FILE)
    if not isinstance(cache, str) or not cache.strip():
        raise ServerConfigError(f"{where}: „cache“ muss ein Dateiname sein.")
    cache_path = Path(cache)
    if not cache_path.is_absolute():
        cache_path = team_file.parent / cache_path
    return ServerConfig(
        osrm=urls["osrm"], nominatim=urls["nominatim"], photon=urls["photon"],
        min_interval_s=1 / float(rate), cache=cache_path, timeout_s=float(timeout),
    )  # fmt: skip


def _url(where: str, key: str, value: object) -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str):
        raise ServerConfigError(f"{where}: „{key}“ muss eine Adresse in Anführungszeichen sein.")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerConfigError(
            f"{where}: „{key}“ = „{value}“ ist keine http(s)-Adresse (z. B. http://osrm.intern:5000)."
        )
    host = parts.hostname.lower()
    if any(
        host == public or host.endswith("." + public) for public in settings.PUBLIC_SERVER_HOSTS
    ):
        raise ServerConfigError(
            f"{where}: „{key}“ nennt den öffentlichen Server {host}. Das ist nicht erlaubt: jede "
            "Anfrage würde Adressen oder Positionen von Kundinnen und Kunden an Dritte senden. "
            "Bitte einen eigenen Server des Jobcenters eintragen."
        )
    return value.strip().rstrip("/")


# --------------------------------------------------------------------------- cache, rate limit


class ServerCache:
    """Answers by request hash in one SQLite file (thread-safe; several processes may share it)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (kind TEXT, key TEXT, value TEXT, at REAL, "
            "PRIMARY KEY (kind, key))"
        )
        self._db.commit()
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get(self, kind: str, text: str) -> Any | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM answers WHERE kind = ? AND key = ?", (kind, self.key(text))
            ).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, kind: str, text: str, value: Any) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                (kind, self.key(text), json.dumps(value), time.time()),
            )
            self._db.commit()

    def close(self) -> None:
        self._db.close()


class RateLimiter:
    """At most one request per ``min_interval_s`` (per process).

    ``clock`` and ``sleep`` default to the monotonic clock; tests pass their own so
    that the spacing is checked without depending on how busy the machine is.
    """

    def __init__(
        self,
        min_interval_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = min_interval_s
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()
        self.waited_s = 0.0
        # When the latest requests were let through (bounded: the app runs for days).
        self.granted: deque[float] = deque(maxlen=1000)

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if now < self._next:
                self.waited_s += self._next - now
                self._sleep(self._next - now)
                now = max(self._next, self._clock())
            self.granted.append(now)
            self._next = now + self._interval


def get_json(url: str, timeout_s: float) -> Any:
    """One GET with a German error on failure (no retries: the cache makes reruns cheap)."""
    request = urllib.request.Request(url, headers={"User-Agent": "beratung-mobil-planner"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        host = urlsplit(url).netloc
        raise ServerUnavailable(f"Server {host} antwortet nicht nutzbar: {exc}") from exc


# --------------------------------------------------------------------------- OSRM over HTTP


class HttpOsrm:
    """The job centre's own ``osrm-routed``: table and route over HTTP, cached, rate-limited.

    Tables are split into blocks of at most ``SERVER_OSRM_TABLE_MAX`` points, the server's
    default limit.
    """

    def __init__(self, base_url: str, cache: ServerCache, limiter: RateLimiter, timeout_s: float):
        self._base = base_url.rstrip("/")
        self._cache = cache
        self._limiter = limiter
        self._timeout = timeout_s
        self.requests = 0

    def _get(self, path: str) -> Any:
        url = f"{self._base}{path}"
        cached = self._cache.get("osrm", url)
        if cached is not None:
            return cached
        self._limiter.wait()
        self.requests += 1
        answer = get_json(url, self._timeout)
        if answer.get("code") != "Ok":
            detail = f"{answer.get('code')} {answer.get('message', '')}".strip()
            raise ServerUnavailable(f"OSRM-Server {urlsplit(url).netloc}: {detail}")
        answer = _slim(answer)
        self._cache.put("osrm", url, answer)
        return answer

    def table(self, origins: Sequence[LatLon], destinations: Sequence[LatLon]) -> Table:
        """Every origin to every destination, in blocks the server accepts."""
        n, m = len(origins), len(destinations)
        seconds = np.full((n, m), np.nan)
        metres = np.full((n, m), np.nan)
        origin_snap = [0.0] * n
        destination_snap = [0.0] * m
        origin_at: list[LatLon] = list(origins)
        destination_at: list[LatLon] = list(destinations)
        half = max(1, settings.SERVER_OSRM_TABLE_MAX // 2)
        for i0 in range(0, n, half):
            block_o = origins[i0 : i0 + half]
            for j0 in range(0, m, half):
                block_d = destinations[j0 : j0 + half]
                points = [*block_o, *block_d]
                coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
                sources = ";".join(str(i) for i in range(len(block_o)))
                targets = ";".join(str(len(block_o) + j) for j in range(len(block_d)))
                answer = self._get(
                    f"/table/v1/driving/{coords}?sources={sources}&destinations={targets}"
                    "&annotations=duration,distance"
                )
                for i, row in enumerate(answer["durations"]):
                    for j, value in enumerate(row):
                        seconds[i0 + i, j0 + j] = np.nan if value is None else value
                for i, row in enumerate(answer["distances"]):
                    for j, value in enumerate(row):
                        metres[i0 + i, j0 + j] = np.nan if value is None else value
                for i, item in enumerate(answer["sources"]):
                    origin_snap[i0 + i] = float(item.get("distance", 0.0))
                    origin_at[i0 + i] = (item["location"][1], item["location"][0])
                for j, item in enumerate(answer["destinations"]):
                    destination_snap[j0 + j] = float(item.get("distance", 0.0))
                    destination_at[j0 + j] = (item["location"][1], item["location"][0])
        return Table(
            seconds, metres, tuple(origin_snap), tuple(destination_snap),
            tuple(origin_at), tuple(destination_at),
        )  # fmt: skip

    def route(self, points: Sequence[LatLon]) -> tuple[LatLon, ...]:
        if len(points) < 2:
            return tuple(points)
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        answer = self._get(f"/route/v1/driving/{coords}?overview=full&geometries=geojson")
        line = answer["routes"][0]["geometry"]["coordinates"]
        return tuple((float(c[1]), float(c[0])) for c in line)


def _slim(answer: dict[str, Any]) -> dict[str, Any]:
    """Only what the planner reads: no street names or hints go into the cache."""
    slim: dict[str, Any] = {"code": answer.get("code")}
    for key in ("durations", "distances"):
        if key in answer:
            slim[key] = answer[key]
    for key in ("sources", "destinations"):
        if key in answer:
            slim[key] = [
                {"distance": w.get("distance", 0.0), "location": w["location"]} for w in answer[key]
            ]
    if "routes" in answer:
        slim["routes"] = [{"geometry": r["geometry"]} for r in answer["routes"][:1]]
    return slim
