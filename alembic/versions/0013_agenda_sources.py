"""Agenda sources (several per council, with their sync health) and the provenance of imported
meetings and items: where they came from, what the source last said of each imported field,
which fields a clerk edited here, restricted (private) items, items gone from the source,
documents as links.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import hub.models.base
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=True),
        sa.Column("token", sa.String(length=300), nullable=True),
        sa.Column("committees", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_attempt_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", hub.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("meetings_seen", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["council_id"],
            ["councils.id"],
            name=op.f("fk_agenda_sources_council_id_councils"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_sources")),
        sa.UniqueConstraint("council_id", "name", name="uq_agenda_sources_name"),
        sa.UniqueConstraint("key", name=op.f("uq_agenda_sources_key")),
    )
    with op.batch_alter_table("agenda_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agenda_sources_council_id"), ["council_id"], unique=False
        )

    # Not batch_alter_table: on SQLite that copies the table and drops the original, and with
    # foreign keys on, dropping it runs their ON DELETE CASCADE (see 0008). Added in place.
    op.add_column("meetings", sa.Column("source_url", sa.String(length=500), nullable=True))
    op.add_column(
        "meetings",
        sa.Column("edited_fields", sa.String(length=200), server_default="", nullable=False),
    )
    op.add_column("meetings", sa.Column("source_values", sa.Text(), nullable=True))
    op.add_column(
        "meetings", sa.Column("documents", sa.Text(), server_default="[]", nullable=False)
    )
    op.add_column("agenda_items", sa.Column("external_id", sa.String(length=200), nullable=True))
    op.add_column(
        "agenda_items",
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "agenda_items",
        sa.Column("removed_at_source", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "agenda_items",
        sa.Column("edited_fields", sa.String(length=200), server_default="", nullable=False),
    )
    op.add_column("agenda_items", sa.Column("source_values", sa.Text(), nullable=True))
    op.add_column(
        "agenda_items", sa.Column("documents", sa.Text(), server_default="[]", nullable=False)
    )


def downgrade() -> None:
    for column in (
        "documents",
        "source_values",
        "edited_fields",
        "removed_at_source",
        "private",
        "external_id",
    ):
        op.drop_column("agenda_items", column)
    for column in ("documents", "source_values", "edited_fields", "source_url"):
        op.drop_column("meetings", column)
    with op.batch_alter_table("agenda_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_sources_council_id"))
    op.drop_table("agenda_sources")
