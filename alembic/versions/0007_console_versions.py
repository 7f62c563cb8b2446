"""Versions for the clerk's console: agenda items and meetings count their changes and keep
who made the last one, so a stale console action is refused (409) naming who acted.

Existing rows start at version 0, changed by nobody.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (not batch_alter_table, which on SQLite copies the table and, with
    # foreign keys on, runs ON DELETE actions as it drops the original: see 0006).
    op.add_column(
        "agenda_items", sa.Column("version", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("agenda_items", sa.Column("changed_by", sa.String(length=200), nullable=True))
    op.add_column(
        "agenda_items",
        sa.Column("changed_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "meetings", sa.Column("status_version", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("meetings", sa.Column("status_changed_by", sa.String(length=200), nullable=True))
    op.add_column(
        "meetings",
        sa.Column("status_changed_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    for column in ("status_changed_at", "status_changed_by", "status_version"):
        op.drop_column("meetings", column)
    for column in ("changed_at", "changed_by", "version"):
        op.drop_column("agenda_items", column)
