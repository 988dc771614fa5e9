"""Shared fixtures: an empty campaign database on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.store import Store
from tests import pg


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.Server]:
    try:
        server = pg.server()
    except pg.Unavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"{exc} – CI must not skip the PostgreSQL tests")
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, one per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kampagne.db'}"
        return
    server: pg.Server = request.getfixturevalue("pg_server")  # started only when needed
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as opened:
        yield opened
