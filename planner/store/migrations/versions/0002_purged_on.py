"""Cases remember the day their personal fields were blanked (``purged_on``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Nullable: existing cases were never purged.
    op.add_column("cases", sa.Column("purged_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:  # SQLite cannot drop columns in place
        batch.drop_column("purged_on")
