"""Initial schema: cases, attempts, publications with their visits, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Written by hand and frozen: it does not import ``schema`` so that later changes there
cannot alter what this revision creates.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

CODE = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("list_row", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("postcode", sa.Text(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("last_contact", sa.Date(), nullable=True),
        sa.Column("visit_place", CODE, nullable=False),
        sa.Column("availability", sa.Text(), nullable=False),
        sa.Column("appointment", sa.DateTime(), nullable=True),
        sa.Column("duration_min", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("manual_lat", sa.Double(), nullable=True),
        sa.Column("manual_lon", sa.Double(), nullable=True),
        sa.Column("meeting_place", sa.Text(), nullable=False),
        sa.Column("site_lat", sa.Double(), nullable=True),
        sa.Column("site_lon", sa.Double(), nullable=True),
        sa.Column("site_municipality", sa.Text(), nullable=True),
        sa.Column("site_ags", sa.Text(), nullable=True),
        sa.Column("site_ortsteil", sa.Text(), nullable=True),
        sa.Column("site_precision", CODE, nullable=True),
        sa.Column("site_region", sa.Text(), nullable=True),
        sa.Column("site_meeting_place", sa.Text(), nullable=True),
        sa.Column("status", CODE, nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", CODE, nullable=True),
        sa.Column("missing_since", sa.Date(), nullable=True),
        sa.Column("first_seen", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("coach", sa.Text(), nullable=False),
        sa.Column("kind", CODE, nullable=False),
        sa.Column("outcome", CODE, nullable=False),
        sa.Column("appointment", sa.DateTime(), nullable=True),
        sa.Column("place", CODE, nullable=True),
        sa.Column("follow_up", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("time_known", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_attempts_case_id_cases"),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
    )
    op.create_index("ix_attempts_case_id", "attempts", ["case_id"])
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
    )
    op.create_table(
        "pinned_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=False),
        sa.Column("coach", sa.Text(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=False),
        sa.Column("with_van", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_pinned_visits_case_id_cases"),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publications.id"],
            name="fk_pinned_visits_publication_id_publications",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pinned_visits"),
    )
    op.create_index("ix_pinned_visits_publication_id", "pinned_visits", ["publication_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_case_id", "audit_log", ["case_id"])


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("pinned_visits")
    op.drop_table("publications")
    op.drop_table("attempts")
    op.drop_table("cases")
