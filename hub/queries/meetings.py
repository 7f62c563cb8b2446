"""Meetings: the snapshot, lists and the console's activity log.

A snapshot is a meeting's whole public state with the ``last_seq`` it reflects, read in one
REPEATABLE READ transaction on PostgreSQL (SQLite's WAL reads are snapshots already), so the
state and ``last_seq`` agree: a client that applies the events after ``last_seq`` to it reaches
exactly the state a later snapshot shows (Zulip's register pattern).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from hub.events.schema import Audience
from hub.models import AgendaItem, Contribution, ContributionStatus, Council, Meeting, MeetingEvent
from hub.shapes.public import (
    ContributionView,
    Snapshot,
    contribution_view,
    item_views,
    meeting_view,
)
from hub.shapes.serialise import as_json

STAFF_ACTIVITY_LIMIT = 200
SOCIAL_HEALTH = "social.source.health"


async def consistent_read(session: AsyncSession) -> None:
    """Start the session's transaction as a snapshot of the database."""
    if session.get_bind().dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def load_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    result = await session.execute(
        select(Meeting).options(joinedload(Meeting.council)).where(Meeting.id == meeting_id)
    )
    return result.scalar_one_or_none()


async def load_items(session: AsyncSession, meeting_id: int) -> list[AgendaItem]:
    result = await session.execute(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.position)
    )
    return list(result.scalars())


async def published_contributions(session: AsyncSession, meeting_id: int) -> list[ContributionView]:
    """A meeting's published contributions, in the order they were published."""
    published = await session.execute(
        select(Contribution)
        .where(
            Contribution.meeting_id == meeting_id,
            Contribution.status == ContributionStatus.PUBLISHED.value,
        )
        .order_by(Contribution.published_at, Contribution.id)
    )
    return [contribution_view(c) for c in published.scalars()]


async def snapshot(session: AsyncSession, meeting_id: int) -> dict[str, Any] | None:
    """The public snapshot (GET /api/meetings/{id})."""
    await consistent_read(session)
    meeting = await load_meeting(session, meeting_id)
    if meeting is None:
        return None
    items = await load_items(session, meeting_id)
    contributions = await published_contributions(session, meeting_id)
    spotlight = next((c for c in contributions if c.id == meeting.spotlight_id), None)
    return as_json(
        Snapshot(
            meeting=meeting_view(meeting),
            items=item_views(items),
            contributions=contributions,
            spotlight=spotlight,
            spotlight_pinned=spotlight is not None and meeting.spotlight_pinned,
            last_seq=meeting.last_seq,
        )
    )


async def snapshot_of(session: AsyncSession, meeting_id: int) -> dict[str, Any]:
    """The snapshot of a meeting the caller knows exists (a route has just authorised it)."""
    snap = await snapshot(session, meeting_id)
    if snap is None:
        raise LookupError(f"meeting {meeting_id} is gone")
    return snap


async def staff_activity(
    session: AsyncSession, meeting_id: int, up_to: int
) -> list[dict[str, Any]]:
    """The most recent staff-only envelopes up to ``up_to``, oldest first (console log): who
    did what, not the social sources' health (the console shows that in its own panel)."""
    result = await session.execute(
        select(MeetingEvent.envelope)
        .where(
            MeetingEvent.meeting_id == meeting_id,
            MeetingEvent.audience == Audience.STAFF.value,
            MeetingEvent.type != SOCIAL_HEALTH,
            MeetingEvent.seq <= up_to,
        )
        .order_by(MeetingEvent.seq.desc())
        .limit(STAFF_ACTIVITY_LIMIT)
    )
    return [json.loads(e) for e in reversed(result.scalars().all())]


async def list_meetings(
    session: AsyncSession, *, council: str | None, limit: int, offset: int
) -> tuple[list[Meeting], int]:
    query = select(Meeting).options(joinedload(Meeting.council))
    count = select(func.count(Meeting.id))
    if council is not None:
        query = query.join(Council).where(Council.slug == council)
        count = count.join(Council).where(Council.slug == council)
    query = query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(limit).offset(offset)
    meetings = list((await session.execute(query)).scalars())
    total = int((await session.execute(count)).scalar_one())
    return meetings, total
