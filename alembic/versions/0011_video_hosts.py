"""A council's own video players its meetings' pages may embed (hub/webcast.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 14:15:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# In place, not batch_alter_table (see 0008).
def upgrade() -> None:
    op.add_column(
        "councils", sa.Column("video_hosts", sa.Text(), server_default="", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("councils", "video_hosts")
