"""Participation: contributions, votes, blocks, moderation log, council policy.

Existing councils get the default policy (pre-moderation) through server defaults.


Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:11:19.737165
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "participant_blocks",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("blocked_by", sa.Integer(), nullable=True),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_by"],
            ["staff_users.id"],
            name=op.f("fk_participant_blocks_blocked_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_participant_blocks_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "participant_id", name=op.f("pk_participant_blocks")),
    )
    op.create_table(
        "contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.String(length=16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=True),
        sa.Column("area", sa.String(length=60), nullable=True),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("client_token", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("screening", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("moderated_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["agenda_items.id"],
            name=op.f("fk_contributions_item_id_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_contributions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["moderated_by"],
            ["staff_users.id"],
            name=op.f("fk_contributions_moderated_by_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contributions")),
        sa.UniqueConstraint(
            "meeting_id", "participant_id", "client_token", name="uq_contributions_client_token"
        ),
    )
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contributions_meeting_status", ["meeting_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contributions_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("participant", sa.String(length=16), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["staff_users.id"],
            name=op.f("fk_moderation_log_actor_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_moderation_log_contribution_id_contributions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_moderation_log_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_log")),
    )
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_log_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "votes",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_votes_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", "participant_id", name=op.f("pk_votes")),
    )
    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "moderation", sa.String(length=8), nullable=False, server_default=sa.text("'pre'")
            )
        )
        batch_op.add_column(
            sa.Column(
                "submissions_open",
                sa.String(length=16),
                nullable=False,
                server_default=sa.text("'publication'"),
            )
        )
        batch_op.add_column(
            sa.Column(
                "close_items_when_done", sa.Boolean(), nullable=False, server_default=sa.text("'1'")
            )
        )
        batch_op.add_column(
            sa.Column("max_chars", sa.Integer(), nullable=False, server_default=sa.text("'1000'"))
        )
        batch_op.add_column(
            sa.Column("max_links", sa.Integer(), nullable=False, server_default=sa.text("'1'"))
        )
        batch_op.add_column(
            sa.Column("blocklist", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column("rejection_reasons", sa.Text(), nullable=False, server_default=sa.text("''"))
        )
        batch_op.add_column(
            sa.Column(
                "rate_per_participant", sa.Integer(), nullable=False, server_default=sa.text("'5'")
            )
        )
        batch_op.add_column(
            sa.Column(
                "rate_per_address", sa.Integer(), nullable=False, server_default=sa.text("'30'")
            )
        )

    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target", sa.String(length=64), nullable=True))

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spotlight_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "submissions_open_at", hub.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "submissions_close_at", hub.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("submissions_close_at")
        batch_op.drop_column("submissions_open_at")
        batch_op.drop_column("spotlight_id")

    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.drop_column("target")

    with op.batch_alter_table("councils", schema=None) as batch_op:
        batch_op.drop_column("rate_per_address")
        batch_op.drop_column("rate_per_participant")
        batch_op.drop_column("rejection_reasons")
        batch_op.drop_column("blocklist")
        batch_op.drop_column("max_links")
        batch_op.drop_column("max_chars")
        batch_op.drop_column("close_items_when_done")
        batch_op.drop_column("submissions_open")
        batch_op.drop_column("moderation")

    op.drop_table("votes")
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_log_meeting_id"))

    op.drop_table("moderation_log")
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contributions_participant_id"))
        batch_op.drop_index("ix_contributions_meeting_status")

    op.drop_table("contributions")
    op.drop_table("participant_blocks")
