"""Staff roles per council (memberships), a deployment-admin flag, invitations and the council
audit log.

Each account's single role and council become a membership: a clerk or councillor keeps that
role in that council; an admin (who served every council) becomes a deployment admin, and an
admin of their council too when the row named one. ``staff_users.role`` goes; ``council_id``
stays, emptied (see hub/models/accounts.py for why SQLite keeps it).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_staff_memberships_council_id_councils"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_memberships_user_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_memberships")),
        sa.UniqueConstraint("user_id", "council_id", name="uq_staff_memberships_user"),
    )
    op.create_index(
        op.f("ix_staff_memberships_council_id"), "staff_memberships", ["council_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_memberships_user_id"), "staff_memberships", ["user_id"], unique=False
    )
    op.create_table(
        "staff_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_staff_invites_council_id_councils"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["staff_users.id"],
            name=op.f("fk_staff_invites_invited_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invites_token_hash")),
    )
    op.create_index(
        op.f("ix_staff_invites_council_id"), "staff_invites", ["council_id"], unique=False
    )
    op.create_table(
        "council_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_council_audit_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_council_audit_council_id_councils"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_audit")),
    )
    op.create_index(
        "ix_council_audit_council_id_id", "council_audit", ["council_id", "id"], unique=False
    )

    # Not batch_alter_table: on SQLite that copies staff_users and drops the original, and with
    # foreign keys on, dropping it runs their ON DELETE actions (sessions deleted, every
    # moderated_by and blocked_by set NULL). Columns are added and dropped in place.
    op.add_column(
        "staff_users",
        sa.Column("is_deployment_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute("UPDATE staff_users SET is_deployment_admin = (role = 'admin')")
    # Every row that named a council keeps that role there (an admin's is the council's admin).
    op.execute(
        "INSERT INTO staff_memberships (user_id, council_id, role, created_at) "
        "SELECT id, council_id, role, created_at FROM staff_users WHERE council_id IS NOT NULL"
    )
    op.execute("UPDATE staff_users SET council_id = NULL")
    op.drop_column("staff_users", "role")


def downgrade() -> None:
    # One role and one council each again: a deployment admin is an admin; anyone else takes
    # their first membership (the others are lost: the old schema cannot hold them).
    op.add_column(
        "staff_users",
        sa.Column("role", sa.String(length=16), server_default="councillor", nullable=False),
    )
    op.execute(
        "UPDATE staff_users SET "
        "council_id = (SELECT m.council_id FROM staff_memberships m "
        "WHERE m.user_id = staff_users.id ORDER BY m.id LIMIT 1), "
        "role = COALESCE((SELECT m.role FROM staff_memberships m "
        "WHERE m.user_id = staff_users.id ORDER BY m.id LIMIT 1), 'councillor')"
    )
    op.execute("UPDATE staff_users SET role = 'admin' WHERE is_deployment_admin")
    op.drop_column("staff_users", "is_deployment_admin")
    op.drop_index("ix_council_audit_council_id_id", table_name="council_audit")
    op.drop_table("council_audit")
    op.drop_index(op.f("ix_staff_invites_council_id"), table_name="staff_invites")
    op.drop_table("staff_invites")
    op.drop_index(op.f("ix_staff_memberships_user_id"), table_name="staff_memberships")
    op.drop_index(op.f("ix_staff_memberships_council_id"), table_name="staff_memberships")
    op.drop_table("staff_memberships")
