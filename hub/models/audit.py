"""A council's audit log: every change to the council, its staff, settings and sources, who made
it and when, written by the action in the same transaction as the change
(hub/actions/audit.py). Details are a short structured summary: never a password, a token or
a credential."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class CouncilAuditEntry(Base):
    __tablename__ = "council_audit"
    # The page reads one council's entries newest first.
    __table_args__ = (Index("ix_council_audit_council_id_id", "council_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None: the command line (or the hub itself). The name is kept as it was then, so the log
    # still says who when the account is renamed.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    actor_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON object
