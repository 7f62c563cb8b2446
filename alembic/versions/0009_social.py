"""Social media: the sources a council polls, the posts they bring (as contributions of kind
``post`` with their attribution as JSON), the hashtags of councils and meetings, and leases (one
process polls when several run).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 13:44:03.102977
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("acquired_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "social_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=True),
        sa.Column("credentials", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("cursor_tags", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("posts_fetched", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("next_poll_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rate_limit_reset_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_social_sources_council_id_councils"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_sources")),
        sa.UniqueConstraint("council_id", "name", name="uq_social_sources_name"),
    )
    with op.batch_alter_table("social_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_sources_council_id"), ["council_id"], unique=False
        )

    op.create_table(
        "social_posts",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("posted_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("public_ok", sa.Boolean(), nullable=False),
        sa.Column("gone_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contributions.id"],
            name=op.f("fk_social_posts_contribution_id_contributions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_social_posts_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["social_sources.id"],
            name=op.f("fk_social_posts_source_id_social_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_social_posts")),
        sa.UniqueConstraint("meeting_id", "platform", "uri", name="uq_social_posts_uri"),
    )
    with op.batch_alter_table("social_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_social_posts_meeting_external",
            ["meeting_id", "platform", "external_id"],
            unique=False,
        )

    # Not batch_alter_table: on SQLite that copies the table and drops the original, and with
    # foreign keys on, dropping it runs their ON DELETE CASCADE (see 0008). Added in place.
    op.add_column("contributions", sa.Column("post", sa.Text(), nullable=True))
    op.add_column("councils", sa.Column("hashtags", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "councils", sa.Column("social_allowlist", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "councils",
        sa.Column("social_window_minutes", sa.Integer(), server_default="30", nullable=False),
    )
    op.add_column(
        "meetings",
        sa.Column("hashtags", sa.String(length=300), server_default="", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("meetings", "hashtags")
    op.drop_column("councils", "social_window_minutes")
    op.drop_column("councils", "social_allowlist")
    op.drop_column("councils", "hashtags")
    op.drop_column("contributions", "post")

    with op.batch_alter_table("social_posts", schema=None) as batch_op:
        batch_op.drop_index("ix_social_posts_meeting_external")

    op.drop_table("social_posts")
    with op.batch_alter_table("social_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_sources_council_id"))

    op.drop_table("social_sources")
    op.drop_table("leases")
