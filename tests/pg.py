"""A PostgreSQL server for the store tests (helper module, not a test file).

``PLANNER_TEST_PG_URL`` names an existing server (its role needs CREATEDB), e.g.
``postgresql+psycopg://planner:secret@localhost/postgres``. Without it, a throw-away
cluster is started from the ``initdb``/``pg_ctl`` found on this machine: in a temporary
folder, listening only on a unix socket inside that folder (no TCP port), with fsync off.
initdb refuses to run as root, so as root the cluster runs as ``postgres`` (or
``nobody``) through ``runuser``. Each test gets its own database.

Under pytest-xdist every worker process starts its own cluster (the fixture is
session-scoped, and a session is one worker); socket folders differ, so they never clash.
"""

from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL, make_url

ENV_URL = "PLANNER_TEST_PG_URL"
_SEARCH = ("/usr/local/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
_SUPERUSER = "planner_test"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be had; the message says why and what to do."""


@dataclass
class Server:
    """A server the tests may create and drop databases on."""

    admin_url: URL  # SQLAlchemy URL of a database to connect to for CREATE/DROP DATABASE
    cluster: Path | None = None  # the throw-away cluster's folder (None: external server)
    run_as: list[str] = field(default_factory=list)  # runuser prefix when running as root
    bindir: Path | None = None

    def create_database(self) -> str:
        """A new empty database; returns its SQLAlchemy URL (password included)."""
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"planner_test_{worker}_{uuid.uuid4().hex[:10]}"
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database or ""
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        self._admin(query)

    def _admin(self, query: sql.Composed) -> None:
        libpq = self.admin_url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True) as connection:
            connection.execute(query)

    def stop(self) -> None:
        if self.cluster is None or self.bindir is None:
            return
        try:
            subprocess.run(
                [
                    *self.run_as,
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.cluster / "data"),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
        finally:
            shutil.rmtree(self.cluster, ignore_errors=True)


def server() -> Server:
    """The server named by ``PLANNER_TEST_PG_URL`` or a fresh cluster; else ``Unavailable``."""
    if url := os.environ.get(ENV_URL):
        admin = make_url(url)
        if admin.drivername == "postgresql":
            admin = admin.set(drivername="postgresql+psycopg")
        return Server(admin)
    bindir = find_bindir()
    if bindir is None:
        raise Unavailable(
            f"no PostgreSQL for the store tests: set {ENV_URL} or install the server "
            "(initdb and pg_ctl, e.g. apt-get install postgresql)"
        )
    return start_cluster(bindir)


def find_bindir() -> Path | None:
    """A folder holding both ``initdb`` and ``pg_ctl`` (PATH first)."""
    on_path = shutil.which("initdb")
    folders = ([str(Path(on_path).parent)] if on_path else []) + list(_SEARCH)
    for folder in folders:
        path = Path(folder)
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path  # symlinks are fine: both find `postgres` beside their real file
    return None


def _run_as() -> list[str]:
    """Prefix that runs the server as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    # runuser lives in /usr/sbin, which a plain PATH may lack.
    runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
    users = [u for u in ("postgres", "nobody") if u in {p.pw_name for p in pwd.getpwall()}]
    if runuser is None or not users:
        raise Unavailable("running as root, and no runuser or no user postgres/nobody for initdb")
    return [runuser, "-u", users[0], "--"]


def start_cluster(bindir: Path) -> Server:
    """initdb and start a cluster in a new temporary folder; unix socket only."""
    run_as = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="planner-pg-"))  # short: socket paths max ~107
    try:
        if run_as:
            shutil.chown(folder, user=run_as[2])
        data, log = folder / "data", folder / "server.log"
        _call(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                _SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            "initdb",
        )
        # pg_ctl hands the options to a shell: quote the folder.
        options = (
            f"-c listen_addresses='' -k {shlex.quote(str(folder))} "
            "-c fsync=off -c full_page_writes=off"
        )
        _call(
            [
                *run_as,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            "pg_ctl start",
            log,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    admin = URL.create(
        "postgresql+psycopg", username=_SUPERUSER, database="postgres", query={"host": str(folder)}
    )
    return Server(admin, cluster=folder, run_as=run_as, bindir=bindir)


def _call(command: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        if log is not None and log.is_file():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise Unavailable(f"{what} failed ({done.returncode}): {detail}")
