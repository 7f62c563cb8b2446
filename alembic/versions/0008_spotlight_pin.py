"""A pinned spotlight: the chamber screen keeps a pinned question when the current item
changes; an unpinned one is cleared (hub/actions/agenda.py set_current_item).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Not batch_alter_table: on SQLite that copies meetings and drops the original, and with foreign
# keys on, dropping it runs their ON DELETE CASCADE: every meeting's items, submissions and event
# log would go. SQLite adds (and, 3.35+, drops) a column in place.
def upgrade() -> None:
    op.add_column(
        "meetings",
        sa.Column("spotlight_pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("meetings", "spotlight_pinned")
