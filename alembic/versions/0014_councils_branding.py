"""Councils of their own: the languages each offers, its logo and colours, and a host name of
its own whose home page is the council's.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Columns added in place, not with batch_alter_table: on SQLite that copies councils and drops
# the original, cascading to every meeting (see 0008). The host name's uniqueness is an index,
# which SQLite can add to an existing table (a UNIQUE column it cannot).
def upgrade() -> None:
    op.add_column(
        "councils", sa.Column("languages", sa.String(32), nullable=False, server_default="en cy")
    )
    op.add_column(
        "councils", sa.Column("logo_url", sa.String(500), nullable=False, server_default="")
    )
    op.add_column(
        "councils", sa.Column("brand_colour", sa.String(7), nullable=False, server_default="")
    )
    op.add_column(
        "councils",
        sa.Column("brand_text_colour", sa.String(7), nullable=False, server_default=""),
    )
    op.add_column("councils", sa.Column("host_name", sa.String(253), nullable=True))
    op.create_index("ix_councils_host_name", "councils", ["host_name"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_councils_host_name", table_name="councils")
    for column in ("host_name", "brand_text_colour", "brand_colour", "logo_url", "languages"):
        op.drop_column("councils", column)
