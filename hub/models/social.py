"""Social media: the sources a council polls and the posts they brought.

A post is stored as a contribution of kind ``post`` (hub/models/participation.py), so it goes
through the one moderation queue, the same events, the same takedown and redaction as residents'
comments. Its attribution (platform, author, link, media) is the contribution's ``post`` JSON,
what every view shows; the row here keeps what only the poller needs: where it came from, how to
recognise it again (``uri``), and whether it still exists at the source.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class Platform(enum.StrEnum):
    X = "x"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


class SocialSource(Base):
    """One thing the hub polls for a council: X (one per council), a Mastodon instance, a
    Bluesky account. Its cursor and health are written with the posts of each poll, in one
    transaction, so a restart resumes exactly where the last committed poll ended."""

    __tablename__ = "social_sources"
    __table_args__ = (UniqueConstraint("council_id", "name", name="uq_social_sources_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("councils.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    # How staff name it ("x", "mastodon.social", "bluesky"): unique per council.
    name: Mapped[str] = mapped_column(String(100))
    # The API base (an instance, a Bluesky service, an X proxy); None: the platform's default.
    base_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # Fernet token of the credentials' JSON (hub/secrets.py): never shown, logged or exported.
    credentials: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The source's own cursor after the last stored poll, and the tags it was for: a different
    # set of tags (another meeting went live) starts again from the meeting's start.
    cursor: Mapped[str | None] = mapped_column(Text, nullable=True)
    cursor_tags: Mapped[str | None] = mapped_column(Text, nullable=True)
    # ---- health, shown to staff ----
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    posts_fetched: Mapped[int] = mapped_column(Integer, default=0)  # in all, since added
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in a row, for the backoff
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rate_limit_reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set when the platform refused the credentials (401/403): no more polls until staff fix it.
    stopped_reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SocialPost(Base):
    """What the poller knows of a post it stored for a meeting (its contribution holds the rest)."""

    __tablename__ = "social_posts"
    __table_args__ = (
        # One post once per meeting, however many instances or polls brought it.
        UniqueConstraint("meeting_id", "platform", "uri", name="uq_social_posts_uri"),
        Index("ix_social_posts_meeting_external", "meeting_id", "platform", "external_id"),
    )

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("social_sources.id", ondelete="SET NULL"), nullable=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    # The platform's stable identity (ActivityPub uri, at:// uri, X's url) and the id the source
    # knows it by (for re-checks: Mastodon's status id on that instance, X's tweet id).
    uri: Mapped[str] = mapped_column(String(500))
    external_id: Mapped[str] = mapped_column(String(200))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # False: the author asked not to be shown to logged-out viewers; never published.
    public_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the post was found deleted at its source (and so withdrawn from the meeting).
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
