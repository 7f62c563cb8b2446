"""Welsh titles: a meeting's and an agenda item's title (and an item's description) in Welsh,
beside the English, where the source or a clerk gives them; and a Modern.gov source's Welsh
site, which the importer reads them from.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place, not with batch_alter_table (see 0013: on SQLite a batch copy drops the
    # original table, and with foreign keys on that runs their ON DELETE CASCADE).
    op.add_column(
        "meetings",
        sa.Column("title_cy", sa.String(length=300), server_default="", nullable=False),
    )
    op.add_column(
        "agenda_items",
        sa.Column("title_cy", sa.String(length=500), server_default="", nullable=False),
    )
    op.add_column(
        "agenda_items",
        sa.Column("description_cy", sa.Text(), server_default="", nullable=False),
    )
    op.add_column("agenda_sources", sa.Column("welsh_url", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("agenda_sources", "welsh_url")
    op.drop_column("agenda_items", "description_cy")
    op.drop_column("agenda_items", "title_cy")
    op.drop_column("meetings", "title_cy")
