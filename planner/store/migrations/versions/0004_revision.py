"""A revision counter: readers cache cases and states until it changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Every change to cases or publications bumps it (attempts are append-only and tracked by
their highest id instead), so the app can keep 5,000 assessed cases in memory and ask
the database one cheap question per page instead of reloading everything. (Later,
without a schema change, publications were tracked by their highest id as well and
stopped bumping it: a booking keeps the cases cached.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    table = op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("revision")
