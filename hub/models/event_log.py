"""The per-meeting event log: the source of truth for every live stream."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime


class MeetingEvent(Base):
    __tablename__ = "meeting_events"
    __table_args__ = (Index("ix_meeting_events_subject", "meeting_id", "subject"),)

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(16))
    # For audience "participant": the one resident the event is for.
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The envelope exactly as clients receive it, serialised once at append time so replay
    # (resume, /events) sends stored text without re-encoding.
    envelope: Mapped[str] = mapped_column(Text)
    # The contribution the event carries (Event.subject), so a takedown or an erasure finds
    # every copy of its text in the log and redacts it in the same transaction.
    subject: Mapped[int | None] = mapped_column(Integer, nullable=True)
