"""Privacy: each council's retention period and privacy notice; when a contribution's
personal data was removed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_days", sa.Integer(), nullable=False, server_default="365")
        )
        batch_op.add_column(
            sa.Column("privacy_notice", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "personal_data_removed_at",
                hub.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("personal_data_removed_at")
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice")
        batch_op.drop_column("retention_days")
