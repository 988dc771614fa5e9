"""The campaign store: cases, attempts, publications and the audit log in SQL.

Pure data crosses the boundary: every method takes and returns the dataclasses of
:mod:`planner.campaign.model`, never ORM rows. The schema is migrated to the newest
revision whenever a store is opened (Alembic scripts shipped in ``migrations``).

Append-only: attempts and audit entries are never updated or deleted, with one exception
that data protection demands: :meth:`Store.purge_closed` blanks the ``note`` of attempts
of long-closed cases.

Audit entries name the user, the action and field *labels* ("Telefon, Adresse"), never
a value, so the log holds no name, phone number or address.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from zoneinfo import ZoneInfo

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from planner.campaign.codes import AttemptKind, CaseStatus, Outcome
from planner.campaign.model import Attempt, Case, PinnedVisit, Publication
from planner.model import Address, Client, Precision, Site, VisitPlace, WeeklyWindow
from planner.store.errors import StoreError, UnknownCase
from planner.store.schema import (
    AttemptRow,
    AuditRow,
    CaseRow,
    PinnedVisitRow,
    PublicationRow,
    RevisionRow,
    UserRow,
    WebSessionRow,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_TZ = ZoneInfo("Europe/Berlin")
_CHUNK = 500  # ids per IN (...) clause: far below SQLite's parameter limit

#: German label of each compared column, for "geändert: Telefon, Adresse" (never values).
#: ``list_row`` is missing on purpose: a shifted row is not a change of the person's data.
_FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "street": "Adresse",
    "postcode": "Adresse",
    "place": "Adresse",
    "district": "Adresse",
    "phone": "Telefon",
    "priority": "Priorität",
    "last_contact": "Letzter Kontakt",
    "visit_place": "Besuchsort",
    "availability": "Verfügbarkeit",
    "appointment": "Termin",
    "duration_min": "Dauer",
    "notes": "Hinweise",
    "manual_lat": "Koordinaten",
    "manual_lon": "Koordinaten",
    "meeting_place": "Treffpunkt",
    "site_lat": "Position",
    "site_lon": "Position",
    "site_precision": "Position",
    "site_municipality": "Gemeinde",
    "site_ags": "Gemeinde",
    "site_ortsteil": "Ortsteil",
    "site_region": "Region",
    "site_meeting_place": "Treffpunkt",
}


@dataclass(frozen=True)
class ImportSummary:
    """What an import of the client list did."""

    new: int
    updated: int
    unchanged: int
    missing: tuple[str, ...]  # open cases not in this list (Kunden-Nr, sorted)


@dataclass(frozen=True)
class ImportPreview:
    """What an import of the client list would do (:meth:`Store.preview_import`)."""

    new: tuple[str, ...]  # Kunden-Nr, in list order
    updated: tuple[tuple[str, str], ...]  # Kunden-Nr and the changed fields (German)
    unchanged: int
    missing: tuple[str, ...]  # open cases not in this list (Kunden-Nr, sorted)

    def summary(self) -> ImportSummary:
        return ImportSummary(len(self.new), len(self.updated), self.unchanged, self.missing)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log (German ``action`` and ``detail``, no personal values)."""

    at: datetime
    user: str
    case_id: str | None
    action: str
    detail: str


class Role(StrEnum):
    """What an account of the browser app may do: a coach sees their own cases, the lead all."""

    COACH = "coach"
    LEAD = "leitung"

    @property
    def label(self) -> str:
        return "Leitung" if self is Role.LEAD else "Coach"


@dataclass(frozen=True)
class User:
    """An account of the browser app."""

    name: str  # login name, lower case (see :func:`user_name`)
    role: Role
    coach: str | None  # coach key of the team file, None for a lead who visits nobody
    password_hash: str = field(repr=False)  # argon2 (the store refuses anything else)
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class WebSession:
    """A login of the browser app (the cookie holds a token, the store its SHA-256)."""

    key: str
    user: User
    csrf: str
    created_at: datetime
    seen_at: datetime


#: Login names: letters (umlauts too), digits, ``.``, ``_``, ``-``; 2 to 64 characters.
_USER_NAME = re.compile(r"[^\W_][\w.-]{1,63}")


def user_name(text: str) -> str:
    """The login name as stored: NFC, lower case, surrounding blanks dropped.

    Phones capitalise the first letter of a field; "Anna" and "anna" are one account.
    Raises :class:`StoreError` (German) for anything but letters, digits, ``.``, ``_``, ``-``.
    """
    name = unicodedata.normalize("NFC", text.strip()).lower()
    if not _USER_NAME.fullmatch(name):
        raise StoreError(
            "Benutzernamen bestehen aus 2 bis 64 Buchstaben, Ziffern, Punkt, Unterstrich "
            "oder Bindestrich (ohne Leerzeichen)."
        )
    return name


# --------------------------------------------------------------------------- engine


def create_engine_for(url: str) -> Engine:
    """Engine for ``url``; a plain filesystem path means SQLite.

    A new SQLite file is created with mode 0600 (social data) in a folder that is created
    when missing. ``postgresql://`` without a driver uses psycopg 3.
    """
    try:
        parsed = make_url(url if "://" in url else f"sqlite:///{url}")
    except ArgumentError as exc:
        raise StoreError(f"Die Datenbank-Adresse ist ungültig: {exc}") from None
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if not parsed.database or parsed.database == ":memory:" or parsed.query.get("uri"):
        raise StoreError("Für SQLite bitte eine Datei angeben, z. B. kampagne.db.")
    path = Path(parsed.database).expanduser()
    _create_private_file(path)
    engine = create_engine(parsed.set(database=str(path)))
    _make_sqlite_transactional(engine)
    return engine


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # O_EXCL: only a new file gets 0600; the mode of an existing one is the owner's choice.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may have taken bits away, never added: be explicit


def _make_sqlite_transactional(engine: Engine) -> None:
    # pysqlite commits DDL on its own and ignores foreign keys; take over BEGIN so that a
    # failed migration rolls back completely, and switch foreign keys on per connection.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database of ``engine`` to ``revision`` in one transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:  # e.g. a database written by a newer planner
        raise StoreError(f"Die Datenbank kann nicht aktualisiert werden: {exc}") from None
    except OperationalError as exc:
        raise StoreError(
            f"Die Datenbank {_safe(engine.url)} kann nicht geöffnet werden: {exc.orig}"
        ) from None


def _safe(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _now() -> datetime:
    return datetime.now(_TZ).replace(tzinfo=None)


# --------------------------------------------------------------------------- store


class Store:
    """Load and save the campaign; open with :meth:`open`, close when done."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (and create or migrate) the store at ``url`` or a SQLite file path."""
        engine = create_engine_for(url)
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # ----------------------------------------------------------------------- cases

    def import_cases(
        self, cases: Sequence[Case], *, today: date, user: str, source: str
    ) -> ImportSummary:
        """Create or update cases by Kunden-Nr; mark open cases not in ``cases`` missing.

        Status fields of a stored case are kept (a closed case stays closed); a new case
        takes them from ``cases`` and ``first_seen`` defaults to ``today``.
        """
        ids = [case.id for case in cases]
        if len(set(ids)) != len(ids):
            twice = sorted({i for i in ids if ids.count(i) > 1})
            raise StoreError(f"Kunden-Nr mehrfach in der Liste: {', '.join(twice)}")
        for case in cases:
            _check(case)
        now = _now()
        new = updated = unchanged = 0
        with self._transaction() as session:
            revision = _bump(session)
            rows = {row.id: row for row in session.scalars(select(CaseRow))}

            def log(case_id: str | None, action: str, detail: str) -> None:
                session.add(_audit(now, user, case_id, action, detail))

            for case in cases:
                values = _case_columns(case)
                row = rows.get(case.id)
                if row is None:
                    session.add(_new_case_row(case, values, today, revision))
                    log(case.id, "neu", f"Liste {source}")
                    new += 1
                    continue
                changed = [
                    column for column, value in values.items() if getattr(row, column) != value
                ]
                if changed or row.list_row != case.client.row or row.missing_since is not None:
                    # Only rows that change: an unchanged row costs no UPDATE, and readers
                    # keep their copy of it.
                    row.changed = revision
                row.list_row = case.client.row
                if changed:
                    for column in changed:
                        setattr(row, column, values[column])
                    row.purged_on = None  # fresh personal data: purge them again in time
                    labels = ", ".join(dict.fromkeys(_FIELD_LABELS[c] for c in changed))
                    log(case.id, "geändert", f"{labels} (Liste {source})")
                    updated += 1
                else:
                    unchanged += 1
                if row.missing_since is not None:
                    row.missing_since = None
                    log(case.id, "wieder in Liste", f"Liste {source}")
            seen = set(ids)
            missing = tuple(
                sorted(
                    case_id
                    for case_id, row in rows.items()
                    if case_id not in seen and row.status == CaseStatus.OPEN.value
                )
            )
            for case_id in missing:
                row = rows[case_id]
                if row.missing_since is None:  # keep the first day it went missing
                    row.missing_since = today
                    row.changed = revision
                    log(case_id, "fehlt in Liste", f"nicht in Liste {source}")
            log(
                None,
                "Liste importiert",
                f"{source}: {new} neu, {updated} geändert, {unchanged} unverändert, "
                f"{len(missing)} fehlen",
            )
        return ImportSummary(new, updated, unchanged, missing)

    def preview_import(self, cases: Sequence[Case]) -> ImportPreview:
        """What :meth:`import_cases` would do with ``cases``; reads only, writes nothing
        (the import page shows it before the lead confirms)."""
        new: list[str] = []
        updated: list[tuple[str, str]] = []
        unchanged = 0
        for case in cases:
            _check(case)  # what the import would refuse, refused here already
        with self._transaction() as session:
            rows = {row.id: row for row in session.scalars(select(CaseRow))}
            for case in cases:
                row = rows.get(case.id)
                if row is None:
                    new.append(case.id)
                    continue
                values = _case_columns(case)
                changed = [column for column, value in values.items()
                           if getattr(row, column) != value]  # fmt: skip
                if changed:
                    labels = ", ".join(dict.fromkeys(_FIELD_LABELS[c] for c in changed))
                    updated.append((case.id, labels))
                else:
                    unchanged += 1
            seen = {case.id for case in cases}
            missing = tuple(
                sorted(
                    case_id
                    for case_id, row in rows.items()
                    if case_id not in seen and row.status == CaseStatus.OPEN.value
                )
            )
        return ImportPreview(tuple(new), tuple(updated), unchanged, missing)

    def cases(self) -> tuple[Case, ...]:
        """All cases, ordered by Kunden-Nr (sorted here: collations differ per server)."""
        with self._transaction() as session:
            rows = session.scalars(select(CaseRow)).all()
        return tuple(sorted((_to_case(row) for row in rows), key=lambda case: case.id))

    def case(self, case_id: str) -> Case | None:
        with self._transaction() as session:
            row = session.get(CaseRow, case_id)
        return None if row is None else _to_case(row)

    def cases_changed_after(
        self, revision: int, *, at_most: int | None = None
    ) -> tuple[tuple[int, Case], ...] | None:
        """Cases changed after the cases' ``revision`` (first of :meth:`revision`), each
        with the revision of its last change, ordered by Kunden-Nr; None when there are
        more than ``at_most`` (then a reader loads everything anyway, so they are not
        read). A reader that holds the cases of ``revision`` re-reads these (and their
        attempts: a purge blanks notes) instead of everything."""
        query = select(CaseRow).where(CaseRow.changed > revision)
        if at_most is not None:
            query = query.limit(at_most + 1)
        with self._transaction() as session:
            rows = session.scalars(query).all()
            if at_most is not None and len(rows) > at_most:
                return None
            changed = [(row.changed, _to_case(row)) for row in rows]
        return tuple(sorted(changed, key=lambda pair: pair[1].id))

    def set_status(
        self,
        case_id: str,
        status: CaseStatus,
        *,
        on: date,
        by_outcome: Outcome | None,
        user: str,
    ) -> None:
        """Close a case (``on``, because of ``by_outcome``) or open it again."""
        with self._transaction() as session:
            revision = _bump(session)
            row = session.get(CaseRow, case_id)
            if row is None:
                raise UnknownCase((case_id,))
            row.changed = revision
            row.status = status.value
            if status is CaseStatus.CLOSED:
                row.closed_on, row.closed_by = on, _code(by_outcome)
                reason = f", Ergebnis {by_outcome.label}" if by_outcome else ""
                action = "abgeschlossen"
            else:
                row.closed_on = row.closed_by = None
                reason = ""
                action = "wieder geöffnet"
            session.add(_audit(_now(), user, case_id, action, f"am {on:%d.%m.%Y}{reason}"))

    def purge_closed(self, *, today: date, after_days: int, user: str) -> int:
        """Blank the personal fields of cases closed more than ``after_days`` days ago.

        Name, phone, street, notes, meeting places, the manual position and the notes of
        their attempts go; a precise position (manual or street) becomes the municipality's
        point. Kunden-Nr, municipality, status, dates and outcome codes stay for the
        statistics. Returns how many cases were purged now.
        """
        cutoff = today - timedelta(days=after_days)
        now = _now()
        with self._transaction() as session:
            revision = _bump(session)
            rows = session.scalars(
                select(CaseRow).where(
                    CaseRow.status == CaseStatus.CLOSED.value,
                    CaseRow.closed_on < cutoff,
                    CaseRow.purged_on.is_(None),
                )
            ).all()
            for row in rows:
                row.name = row.phone = row.street = row.notes = row.meeting_place = ""
                row.manual_lat = row.manual_lon = None
                if row.site_precision is not None:
                    row.site_meeting_place = ""
                _coarsen_site(row)
                row.purged_on = today
                row.changed = revision  # the case and the notes of its attempts
                session.add(
                    _audit(
                        now,
                        user,
                        row.id,
                        "personenbezogene Daten gelöscht",
                        f"{after_days} Tage nach Abschluss",
                    )
                )
            ids = [row.id for row in rows]
            for i in range(0, len(ids), _CHUNK):
                # The one update of attempts (see module docstring): notes are personal.
                session.execute(
                    update(AttemptRow)
                    .where(AttemptRow.case_id.in_(ids[i : i + _CHUNK]))
                    .values(note="")
                )
        return len(rows)

    # ----------------------------------------------------------------------- attempts

    def add_attempts(self, attempts: Sequence[Attempt], *, user: str) -> int:
        """Append attempts; ``recorded_by``/``recorded_at`` default to ``user`` and now."""
        for attempt in attempts:
            _check(attempt)
        now = _now()
        with self._transaction() as session:
            _require_cases(session, {a.case_id for a in attempts})
            session.add_all(
                AttemptRow(
                    case_id=a.case_id,
                    at=a.at,
                    coach=a.coach,
                    kind=a.kind.value,
                    outcome=a.outcome.value,
                    appointment=a.appointment,
                    place=_code(a.place),
                    follow_up=a.follow_up,
                    note=a.note,
                    time_known=a.time_known,
                    recorded_by=a.recorded_by or user,
                    recorded_at=a.recorded_at or now,
                    source=a.source,
                )
                for a in attempts
            )
        return len(attempts)

    def revision(self) -> tuple[int, int, int]:
        """(changes to cases, highest attempt id, highest publication id): equal values
        mean nothing a reader caches has changed. Attempts and publications are
        append-only, so their highest ids tell what was added; a reader that caches cases
        keeps them when only a plan was published (each booking or move is one), and
        re-reads only :meth:`cases_changed_after` when the first value grew."""
        with self._transaction() as session:
            value = session.scalar(select(RevisionRow.value).where(RevisionRow.id == 1))
            top = session.scalar(select(func.max(AttemptRow.id)))
            published = session.scalar(select(func.max(PublicationRow.id)))
            return int(value or 0), int(top or 0), int(published or 0)

    def attempts_after(self, attempt_id: int) -> tuple[tuple[int, Attempt], ...]:
        """Attempts entered after ``attempt_id`` (append-only), with their ids."""
        query = select(AttemptRow).where(AttemptRow.id > attempt_id).order_by(AttemptRow.id)
        with self._transaction() as session:
            return tuple((row.id, _to_attempt(row)) for row in session.scalars(query))

    def attempts_of(self, case_ids: Sequence[str]) -> dict[str, tuple[Attempt, ...]]:
        """The attempts of these cases, per case in the order they happened (then entered);
        a case without attempts is left out."""
        found: dict[str, list[Attempt]] = {}
        with self._transaction() as session:
            for i in range(0, len(case_ids), _CHUNK):
                query = (
                    select(AttemptRow)
                    .where(AttemptRow.case_id.in_(case_ids[i : i + _CHUNK]))
                    .order_by(AttemptRow.at, AttemptRow.id)
                )
                for row in session.scalars(query):
                    found.setdefault(row.case_id, []).append(_to_attempt(row))
        return {case_id: tuple(attempts) for case_id, attempts in found.items()}

    def attempts(self, case_id: str | None = None) -> tuple[Attempt, ...]:
        """Attempts of one case or of all, in the order they happened (then entered)."""
        query = select(AttemptRow).order_by(AttemptRow.at, AttemptRow.id)
        if case_id is not None:
            query = query.where(AttemptRow.case_id == case_id)
        with self._transaction() as session:
            return tuple(_to_attempt(row) for row in session.scalars(query))

    # ----------------------------------------------------------------------- publications

    def publish(
        self,
        start: date,
        days: int,
        visits: Sequence[PinnedVisit],
        *,
        user: str,
        at: datetime,
    ) -> Publication:
        """Make ``visits`` binding for ``days`` days from ``start``."""
        if days < 1:
            raise StoreError("Ein veröffentlichter Plan umfasst mindestens einen Tag.")
        for item in (at, *visits):
            _check(item)
        with self._transaction() as session:
            # No _bump: a new publication shows in revision() by its id.
            _require_cases(session, {visit.case_id for visit in visits})
            row = PublicationRow(start=start, days=days, published_at=at, published_by=user)
            session.add(row)
            session.flush()  # assigns row.id
            session.add_all(
                PinnedVisitRow(
                    publication_id=row.id,
                    case_id=v.case_id,
                    coach=v.coach,
                    start=v.start,
                    duration_min=v.duration_min,
                    with_van=v.with_van,
                )
                for v in visits
            )
            detail = f"ab {start:%d.%m.%Y}, {days} Tage, {len(visits)} Besuche"
            session.add(_audit(at, user, None, "Plan veröffentlicht", detail))
        return Publication(row.id, start, days, at, user, tuple(visits))

    def publication(self, start: date, days: int) -> Publication | None:
        """The newest publication that covers a day of ``[start, start + days)``."""
        with self._transaction() as session:
            rows = _covering(session, start, days)
            # Only the newest one's visits are read: a busy week has hundreds of versions.
            return _publication(session, rows[-1]) if rows else None

    def publications(self, start: date, days: int) -> tuple[Publication, ...]:
        """Every publication that covers a day of ``[start, start + days)``, oldest first
        (each booking or move publishes a new version)."""
        with self._transaction() as session:
            return tuple(_publication(session, row) for row in _covering(session, start, days))

    # ----------------------------------------------------------------------- accounts

    def add_user(
        self,
        name: str,
        role: Role,
        password_hash: str,
        coach: str | None,
        *,
        user: str,
        at: datetime | None = None,
    ) -> User:
        """Create an account (``user`` is who creates it, for the audit log)."""
        name = user_name(name)
        _check_hash(password_hash)
        for value in (name, coach or "", user):
            _check(value)
        created = at or _now()
        try:
            with self._transaction() as session:
                session.add(
                    UserRow(
                        name=name,
                        role=Role(role).value,
                        coach=coach or None,
                        password_hash=password_hash,
                        active=True,
                        created_at=created,
                    )
                )
                session.flush()  # the unique name is checked here
                detail = f"Benutzer {name}, Rolle {Role(role).label}"
                session.add(_audit(created, user, None, "Benutzer angelegt", detail))
        except IntegrityError:
            raise StoreError(f"Den Benutzer „{name}“ gibt es schon.") from None
        return User(name, Role(role), coach or None, password_hash, True, created)

    def user(self, name: str) -> User | None:
        """The account ``name`` (any case), or None."""
        try:
            name = user_name(name)
        except StoreError:
            return None
        with self._transaction() as session:
            row = _user_row(session, name)
            return None if row is None else _to_user(row)

    def users(self) -> tuple[User, ...]:
        """All accounts, by name."""
        with self._transaction() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.name))
            return tuple(_to_user(row) for row in rows)

    def set_password(self, name: str, password_hash: str, *, user: str) -> None:
        """Replace the password of ``name`` and end all of its logins."""
        _check_hash(password_hash)
        name = user_name(name)
        with self._transaction() as session:
            row = _user_row(session, name)
            if row is None:
                raise StoreError(f"Den Benutzer „{name}“ gibt es nicht.")
            row.password_hash = password_hash
            session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == row.id))
            session.add(_audit(_now(), user, None, "Passwort geändert", f"Benutzer {row.name}"))

    # ----------------------------------------------------------------------- web sessions

    def start_web_session(self, key: str, name: str, csrf: str, *, at: datetime) -> WebSession:
        """Remember a login under ``key`` (the hash of the cookie's token)."""
        with self._transaction() as session:
            row = _user_row(session, user_name(name))
            if row is None:
                raise StoreError(f"Den Benutzer „{name}“ gibt es nicht.")
            session.add(
                WebSessionRow(key=key, user_id=row.id, csrf=csrf, created_at=at, seen_at=at)
            )
            session.add(_audit(at, row.name, None, "angemeldet", "Browser-App"))
            return WebSession(key, _to_user(row), csrf, at, at)

    def web_session(self, key: str) -> WebSession | None:
        """The login stored under ``key`` with its account, or None."""
        with self._transaction() as session:
            found = session.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, WebSessionRow.user_id == UserRow.id)
                .where(WebSessionRow.key == key)
            ).one_or_none()
            if found is None:
                return None
            login, row = found
            return WebSession(login.key, _to_user(row), login.csrf, login.created_at, login.seen_at)

    def touch_web_session(self, key: str, *, at: datetime) -> None:
        with self._transaction() as session:
            session.execute(
                update(WebSessionRow).where(WebSessionRow.key == key).values(seen_at=at)
            )

    def end_web_session(
        self, key: str, *, at: datetime | None = None, action: str = "abgemeldet"
    ) -> None:
        """Forget a login (logout, expiry); the audit log notes whose and why."""
        with self._transaction() as session:
            found = session.execute(
                select(WebSessionRow, UserRow)
                .join(UserRow, WebSessionRow.user_id == UserRow.id)
                .where(WebSessionRow.key == key)
            ).one_or_none()
            if found is None:
                return
            session.execute(delete(WebSessionRow).where(WebSessionRow.key == key))
            session.add(_audit(at or _now(), found[1].name, None, action, "Browser-App"))

    def prune_web_sessions(self, *, created_before: datetime, seen_before: datetime) -> int:
        """Delete logins older than ``created_before`` or idle since ``seen_before``."""
        with self._transaction() as session:
            result = session.execute(
                delete(WebSessionRow).where(
                    (WebSessionRow.created_at < created_before)
                    | (WebSessionRow.seen_at < seen_before)
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)

    # ----------------------------------------------------------------------- audit

    def log(
        self,
        case_id: str | None,
        action: str,
        detail: str,
        *,
        user: str,
        at: datetime | None = None,
    ) -> None:
        """Add a line to the audit log (a read, a change). Never pass a name or phone."""
        for value in (case_id or "", action, detail, user):
            _check(value)
        with self._transaction() as session:
            session.add(_audit(at or _now(), user, case_id, action, detail))

    def audit(self, case_id: str | None = None) -> tuple[AuditEntry, ...]:
        """The audit log (of one case), oldest first."""
        query = select(AuditRow).order_by(AuditRow.id)
        if case_id is not None:
            query = query.where(AuditRow.case_id == case_id)
        with self._transaction() as session:
            return tuple(
                AuditEntry(row.at, row.user_name, row.case_id, row.action, row.detail)
                for row in session.scalars(query)
            )


# --------------------------------------------------------------------------- mapping


def _check(value: object) -> None:
    """Refuse what one of the two backends would store differently or not at all."""
    if isinstance(value, str):
        if "\x00" in value:  # PostgreSQL refuses it, SQLite would keep it
            raise StoreError("Text mit Nullzeichen (NUL) kann nicht gespeichert werden.")
    elif isinstance(value, datetime):
        if value.tzinfo is not None:  # the columns hold Berlin wall-clock time
            raise StoreError("Zeitangaben werden ohne Zeitzone gespeichert (Ortszeit).")
    elif isinstance(value, tuple):
        for item in value:
            _check(item)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _check(getattr(value, f.name))


def _check_hash(password_hash: str) -> None:
    # A plain password must never reach the table, whoever calls.
    if not password_hash.startswith("$argon2"):
        raise StoreError("Passwörter werden nur als argon2-Hash gespeichert.")


def _user_row(session: Session, name: str) -> UserRow | None:
    return session.scalars(select(UserRow).where(UserRow.name == name)).one_or_none()


def _to_user(row: UserRow) -> User:
    return User(row.name, Role(row.role), row.coach, row.password_hash, row.active, row.created_at)


def _code(member: Outcome | VisitPlace | Precision | None) -> str | None:
    return None if member is None else member.value


def _audit(at: datetime, user: str, case_id: str | None, action: str, detail: str) -> AuditRow:
    return AuditRow(at=at, user_name=user, case_id=case_id, action=action, detail=detail)


def _require_cases(session: Session, case_ids: set[str]) -> None:
    known: set[str] = set()
    wanted = sorted(case_ids)
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        known.update(session.scalars(select(CaseRow.id).where(CaseRow.id.in_(chunk))))
    if unknown := tuple(i for i in wanted if i not in known):
        raise UnknownCase(unknown)


def _case_columns(case: Case) -> dict[str, object]:
    """Client and site columns of a case (the ones an import compares and replaces)."""
    client, site = case.client, case.site
    manual = client.manual_position
    return {
        "name": client.name,
        "street": client.address.street,
        "postcode": client.address.postcode,
        "place": client.address.place,
        "district": client.address.district,
        "phone": client.phone,
        "priority": client.priority,
        "last_contact": client.last_contact,
        "visit_place": client.visit_place.value,
        "availability": json.dumps([[w.weekday, w.start, w.end] for w in client.availability]),
        "appointment": client.appointment,
        "duration_min": client.duration_min,
        "notes": client.notes,
        "manual_lat": manual[0] if manual else None,
        "manual_lon": manual[1] if manual else None,
        "meeting_place": client.meeting_place,
        "site_lat": site.lat if site else None,
        "site_lon": site.lon if site else None,
        "site_municipality": site.municipality if site else None,
        "site_ags": site.ags if site else None,
        "site_ortsteil": site.ortsteil if site else None,
        "site_precision": site.precision.value if site else None,
        "site_region": site.region if site else None,
        "site_meeting_place": site.meeting_place if site else None,
    }


def _new_case_row(case: Case, values: dict[str, object], today: date, revision: int) -> CaseRow:
    return CaseRow(
        id=case.id,
        list_row=case.client.row,
        **values,
        status=case.status.value,
        closed_on=case.closed_on,
        closed_by=_code(case.closed_by),
        missing_since=None,
        first_seen=case.first_seen or today,
        changed=revision,
    )


def _to_case(row: CaseRow) -> Case:
    manual = (
        None
        if row.manual_lat is None or row.manual_lon is None
        else (row.manual_lat, row.manual_lon)
    )
    client = Client(
        id=row.id,
        row=row.list_row,
        address=Address(row.street, row.postcode, row.place, row.district),
        name=row.name,
        phone=row.phone,
        priority=row.priority,
        last_contact=row.last_contact,
        visit_place=VisitPlace(row.visit_place),
        availability=tuple(WeeklyWindow(*w) for w in json.loads(row.availability)),
        appointment=row.appointment,
        duration_min=row.duration_min,
        notes=row.notes,
        manual_position=manual,
        meeting_place=row.meeting_place,
    )
    site = None
    if row.site_precision is not None and row.site_lat is not None and row.site_lon is not None:
        site = Site(
            lat=row.site_lat,
            lon=row.site_lon,
            municipality=row.site_municipality or "",
            ags=row.site_ags or "",
            ortsteil=row.site_ortsteil or "",
            precision=Precision(row.site_precision),
            region=row.site_region or "",
            meeting_place=row.site_meeting_place or "",
        )
    return Case(
        client=client,
        site=site,
        status=CaseStatus(row.status),
        closed_on=row.closed_on,
        closed_by=None if row.closed_by is None else Outcome(row.closed_by),
        missing_since=row.missing_since,
        first_seen=row.first_seen,
    )


def _to_attempt(row: AttemptRow) -> Attempt:
    return Attempt(
        case_id=row.case_id,
        at=row.at,
        coach=row.coach,
        kind=AttemptKind(row.kind),
        outcome=Outcome(row.outcome),
        appointment=row.appointment,
        place=None if row.place is None else VisitPlace(row.place),
        follow_up=row.follow_up,
        note=row.note,
        time_known=row.time_known,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        source=row.source,
    )


def _coarsen_site(row: CaseRow) -> None:
    """A manual or street-level position points at a home: keep only the municipality."""
    exact = (Precision.MANUAL.value, Precision.HOUSE_NUMBER.value, Precision.STREET.value)
    if row.site_precision not in exact:
        return
    from planner import geodata  # lazy: loads the district's data files

    municipality = geodata.municipality_by_ags().get(row.site_ags or "")
    if municipality is not None:
        row.site_lat, row.site_lon = municipality.lat, municipality.lon
    elif row.site_lat is not None and row.site_lon is not None:
        # Outside the known data: about a kilometre is no longer a home.
        row.site_lat, row.site_lon = round(row.site_lat, 2), round(row.site_lon, 2)
    row.site_precision = Precision.MUNICIPALITY.value


def _covering(session: Session, start: date, days: int) -> list[PublicationRow]:
    """The publications covering a day of ``[start, start + days)``, oldest first."""
    end = start + timedelta(days=days)
    candidates = session.scalars(
        select(PublicationRow)
        .where(PublicationRow.start < end)
        .order_by(PublicationRow.published_at, PublicationRow.id)
    )
    # The end of a publication is start + days: compared here, not in backend-specific
    # SQL date arithmetic (publication rows are few and small; their visits are not read).
    return [p for p in candidates if p.start + timedelta(days=p.days) > start]


def _publication(session: Session, row: PublicationRow) -> Publication:
    visits = session.scalars(
        select(PinnedVisitRow)
        .where(PinnedVisitRow.publication_id == row.id)
        .order_by(PinnedVisitRow.id)
    )
    return Publication(
        id=row.id,
        start=row.start,
        days=row.days,
        published_at=row.published_at,
        published_by=row.published_by,
        visits=tuple(
            PinnedVisit(v.case_id, v.coach, v.start, v.duration_min, v.with_van) for v in visits
        ),
    )


def _bump(session: Session) -> int:
    """Count one more change to cases; the new revision (the rows changed carry it)."""
    bumped = (
        update(RevisionRow)
        .where(RevisionRow.id == 1)
        .values(value=RevisionRow.value + 1)
        .returning(RevisionRow.value)
    )
    return int(session.execute(bumped).scalar_one())
