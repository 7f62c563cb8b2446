"""Staff sessions on the server: a row per signed-in browser, ended by signing out, a password
change or a deactivation. ``staff_users.session_version`` (which signed cookies carried) goes:
the rows replace it.

Existing cookies name no row, so everyone signs in again once.


Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:34:18.416022
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_staff_sessions")),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_sessions_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_staff_sessions_user_id"), ["user_id"], unique=False)

    # Not batch_alter_table: on SQLite that copies staff_users and drops the original, and with
    # foreign keys on, dropping it runs their ON DELETE actions: every moderated_by and
    # blocked_by would be set to NULL. SQLite (3.35+) drops a column in place.
    op.drop_column("staff_users", "session_version")


def downgrade() -> None:
    # In place too (see above); existing accounts start again at version 1.
    op.add_column(
        "staff_users",
        sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_staff_sessions_expires_at"))

    op.drop_table("staff_sessions")
