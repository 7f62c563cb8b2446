"""Residents' contributions (comments and questions), votes, blocks and the moderation log.

Residents have no accounts: ``participant_id`` is a random pseudonym from a signed cookie. It and
``area`` (ward or postcode district) are personal data: never published, shown to staff only
as a short pseudonym and in aggregate.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.models.base import Base, UTCDateTime, utcnow


class Kind(enum.StrEnum):
    COMMENT = "comment"
    QUESTION = "question"
    POST = "post"  # a social media post the poller brought (hub/models/social.py)


class Position(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    NEUTRAL = "neutral"


class ContributionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for a clerk (pre-moderation, or held by screening)
    PUBLISHED = "published"
    REJECTED = "rejected"  # never published, with a reason
    HIDDEN = "hidden"  # published, then taken down, with a reason


class Contribution(Base):
    __tablename__ = "contributions"
    __table_args__ = (
        Index("ix_contributions_meeting_status", "meeting_id", "status"),
        Index("ix_contributions_meeting_body_key", "meeting_id", "body_key"),
        # A resident's retry of the same submission (same client token) is the same submission.
        UniqueConstraint(
            "meeting_id", "participant_id", "client_token", name="uq_contributions_client_token"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[str | None] = mapped_column(String(16), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    # sha256 of the normalised body: repeats are found with one indexed lookup (hub/moderation.py).
    body_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(60), nullable=True)
    area: Mapped[str | None] = mapped_column(String(60), nullable=True)
    participant_id: Mapped[str] = mapped_column(String(64), index=True)
    client_token: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ContributionStatus.PENDING.value)
    # Why automatic screening held it (comma-separated flags: links, blocklist, duplicate).
    screening: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    moderated_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    # A social post's attribution as JSON (hub/shapes/public.py's PostView): platform, author,
    # link, media, content warning. None for residents' comments and questions.
    post: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When its personal data was removed (retention period over, or the resident's erasure).
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Vote(Base):
    """One participant's upvote of one question: the primary key makes repeats impossible."""

    __tablename__ = "votes"

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ParticipantBlock(Base):
    """A participant a clerk blocked from posting in one meeting."""

    __tablename__ = "participant_blocks"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    blocked_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModerationLog(Base):
    """Every moderation action: who, what, when, why. Staff can read it; it is never edited."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contributions.id", ondelete="SET NULL"), nullable=True
    )
    participant: Mapped[str | None] = mapped_column(String(16), nullable=True)  # short pseudonym
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
