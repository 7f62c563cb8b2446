"""Open data: the licence each council publishes its meetings' public record under. Existing
councils in a UK time zone get the Open Government Licence v3.0, as new ones do
(hub/actions/councils.py); others state none until an admin sets one.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied, not imported: a migration must not change when the code it ran with changes.
OGL_NAME = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
UK_ZONES = ("Europe/London", "Europe/Belfast", "GB", "GB-Eire")


# Not batch_alter_table: on SQLite that copies councils and drops the original, and with
# foreign keys on, dropping it cascades to every meeting (see 0008). SQLite adds a column in
# place.
def upgrade() -> None:
    op.add_column(
        "councils",
        sa.Column("licence_name", sa.String(200), nullable=False, server_default=""),
    )
    op.add_column(
        "councils",
        sa.Column("licence_url", sa.String(500), nullable=False, server_default=""),
    )
    councils = sa.table(
        "councils",
        sa.column("timezone", sa.String),
        sa.column("licence_name", sa.String),
        sa.column("licence_url", sa.String),
    )
    op.execute(
        councils.update()
        .where(councils.c.timezone.in_(UK_ZONES))
        .values(licence_name=OGL_NAME, licence_url=OGL_URL)
    )


def downgrade() -> None:
    op.drop_column("councils", "licence_url")
    op.drop_column("councils", "licence_name")
