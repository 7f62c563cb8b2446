"""Agenda sources: where a council's meetings are imported from (Modern.gov, Legistar, an Open
Civic Data export, an iCalendar feed), several per council, with each one's sync health.

Meetings imported from a source carry its ``key`` as their ``source`` (with the source's own
id as ``external_id``), so a re-import finds them again; the key is the source's kind and a
hash of its council and address, so removing and adding the same source again keeps its
meetings, and two councils on one Modern.gov site never share one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class AgendaSource(Base):
    __tablename__ = "agenda_sources"
    __table_args__ = (UniqueConstraint("council_id", "name", name="uq_agenda_sources_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    # How staff name it ("moderngov", "planning-feed"): unique per council.
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # integrations/agendas/models.py Kind
    # The site (Modern.gov), the Web API base (Legistar), or a file or URL (OCD, iCalendar).
    url: Mapped[str] = mapped_column(String(500))
    # Legistar's client name ("oakland") and optional API token (never shown or logged).
    client: Mapped[str | None] = mapped_column(String(100), nullable=True)
    token: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Modern.gov committee ids to import, space-separated; empty: every committee.
    committees: Mapped[str] = mapped_column(String(300), default="")
    # Modern.gov: the council's Welsh site, where it runs one (the same database served in
    # Welsh, e.g. modgovcym.<council> beside modgoveng.<council>): meetings and items are read
    # there too, by the same ids, for their Welsh titles. None: English only.
    welsh_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # ---- health, shown to staff ----
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The last failure in words ("Modern.gov GetMeetings answered HTTP 503"); None once a sync
    # succeeds. A meeting that failed alone is named here too, beside the ones that came.
    last_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, for the backoff
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    meetings_seen: Mapped[int] = mapped_column(Integer, default=0)  # at the last sync
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
