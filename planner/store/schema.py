"""Tables of the campaign store (SQLAlchemy 2 typed ORM).

Only :mod:`planner.store.repository` uses these classes; the rest of the planner sees the
domain dataclasses of :mod:`planner.campaign.model`. Conventions:

- enum columns hold the ``.value`` code of the enum (stable, see :mod:`campaign.codes`);
- datetimes are naive Europe/Berlin wall-clock time, like everywhere in the planner;
- free text is ``Text``; empty text is ``""``, never NULL, as in the dataclasses;
- there is no column for anything about third parties (relatives, neighbours …).

A change here needs a new migration in ``migrations/versions`` (the tests compare the
migrated schema with this metadata).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Deterministic constraint names, identical on SQLite and PostgreSQL (migrations use them).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE = String(32)  # enum codes; every value in campaign.codes and VisitPlace is shorter


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {str: Text, float: Double, datetime: DateTime, date: Date}


metadata = Base.metadata


class CaseRow(Base):
    """A case: the latest client-list row of a Kunden-Nr, its position and its status."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(primary_key=True)  # Kunden-Nr
    list_row: Mapped[int]  # row in the last imported list (header = 1)
    name: Mapped[str]
    street: Mapped[str]
    postcode: Mapped[str]
    place: Mapped[str]
    district: Mapped[str]
    phone: Mapped[str]
    priority: Mapped[int]
    last_contact: Mapped[date | None]
    visit_place: Mapped[str] = mapped_column(CODE)
    availability: Mapped[str]  # JSON [[weekday, start_min, end_min], …]
    appointment: Mapped[datetime | None]
    duration_min: Mapped[int | None]
    notes: Mapped[str]
    manual_lat: Mapped[float | None]
    manual_lon: Mapped[float | None]
    meeting_place: Mapped[str]
    # The geocoded Site; all NULL when the address could not be placed.
    site_lat: Mapped[float | None]
    site_lon: Mapped[float | None]
    site_municipality: Mapped[str | None]
    site_ags: Mapped[str | None]
    site_ortsteil: Mapped[str | None]
    site_precision: Mapped[str | None] = mapped_column(CODE)
    site_region: Mapped[str | None]
    site_meeting_place: Mapped[str | None]
    status: Mapped[str] = mapped_column(CODE)
    closed_on: Mapped[date | None]
    closed_by: Mapped[str | None] = mapped_column(CODE)
    missing_since: Mapped[date | None]
    first_seen: Mapped[date | None]
    purged_on: Mapped[date | None]  # personal fields blanked on this day (migration 0002)
    # The revision (RevisionRow.value) of the last change to this case or to the notes of
    # its attempts (migration 0005): readers re-read only the cases changed since theirs.
    changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AttemptRow(Base):
    """A call, letter or visit. Append-only (only ``note`` is blanked by the purge)."""

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # insertion order
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    coach: Mapped[str]
    kind: Mapped[str] = mapped_column(CODE)
    outcome: Mapped[str] = mapped_column(CODE)
    appointment: Mapped[datetime | None]
    place: Mapped[str | None] = mapped_column(CODE)
    follow_up: Mapped[date | None]
    note: Mapped[str]
    time_known: Mapped[bool]
    recorded_by: Mapped[str]
    recorded_at: Mapped[datetime]
    source: Mapped[str]


class PublicationRow(Base):
    """A plan made binding for ``days`` days from ``start``."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start: Mapped[date]
    days: Mapped[int]
    published_at: Mapped[datetime]
    published_by: Mapped[str]


class PinnedVisitRow(Base):
    """A visit of a publication (order of insertion = order given to ``publish``)."""

    __tablename__ = "pinned_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"))
    coach: Mapped[str]
    start: Mapped[datetime]
    duration_min: Mapped[int]
    with_van: Mapped[bool]


class AuditRow(Base):
    """Who changed what and when. Append-only; never holds a value, only field labels."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    user_name: Mapped[str]  # "user" is a reserved word in PostgreSQL
    case_id: Mapped[str | None] = mapped_column(index=True)  # no FK: a log outlives rows
    action: Mapped[str]
    detail: Mapped[str]


class RevisionRow(Base):
    """One row: bumped by every change to cases (readers' cache key; attempts and
    publications are append-only and counted by their highest id)."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int]


class UserRow(Base):
    """An account of the browser app (migration 0003). The password only as argon2 hash."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('coach', 'leitung')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)  # login name, lower case
    role: Mapped[str] = mapped_column(CODE)
    coach: Mapped[str | None]  # coach key (``kennung``) of the team file this user is
    password_hash: Mapped[str]
    active: Mapped[bool]
    created_at: Mapped[datetime]


class WebSessionRow(Base):
    """A login of the browser app; deleting the row ends it (logout, new password)."""

    __tablename__ = "web_sessions"

    key: Mapped[str] = mapped_column(primary_key=True)  # SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf: Mapped[str]  # the token every form of this session carries
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime]
