"""Event subjects: each logged event names the contribution it carries, so a takedown or an
erasure finds every copy of its text in the log and redacts it.

Existing events get their subject from their envelopes (the contribution's id, or ``data.id``
for ``contribution.removed``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CARRYING = (
    "('contribution.published', 'contribution.updated', 'contribution.mine', "
    "'moderation.item', 'meeting.spotlight')"
)
# The contribution's id inside an envelope, per dialect: (events carrying a view, removals).
SUBJECT_OF = {
    "postgresql": (
        "(envelope::json #>> '{data,contribution,id}')::integer",
        "(envelope::json #>> '{data,id}')::integer",
    ),
    "sqlite": (
        "json_extract(envelope, '$.data.contribution.id')",
        "json_extract(envelope, '$.data.id')",
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subject", sa.Integer(), nullable=True))
        batch_op.create_index("ix_meeting_events_subject", ["meeting_id", "subject"], unique=False)
    carried, removed = SUBJECT_OF[op.get_bind().dialect.name]
    # Constant SQL (no input reaches it): the backfill of events logged before this revision.
    op.execute(f"UPDATE meeting_events SET subject = {carried} WHERE type IN {CARRYING}")  # noqa: S608
    op.execute(
        f"UPDATE meeting_events SET subject = {removed} "  # noqa: S608
        "WHERE type = 'contribution.removed'"
    )


def downgrade() -> None:
    with op.batch_alter_table("meeting_events", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_events_subject")
        batch_op.drop_column("subject")
