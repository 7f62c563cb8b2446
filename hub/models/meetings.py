"""Meetings and their agenda items."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.models.base import Base, UTCDateTime, utcnow
from hub.models.councils import Council


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ADJOURNED = "adjourned"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ItemStatus(enum.StrEnum):
    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_meetings_source_external"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    # The title in Welsh, where the source or a clerk gives one ("" where not): pages in Welsh
    # show it, and fall back to ``title`` (marked lang="en") without it.
    title_cy: Mapped[str] = mapped_column(String(300), default="", server_default="")
    body_name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    location: Mapped[str] = mapped_column(String(300), default="")
    webcast_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.SCHEDULED.value)
    # Highest seq appended to this meeting's event log. Incremented under the row lock taken by
    # every action, so seqs are gap-free and ordered by commit (see hub/events/log.py).
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Lowest seq still kept in the log after pruning; a client resuming from below it is reset.
    first_seq: Mapped[int] = mapped_column(Integer, default=1)
    # The question shown on the chamber's projector (a published question of this meeting).
    spotlight_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # A pinned spotlight stays on the screen when the current item changes; an unpinned one
    # follows the meeting and is cleared (hub/actions/agenda.py set_current_item).
    spotlight_pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Per-meeting window overrides; None follows the council's policy.
    submissions_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submissions_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Counts changes of ``status``; a console form carries the one it was shown, so a clerk's
    # stale "Close" is refused (409) rather than applied to a state they never saw. With it,
    # who changed the status last and when, for the refusal to name.
    status_version: Mapped[int] = mapped_column(Integer, default=0)
    status_changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The meeting's own hashtags (beside its council's), one a line or separated by spaces.
    hashtags: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # Where an imported meeting came from (an agenda source's ``key``: its kind and a hash of its
    # council and address), and its id there, for idempotent re-imports.
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # ---- provenance of imported meetings (hub/actions/ingest.py) ----
    # Where a person reads the meeting on the council's site.
    source_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # Fields a clerk edited here (space-separated names; "order" when they reordered the
    # agenda): a re-import never overwrites them. ``source_values`` is JSON of what the source
    # last said of each imported field, so the staff UI can show where the two differ.
    edited_fields: Mapped[str] = mapped_column(String(200), default="", server_default="")
    source_values: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The meeting's documents as links (JSON list of {"title", "url"}) to the council's site.
    documents: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    council: Mapped[Council] = relationship(lazy="joined")
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", lazy="raise"
    )


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting_position", "meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), nullable=True
    )
    # Order in the printed agenda; sub-items follow their parent.
    position: Mapped[int] = mapped_column(Integer)
    # Printed number ("5", "5a"), as the council prints it.
    number: Mapped[str] = mapped_column(String(16), default="")
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    # Welsh versions, as on meetings ("" where there is none).
    title_cy: Mapped[str] = mapped_column(String(500), default="", server_default="")
    description_cy: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.PENDING.value)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Counts changes to the item (status, outcome); console forms carry it so two clerks acting
    # on one item at once cannot silently overwrite each other (hub/actions/agenda.py). With it,
    # the display name of the clerk who changed it last, and when.
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # ---- imported items (hub/actions/ingest.py) and the staff agenda editor ----
    # The item's id at its meeting's source; None for an item added here.
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Restricted (exempt or confidential business): staff see it, no public page or event does.
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Gone from the source's agenda: withdrawn here, not deleted (it may have comments).
    removed_at_source: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # As on meetings: fields a clerk edited here, and what the source last said of each.
    edited_fields: Mapped[str] = mapped_column(String(200), default="", server_default="")
    source_values: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Links (JSON list of {"title", "url"}) to the item's documents on the council's site.
    documents: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")

    meeting: Mapped[Meeting] = relationship(back_populates="items", lazy="raise")
