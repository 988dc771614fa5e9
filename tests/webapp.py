"""Shared by the browser-app tests: a demo store with accounts, a clock, a logged-in client.

The store holds the demo client list imported on Monday 30.11.2026 (the demo week) and
three outcomes that give cases a Bezugscoach: BM-1001 reached by Anna, BM-1002 by Jonas,
BM-1003 declined at Anna's call (closed). Accounts (password ``PASSWORD`` each): ``lea``
(leitung), ``anna`` and ``jonas`` (coach), ``ohne`` (coach without a coach key).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from planner import settings
from planner.campaign.codes import AttemptKind, Outcome
from planner.campaign.model import Attempt
from planner.geocode import resolve_office_address
from planner.intake import load_team
from planner.model import Team
from planner.store import Role, Store
from planner.web import create_app, passwords
from planner.workflow import import_list, record_attempts

TEAM_FILE = settings.DEMO_DIR / "team.toml"
DAY = date(2026, 11, 30)
PASSWORD = "lange-genug-123"
#: argon2id with tiny cost: the tests log in often; the real parameters are tested in
#: tests/test_cli.py (planner user add) and by ``passwords.needs_rehash``.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def team() -> Team:
    return load_team(TEAM_FILE, resolve_address=resolve_office_address)


def seed(path: Path) -> None:
    """The demo store described in the module docstring."""
    with Store.open(str(path)) as store:
        import_list(store, settings.DEMO_DIR / "kunden.csv", team(), today=DAY, user="import")
        at = datetime(2026, 11, 27, 10, 0)
        outcomes = (
            Attempt("BM-1001", at, "anna", AttemptKind.CALL, Outcome.REACHED, note="Notiz A"),
            Attempt("BM-1002", at, "jonas", AttemptKind.CALL, Outcome.REACHED),
            Attempt("BM-1003", at, "anna", AttemptKind.CALL, Outcome.DECLINED),
        )
        record_attempts(store, outcomes, user="import", now=at)
        for name, role, coach in (
            ("lea", Role.LEAD, None),
            ("anna", Role.COACH, "anna"),
            ("jonas", Role.COACH, "jonas"),
            ("ohne", Role.COACH, None),
        ):
            store.add_user(name, role, CHEAP.hash(PASSWORD), coach, user="admin")


@dataclass
class Clock:
    """A settable wall clock for the app (sessions, rate limit, audit times)."""

    at: datetime = datetime(2026, 11, 30, 9, 0)

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "vorlage.db"
    seed(path)
    return path


@pytest.fixture
def db(seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the seeded store for one test (and cheap password hashing)."""
    monkeypatch.setattr(passwords, "_HASHER", CHEAP)
    path = tmp_path / "kampagne.db"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(db: Path, clock: Clock) -> Iterator[TestClient]:
    app = create_app(str(db), TEAM_FILE, secret=b"t" * 32, today=lambda: DAY, now=clock.now)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def login_token(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def log_in(client: TestClient, name: str, password: str = PASSWORD, **extra: str) -> Any:
    """POST the login form (with a fresh form token) and return the response."""
    data = {"name": name, "passwort": password, "token": login_token(client), **extra}
    return client.post("/login", data=data)


def csrf(client: TestClient, path: str = "/faelle") -> str:
    """The CSRF token of the logged-in session, read from a page's logout form."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def store_of(db: Path) -> Store:
    return Store.open(str(db))
