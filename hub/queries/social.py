"""Social sources: which meetings are in their polling window, what each source polls for,
which published posts are due a re-check at their source, and the sources' health for staff.

A meeting is polled (its "window"):
- from ``social_window_minutes`` before it starts while it is scheduled (but not past
  ``UNOPENED_LIMIT`` after its start: a meeting nobody opened is not polled for ever);
- while it is live or adjourned;
- for ``social_window_minutes`` after it closed (the reactions); never once cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.models import (
    Contribution,
    ContributionStatus,
    Council,
    Meeting,
    MeetingStatus,
    SocialPost,
    SocialSource,
)
from hub.shapes.staff import SourceHealthView, source_health
from integrations.social.models import normalise_tag

# A scheduled meeting still not opened this long after its start is not polled any more.
UNOPENED_LIMIT = timedelta(hours=6)
IN_SESSION = (MeetingStatus.LIVE.value, MeetingStatus.ADJOURNED.value)


def tags_of(text: str) -> tuple[str, ...]:
    """Tags from a council's or meeting's setting (spaces, commas or lines; '#' optional)."""
    words = text.replace(",", " ").split()
    return tuple(dict.fromkeys(t for t in (normalise_tag(w) for w in words) if t))


def window_start(meeting: Meeting) -> datetime:
    """From when a meeting's posts are fetched: its start less its council's window."""
    return meeting.starts_at - timedelta(minutes=meeting.council.social_window_minutes)


def in_window(meeting: Meeting, now: datetime) -> bool:
    window = timedelta(minutes=meeting.council.social_window_minutes)
    status = MeetingStatus(meeting.status)
    if status in (MeetingStatus.LIVE, MeetingStatus.ADJOURNED):
        return True
    if status is MeetingStatus.SCHEDULED:
        return meeting.starts_at - window <= now <= meeting.starts_at + UNOPENED_LIMIT
    if status is MeetingStatus.CLOSED:
        closed_at = meeting.status_changed_at or meeting.updated_at
        return closed_at is not None and now <= closed_at + window
    return False


async def meetings_in_window(
    session: AsyncSession, now: datetime, council_id: int | None = None
) -> list[Meeting]:
    query = (
        select(Meeting)
        .options(joinedload(Meeting.council))
        .where(
            Meeting.status != MeetingStatus.CANCELLED.value,
            # Coarse in SQL (the window is at most a day, hub/actions/councils.py), exact below.
            or_(
                Meeting.status.in_(IN_SESSION),
                Meeting.starts_at.between(now - UNOPENED_LIMIT, now + timedelta(days=1)),
                Meeting.status_changed_at >= now - timedelta(days=1),
            ),
        )
        .order_by(Meeting.id)
    )
    if council_id is not None:
        query = query.where(Meeting.council_id == council_id)
    return [m for m in (await session.scalars(query)).unique() if in_window(m, now)]


def meeting_tags(meeting: Meeting) -> tuple[str, ...]:
    """The tags a meeting is polled for: its council's and its own."""
    return tuple(dict.fromkeys(tags_of(meeting.council.hashtags) + tags_of(meeting.hashtags)))


@dataclass(frozen=True)
class Target:
    """One meeting a source polls for: its tags, from when, and whether it is in session."""

    meeting_id: int
    tags: tuple[str, ...]
    start: datetime
    in_session: bool


async def targets(session: AsyncSession, council_id: int, now: datetime) -> list[Target]:
    return [
        Target(m.id, tags, window_start(m), m.status in IN_SESSION)
        for m in await meetings_in_window(session, now, council_id)
        if (tags := meeting_tags(m))
    ]


async def pollable_sources(session: AsyncSession, now: datetime) -> list[int]:
    """Ids of the enabled, unstopped sources whose council has a meeting with tags in its
    window: the ones the poller keeps a task for."""
    councils = {m.council_id for m in await meetings_in_window(session, now) if meeting_tags(m)}
    if not councils:
        return []
    found = await session.scalars(
        select(SocialSource.id)
        .where(
            SocialSource.council_id.in_(councils),
            SocialSource.enabled.is_(True),
            SocialSource.stopped_reason.is_(None),
        )
        .order_by(SocialSource.id)
    )
    return list(found)


@dataclass(frozen=True)
class Recheck:
    contribution_id: int
    meeting_id: int
    external_id: str
    uri: str


async def due_rechecks(
    session: AsyncSession,
    source_id: int,
    meeting_ids: Sequence[int],
    checked_before: datetime,
    limit: int,
) -> list[Recheck]:
    """Published posts this source brought to these meetings, not found gone, not checked
    since ``checked_before``: the least recently checked first."""
    if not meeting_ids:
        return []
    rows = await session.execute(
        select(
            SocialPost.contribution_id,
            SocialPost.meeting_id,
            SocialPost.external_id,
            SocialPost.uri,
        )
        .join(Contribution, Contribution.id == SocialPost.contribution_id)
        .where(
            SocialPost.source_id == source_id,
            SocialPost.meeting_id.in_(meeting_ids),
            SocialPost.gone_at.is_(None),
            Contribution.status == ContributionStatus.PUBLISHED.value,
            or_(SocialPost.checked_at.is_(None), SocialPost.checked_at < checked_before),
        )
        .order_by(
            SocialPost.checked_at.is_not(None), SocialPost.checked_at, SocialPost.contribution_id
        )
        .limit(limit)
    )
    return [Recheck(int(c), int(m), str(e), str(u)) for c, m, e, u in rows]


async def council_sources(session: AsyncSession, council_id: int) -> list[SocialSource]:
    return list(
        await session.scalars(
            select(SocialSource)
            .where(SocialSource.council_id == council_id)
            .order_by(SocialSource.platform, SocialSource.name, SocialSource.id)
        )
    )


async def source_views(session: AsyncSession, council_id: int) -> list[SourceHealthView]:
    return [source_health(s) for s in await council_sources(session, council_id)]


async def source_named(session: AsyncSession, council: Council, name: str) -> SocialSource | None:
    found: SocialSource | None = await session.scalar(
        select(SocialSource).where(SocialSource.council_id == council.id, SocialSource.name == name)
    )
    return found
