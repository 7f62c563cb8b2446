"""Contribution body keys: repeats are found with one indexed lookup.

Rows from before have no key; they are not compared (screening looks at new submissions).


Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 22:46:15.865197
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_key", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_contributions_meeting_body_key", ["meeting_id", "body_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index("ix_contributions_meeting_body_key")
        batch_op.drop_column("body_key")
